"""How the docs' shell blocks are read and their shown output compared (tests/doc_blocks.py),
offline; tests/integration/docs runs the blocks against a real lab."""

from pathlib import Path

import pytest
from doc_blocks import (
    DOCS,
    SESSION,
    BadBlock,
    Command,
    all_blocks,
    blocks,
    matches,
    output_lines,
    rewrite,
    service_of,
    session,
    skip_reason,
    table_urls,
    untagged_commands,
)

from contracts import topology


def markdown(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.md"
    path.write_text(text)
    return path


# The docs as they are -------------------------------------------------------------------


def test_every_shell_block_of_the_docs_reads_and_every_session_has_commands() -> None:
    found = all_blocks()
    assert {b.path for b in found} >= {Path("README.md"), Path("slow_upstream/README.md")}
    for block in (b for b in found if b.language in SESSION):
        assert session(block.code, block.where), block.where


def test_no_untagged_block_of_the_docs_holds_a_command() -> None:
    # A command in a block that names no language would never run: tag it ```sh or ```console.
    assert [line for path in DOCS for line in untagged_commands(path)] == []


def test_every_readme_table_url_is_a_service_at_its_default_port() -> None:
    urls = table_urls(Path("README.md"))
    assert {service_of(u).name for u in urls} == {s.name for s in topology.ALL if not s.fronts}


# Reading blocks -------------------------------------------------------------------------


def test_a_block_has_its_fence_line_language_code_and_skip_reason(tmp_path: Path) -> None:
    path = markdown(
        tmp_path,
        "# t\n\n```sh\necho a\n```\n\n"
        '<!--pytest.mark.skip(reason="long: a benchmark")-->\n'
        "```console\n$ echo b\nb\n```\n\n```python\nprint(1)\n```\n",
    )
    first, second = blocks(path)
    assert (first.line, first.language, first.code, first.skip) == (3, "sh", "echo a\n", None)
    assert (second.line, second.language, second.skip) == (8, "console", "long: a benchmark")
    assert first.where == f"{path}:3"


@pytest.mark.parametrize(
    "mark",
    [
        "pytest.mark.skip",
        "pytest.mark.skip()",
        'pytest.mark.skip(reason="")',
        'pytest.mark.skip("positional")',
        'pytest.mark.skipif(True, reason="x")',
        'pytest.mark.xfail(reason="x")',
        "pytest.mark.skip(reason=WHY)",
    ],
)
def test_a_mark_other_than_a_skip_with_a_reason_is_refused(mark: str) -> None:
    with pytest.raises(BadBlock, match=r"doc\.md:3"):
        skip_reason(mark, "doc.md:3")


def test_the_skip_reason_is_read_as_written() -> None:
    assert skip_reason('pytest.mark.skip(reason="Docker-only: e2e")', "x") == "Docker-only: e2e"


@pytest.mark.parametrize(
    "text",
    [
        '<!--pytest.mark.skip(reason="a")-->\n<!--pytest.mark.skip(reason="b")-->\n'
        "```sh\necho\n```\n",
        "```sh\necho a\n```\n<!--pytest-codeblocks:expected-output-->\n```\na\n```\n",
    ],
    ids=["two marks", "expected-output"],
)
def test_a_block_the_test_cannot_run_as_meant_is_an_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(BadBlock):
        list(blocks(markdown(tmp_path, text)))


def test_a_command_in_an_untagged_block_is_found(tmp_path: Path) -> None:
    path = markdown(tmp_path, "```\n   lab/  (a diagram)\n$ curl x\nuv run lab up\n```\n")
    assert untagged_commands(path) == [f"{path}:1: $ curl x", f"{path}:1: uv run lab up"]


def test_a_session_splits_commands_and_their_shown_output() -> None:
    code = "$ curl a \\\n  -i\nHTTP/1.1 200 OK\n...\n$ true\n$ echo b\nb\n"
    assert session(code, "x") == [
        Command("curl a \\\n  -i", ("HTTP/1.1 200 OK", "...")),
        Command("true", ()),
        Command("echo b", ("b",)),
    ]


def test_a_session_starts_with_a_prompt() -> None:
    with pytest.raises(BadBlock, match="x: expected a `\\$ command` line"):
        session("output first\n$ echo\n", "x")


def test_table_urls_come_from_table_rows_only_once_each(tmp_path: Path) -> None:
    path = markdown(
        tmp_path,
        "see http://127.0.0.1:1/ in text\n| a | http://127.0.0.1:8001 |\n"
        "| b | `http://127.0.0.1:8002/docs` |\n| c | http://127.0.0.1:8001 |\n",
    )
    assert table_urls(path) == ["http://127.0.0.1:8001", "http://127.0.0.1:8002/docs"]


# Comparing output -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "printed"),
    [
        (
            '{"ok":true,"delay_ms":200.000,"slept_ms":200.5}',
            '{"ok":true,"delay_ms":200,"slept_ms":231}',
        ),
        ('{"detail": [{"loc": ["query", "x"]}]}', '{"detail":[{"loc":["query","x"]}]}'),
        ("HTTP/1.1 503 Service Unavailable", "HTTP/1.1 503 whatever"),
        ("curl: (52) Empty reply from server", "curl: (52) Empty reply from server"),
    ],
)
def test_a_line_matches_by_its_kind(shown: str, printed: str) -> None:
    assert matches([shown], [printed])


