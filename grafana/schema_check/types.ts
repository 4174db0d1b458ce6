// The dashboards' JSON as @grafana/schema types it (the version the compose file's Grafana
// ships), so that `tsc` checks every field name and every enumerated value it knows.
//
// Two liberties, both because the JSON is data rather than code:
// - Lit<T> turns the schema's string enums (GraphDrawStyle.Line) into their values ("line"),
//   which is what the JSON holds; numeric enums stay as they are.
// - Loose<T> is Lit<T> with every field optional, used for what Grafana fills with defaults
//   on load (panel options, field config, links): a missing field is fine there, a misspelt
//   field or a wrong value is not.
import type {
  AnnotationQuery,
  Dashboard,
  DataSourceRef,
  FieldConfig,
  FieldConfigSource,
  Panel,
  RowPanel,
} from '@grafana/schema';
import type * as Stat from '@grafana/schema/dist/types/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen.d.ts';
import type * as Table from '@grafana/schema/dist/types/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen.d.ts';
import type * as Text from '@grafana/schema/dist/types/raw/composable/text/panelcfg/x/TextPanelCfg_types.gen.d.ts';
import type * as TimeSeries from '@grafana/schema/dist/types/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen.d.ts';

type Lit<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer U>
      ? Array<Lit<U>>
      : T extends object
        ? { [K in keyof T]: Lit<T[K]> }
        : T;

type Loose<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer U>
      ? Array<Loose<U>>
      : T extends object
        ? { [K in keyof T]?: Loose<T[K]> }
        : T;

// An override's property: a field-config key and a value of that key's type, `custom.*`
// keys typed by the panel's own field config.
type FieldProperty<C> =
  | { [K in Exclude<keyof FieldConfig, 'custom'> & string]-?: { id: K; value: Loose<FieldConfig[K]> } }[Exclude<keyof FieldConfig, 'custom'> & string]
  | { [K in keyof C & string]-?: { id: `custom.${K}`; value: Loose<C[K]> } }[keyof C & string];

type Fields<C> = Omit<Lit<FieldConfigSource>, 'defaults' | 'overrides'> & {
  defaults: Loose<Omit<FieldConfig, 'custom'>> & { custom?: Loose<C> };
  overrides: Array<{ matcher: { id: string; options?: unknown }; properties: Array<FieldProperty<C>> }>;
};

// Panel links are data links (title, url) in the JSON Grafana saves; the schema types them
// as dashboard links, whose other fields Grafana defaults.
type PanelBase = Omit<Lit<Panel>, 'type' | 'options' | 'fieldConfig' | 'links'> & {
  links?: Array<Loose<NonNullable<Panel['links']>[number]>>;
};

type PluginPanel<Type extends string, O, C> = PanelBase & {
  type: Type;
  options: Loose<O>;
  fieldConfig?: Fields<C>;
};

type LabPanel =
  | PluginPanel<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>
  | PluginPanel<'stat', Stat.Options, Record<string, never>>
  | PluginPanel<'table', Table.Options, Table.FieldConfig>
  | PluginPanel<'text', Text.Options, Record<string, never>>;

type LabRow = Omit<Lit<RowPanel>, 'panels'> & { panels: LabPanel[] };

// A Prometheus annotation keeps its query at the top level (the schema's `target` is the
// newer place); these are the fields the Prometheus datasource reads there.
type PrometheusAnnotation = Lit<Omit<AnnotationQuery, 'datasource'>> & {
  datasource?: Lit<DataSourceRef> | null;
  expr?: string;
  step?: string;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

// A query variable also keeps the text of its query (`definition`).
type LabVariable = Lit<NonNullable<NonNullable<Dashboard['templating']>['list']>[number]> & {
  definition?: string;
};

export type LabDashboard = Omit<Lit<Dashboard>, 'panels' | 'annotations' | 'templating' | 'links'> & {
  panels: Array<LabPanel | LabRow>;
  annotations: { list: PrometheusAnnotation[] };
  templating: { list: LabVariable[] };
  links: Array<Loose<NonNullable<Dashboard['links']>[number]>>;
};
