// `npm ci && npm run check` here: type-checks every committed dashboard (or those of the
// directory given) against the @grafana/schema version in package.json (the compose file's
// Grafana; a test keeps them equal). Each dashboard becomes `<its JSON> satisfies
// LabDashboard` in generated/, which tsc then checks: unknown fields and values outside the
// schema's types are errors.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboards = process.argv[2] ?? join(here, '..', 'dashboards');
const generated = join(here, 'generated');
rmSync(generated, { recursive: true, force: true });
mkdirSync(generated);
const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
for (const file of files) {
  const json = JSON.parse(readFileSync(join(dashboards, file), 'utf8'));
  const ts =
    "import type { LabDashboard } from '../types';\n\n" +
    `export const dashboard = ${JSON.stringify(json, null, 2)} satisfies LabDashboard;\n`;
  writeFileSync(join(generated, file.replace(/\.json$/, '.ts')), ts);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', here], { stdio: 'inherit' });
if (run.status === 0) console.log(`schema check: ${files.length} dashboards match @grafana/schema`);
process.exit(run.status ?? 1);
