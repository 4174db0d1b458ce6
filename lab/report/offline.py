"""Whether a page references anything outside itself: every URL an element or a style names
(src, href, srcset, url(), @import...) must be in the page (`#id`) or inline (`data:`). The
one exception is a link a reader follows by hand (`<a href>`) to the lab's own Grafana: a
navigation, never loaded with the page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset(
    {"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction", "background"}
)
# A scheme (http:, https:, file:, ftp:...) or a scheme-relative //host: somewhere else.
OUTSIDE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]*)|@import\s+['"]([^'"]*)""", re.I)


@dataclass(frozen=True)
class Reference:
    tag: str
    attribute: str  # the attribute, or "style" for CSS
    url: str

    def __str__(self) -> str:
        return f"<{self.tag} {self.attribute}={self.url!r}>"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Reference] = []
        self._tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tags.append(tag)
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                urls = (
                    [u.strip().split(" ")[0] for u in value.split(",")]
                    if name == "srcset"
                    else [value]
                )
                self.found += [Reference(tag, name, u) for u in urls]
            elif name == "style":
                self.found += [Reference(tag, "style", u) for u in css_urls(value)]

    def handle_endtag(self, tag: str) -> None:
        if self._tags and self._tags[-1] == tag:
            self._tags.pop()

    def handle_data(self, data: str) -> None:
        if self._tags and self._tags[-1] == "style":
            self.found += [Reference("style", "style", u) for u in css_urls(data)]


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def references(page: str) -> list[Reference]:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector.found


def outside(ref: Reference) -> bool:
    return bool(OUTSIDE.match(ref.url)) and not ref.url.lower().startswith("data:")


def problems(page: str, links: Sequence[str] = ()) -> list[Reference]:
    """Every reference to something outside the page, but the `<a href>` in `links`."""
    return [
        ref
        for ref in references(page)
        if outside(ref) and not (ref.tag == "a" and ref.attribute == "href" and ref.url in links)
    ]