@pytest.mark.parametrize(
    ("shown", "printed"),
    [
        ('{"ok":true,"delay_ms":200}', '{"ok":true}'),  # a key missing
        ('{"ok":true}', '{"ok":true,"delay_ms":200}'),  # a key the doc lacks
        ('{"error":"too big"}', '{"error":"too large"}'),  # another message
        ('{"ok":true}', '{"ok":1}'),  # a boolean is not a number
        ('{"n":1}', '{"n":"1"}'),  # nor is a string
        ('{"a":[1,2]}', '{"a":[1]}'),
        ('{"a":{"b":1}}', '{"a":{"c":1}}'),
        ('{"ok":true}', "not json"),
        ("HTTP/1.1 503 Service Unavailable", "HTTP/1.1 502 Bad Gateway"),
        ("HTTP/1.1 503 Service Unavailable", "503"),
        ("curl: (56) Recv failure", "curl: (52) Empty reply from server"),
    ],
)
def test_a_line_that_differs_does_not_match(shown: str, printed: str) -> None:
    assert not matches([shown], [printed])


def test_dots_stand_for_any_lines_and_nothing_else_is_skipped() -> None:
    printed = ["HTTP/1.1 200 OK", "date: now", "", '{"ok":true}']
    assert matches(["HTTP/1.1 200 OK", "...", '{"ok":true}'], printed)
    assert matches(["...", '{"ok":true}'], printed)
    assert matches(["HTTP/1.1 200 OK", "..."], printed)
    assert matches(["HTTP/1.1 200 OK", "...", "date: now", "", '{"ok":true}'], printed)
    assert not matches(["HTTP/1.1 200 OK", '{"ok":true}'], printed)
    assert not matches(["HTTP/1.1 200 OK", "...", '{"ok":false}'], printed)
    assert not matches([], ["something"])
    assert not matches(["something"], [])


def test_output_lines_are_what_a_terminal_shows() -> None:
    text = "HTTP/1.1 200 OK\r\n\x1b[1mdate\x1b[0m: now  \r\n\r\nbody\r\n\r\n"
    assert output_lines(text) == ["HTTP/1.1 200 OK", "date: now", "", "body"]


def test_rewrite_points_default_ports_and_var_at_another_lab() -> None:
    code = (
        "curl 'http://127.0.0.1:8001/io' 127.0.0.1:8080/config 127.0.0.1:5000\n"
        "lab load --json var/steps.json; cat ./var/x /var/log/y myvar/z\n"
    )
    assert rewrite(code, {8001: 40001, 8080: 40080}, Path("/elsewhere/var")) == (
        "curl 'http://127.0.0.1:40001/io' 127.0.0.1:40080/config 127.0.0.1:5000\n"
        "lab load --json /elsewhere/var/steps.json; cat ./var/x /var/log/y myvar/z\n"
    )
