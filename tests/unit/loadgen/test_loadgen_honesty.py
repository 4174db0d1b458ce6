from pathlib import Path

from loadgen.honesty import add_note_to_html
from loadgen.rounding import NOTE


def test_html_report_gets_the_note_once(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("<html><body><div id='root'></div></body></html>")
    add_note_to_html(str(report))
    add_note_to_html(str(report))
    text = report.read_text()
    assert text.count(NOTE) == 1
    assert text.index(NOTE) < text.index("<div id='root'>")
