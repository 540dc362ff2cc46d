"""A small DOM for the HTML report tests, built with the standard library's parser.

Enough to ask what a page shows: elements by tag and class, their text as a reader
sees it (white space folded), and every tag and attribute the page holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()
)  # elements with no end tag


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self) -> list[Element]:
        """This element and every element inside it, in document order."""
        out = [self]
        for c in self.children:
            if isinstance(c, Element):
                out += c.iter()
        return out

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        for e in self.find_all(tag, cls):
            if all(e.attrs.get(k) == v for k, v in attrs.items()):
                return e
        raise LookupError(f"no <{tag} class={cls} {attrs}>")

    def raw_text(self) -> str:
        out: list[str] = []
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif c.tag not in ("style", "script", "title", "desc"):
                out.append(c.raw_text())
                if c.tag in ("br", "p", "li", "tr", "td", "th", "h1", "h2", "h3", "h4"):
                    out.append(" ")
        return "".join(out)

    def text(self) -> str:
        """The text a reader sees, white space folded to single spaces."""
        return " ".join(self.raw_text().split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.mismatched: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.mismatched.append(tag)
            # recover as a browser would: close up to the matching open element
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag == tag:
                    del self.stack[i:]
                    return
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Element:
    """The document; raises AssertionError when a tag is closed out of order or left open."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    assert builder.mismatched == [], f"end tags out of order: {builder.mismatched}"
    assert [e.tag for e in builder.stack] == ["#document"], "elements left open"
    return builder.root
