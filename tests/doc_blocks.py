"""The shell blocks of the docs, as pytest-codeblocks reads them, and the rules that compare
the output a block shows with what its commands print. The blocks run against a real lab in
tests/integration/docs/; these functions start nothing, so tests/unit/docs checks them alone.

Two kinds of shell block:

- ```sh: commands only; the block runs as one bash script with errexit and pipefail, so
  every command in it must succeed.
- ```console: `$ command` lines, each followed by the output the doc shows for it. A shown
  line matches a printed one by these rules: `...` stands for any number of lines; a JSON
  line needs the same keys (at every depth) and the same strings, booleans and nulls, while a
  number only needs to be a number (the docs show measured figures: a timing never fails the
  test); an `HTTP/1.1 503 ...` status line needs the same status code; any other line must be
  printed as shown.

A block that is not run says why, in a pytest mark on the line before it, which pytest-codeblocks
reads: `<!--pytest.mark.skip(reason="long: ...")-->`. A skip without a reason is an error.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_codeblocks import extract_from_file

from contracts import topology
from contracts.paths import REPO
from contracts.settings import LabSettings

# The Markdown the project publishes, relative to the repository.
DOCS: tuple[Path, ...] = (
    Path("README.md"),
    *sorted(p.relative_to(REPO) for p in (REPO / "docs").glob("*.md")),
    Path("slow_upstream/README.md"),
)
SCRIPT = frozenset({"sh", "bash", "shell"})
SESSION = frozenset({"console"})
PROMPT = "$ "
ANY_LINES = "..."


class BadBlock(ValueError):
    """A block, or its mark, that this test cannot run as the doc means it."""


@dataclass(frozen=True)
class Block:
    path: Path  # relative to the repository
    line: int  # of its opening fence
    language: str
    code: str
    skip: str | None  # why it is not run; None: it runs

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def skip_reason(mark: str, where: str) -> str:
    """The reason of `pytest.mark.skip(reason="...")`, the one mark the docs may use."""
    call = ast.parse(mark, mode="eval").body
    if (
        isinstance(call, ast.Call)
        and ast.unparse(call.func) == "pytest.mark.skip"
        and not call.args
        and [k.arg for k in call.keywords] == ["reason"]
        and isinstance(call.keywords[0].value, ast.Constant)
        and isinstance(call.keywords[0].value.value, str)
        and call.keywords[0].value.value.strip()
    ):
        return call.keywords[0].value.value
    raise BadBlock(f'{where}: expected <!--pytest.mark.skip(reason="why")-->, got {mark}')


def blocks(path: Path) -> Iterator[Block]:
    """Every shell block of one Markdown file (relative to the repository)."""
    for found in extract_from_file(REPO / path):
        language = found.syntax or ""
        if language not in SCRIPT | SESSION:
            continue
        where = f"{path}:{found.lineno}"
        if found.expected_output is not None or found.importorskip is not None:
            raise BadBlock(f"{where}: show output in a ```console block instead")
        if len(found.marks) > 1:
            raise BadBlock(f"{where}: one skip mark at most")
        skip = skip_reason(found.marks[0], where) if found.marks else None
        yield Block(path, found.lineno, language, found.code, skip)


def all_blocks() -> list[Block]:
    return [b for path in DOCS for b in blocks(path)]


# A line of an untagged block that is a command: it would escape the test, so it is an error.
COMMAND = re.compile(
    r"^\s*(\$\s|(uv|curl|make|docker|python3?|\.venv/bin/python3?|promtool|pytest|locust|lab"
    r"|git|time)\s)"
)


def untagged_commands(path: Path) -> list[str]:
    """`file:line: text` of each command in a block that names no language."""
    return [
        f"{path}:{found.lineno}: {line}"
        for found in extract_from_file(REPO / path)
        if not found.syntax
        for line in found.code.splitlines()
        if COMMAND.match(line)
    ]


@dataclass(frozen=True)
class Command:
    command: str
    shown: tuple[str, ...]  # the output the doc shows for it


def session(code: str, where: str) -> list[Command]:
    """The commands of a ```console block, each with the output shown below it. A command
    line ending in a backslash goes on on the next line."""
    commands: list[Command] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith(PROMPT):
            raise BadBlock(f"{where}: expected a `{PROMPT}command` line, got {lines[i]!r}")
        command = [lines[i].removeprefix(PROMPT)]
        i += 1
        while command[-1].endswith("\\") and i < len(lines):
            command.append(lines[i])
            i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith(PROMPT):
            shown.append(lines[i])
            i += 1
        commands.append(Command("\n".join(command), tuple(shown)))
    return commands


# Colours and bold (curl styles header names on a terminal): how a line looks, not what it says.
STYLE = re.compile(r"\x1b\[[0-9;]*m")


def output_lines(text: str) -> list[str]:
    """Printed text as lines: a terminal's CRLF as LF, styles, trailing blanks and trailing
    blank lines gone."""
    text = STYLE.sub("", text.replace("\r\n", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


STATUS_LINE = re.compile(r"HTTP/\S+ (\d{3})\b")


def json_like(shown: object, printed: object) -> bool:
    if isinstance(shown, dict):
        return (
            isinstance(printed, dict)
            and shown.keys() == printed.keys()
            and all(json_like(v, printed[k]) for k, v in shown.items())
        )
    if isinstance(shown, list):
        return (
            isinstance(printed, list)
            and len(shown) == len(printed)
            and all(json_like(a, b) for a, b in zip(shown, printed, strict=True))
        )
    if isinstance(shown, int | float) and not isinstance(shown, bool):
        return isinstance(printed, int | float) and not isinstance(printed, bool)
    return type(shown) is type(printed) and shown == printed


def as_json(line: str) -> object:
    """A JSON object or array, or None when the line is neither."""
    if not line.lstrip().startswith(("{", "[")):
        return None
    try:
        value: object = json.loads(line)
    except ValueError:
        return None
    return value


def line_matches(shown: str, printed: str) -> bool:
    value = as_json(shown)
    if value is not None:
        return json_like(value, as_json(printed))
    status = STATUS_LINE.match(shown)
    if status is not None:
        got = STATUS_LINE.match(printed)
        return got is not None and got[1] == status[1]
    return shown == printed


def matches(shown: Sequence[str], printed: Sequence[str]) -> bool:
    """Whether the printed lines are what the doc shows (see the module's rules)."""
    if not shown:
        return not printed
    if shown[0] == ANY_LINES:
        return any(matches(shown[1:], printed[i:]) for i in range(len(printed) + 1))
    return bool(printed) and line_matches(shown[0], printed[0]) and matches(shown[1:], printed[1:])


LOCAL_URL = re.compile(r"127\.0\.0\.1:(\d+)")
VAR_PATH = re.compile(r"(?<![\w./-])var/")


def rewrite(code: str, ports: Mapping[int, int], var: Path) -> str:
    """A block's text pointed at another lab: each default port in a 127.0.0.1 address
    becomes that lab's port for the same setting, and a path under `var/` (LAB_VAR_DIR's
    default) one under that lab's runtime state directory."""
    code = LOCAL_URL.sub(lambda m: f"127.0.0.1:{ports.get(int(m[1]), int(m[1]))}", code)
    return VAR_PATH.sub(f"{var}/", code)


TABLE_URL = re.compile(r"http://127\.0\.0\.1:\d+[^\s|`)]*")


def table_urls(path: Path) -> list[str]:
    """Each URL on 127.0.0.1 in the tables of a Markdown file, once, in order."""
    rows = (line for line in (REPO / path).read_text().splitlines() if line.startswith("|"))
    return list(dict.fromkeys(url for row in rows for url in TABLE_URL.findall(row)))


def service_of(url: str) -> topology.Service:
    """The service whose default port a URL names."""
    port = int(url.split(":")[2].split("/")[0])
    # The proxy takes the servers' ports only when it is on: the URL is the server's.
    (service,) = [s for s in topology.ALL if s.port(LabSettings()) == port and not s.fronts]
    return service
