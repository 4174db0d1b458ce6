from pathlib import Path

from loadgen.honesty import add_note_to_html, with_note
from loadgen.rounding import NOTE


def test_html_report_gets_the_note_once(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("<html><body><div id='root'></div></body></html>")
    add_note_to_html(str(report))
    add_note_to_html(str(report))
    text = report.read_text()
    assert text.count(NOTE) == 1
    assert text.index(NOTE) < text.index("<div id='root'>")


def test_web_page_note_goes_into_the_real_body_not_the_scripts_before_it() -> None:
    head = "<html><head><script>const s = '<body>'</script></head>"
    page = head + "\n<body><div id='root'></div></body>"
    noted = with_note(page)
    assert noted.count(NOTE) == 1
    assert noted.index("</head>") < noted.index(NOTE) < noted.index("<div id='root'>")
    assert with_note(noted) == noted
    assert with_note("not html") == "not html"
