"""A report is written whole or not at all: a temporary file beside the target, renamed over
it; a failed write leaves what was there and no temporary file."""

import os
from pathlib import Path

import pytest

from lab.report import output


def test_a_page_replaces_the_old_one_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old")
    output.write(path, "<p>new</p>")
    assert path.read_text() == "<p>new</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_new_page_is_readable_as_any_new_file(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        output.write(tmp_path / "r.html", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_what_was_there(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.mkdir()  # a directory cannot be replaced by a file
    (target / "kept").write_text("")
    with pytest.raises(output.OutputError, match=r"report\.html: cannot write \(") as raised:
        output.write(target, "<p>new</p>")
    assert "\n" not in str(raised.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert [p.name for p in target.iterdir()] == ["kept"]


def test_the_early_check_names_what_stands_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(output.OutputError, match=r"is a directory$"):
        output.check(tmp_path)
    with pytest.raises(output.OutputError, match=r"file is not a directory$"):
        output.check(tmp_path / "file" / "deeper" / "r.html")
    output.check(tmp_path / "new" / "dir" / "r.html")  # made when the page is written
