"""One lxml parse per page, shared by every extractor and the browser probes (their rendered
DOM), and the one way text is squashed."""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import lxml.html
from lxml import etree

from core.urls import BadLink, link_target

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Browsers ignore a stray </html> or </body> (CMS header fragments carry them
# mid-page); libxml2 stops reading there, so they go before parsing.
_END_TAGS = re.compile(r"</(?:html|body)\s*>", re.I)
# Characters XML forbids: libxml2 may keep them in a parsed tree, and lxml then refuses to set them back.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_CHARS = [chr(c) for c in (*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0xfffe, 0xffff)]
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u2002\u2003]+")
# lxml.html's parser: HtmlElement nodes, so other extractors sharing the tree can use text_content().
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
# The same element classes as lxml.html's own lookup, found in C: lxml.html asks a Python method
# for the class of every element proxy it makes, a tenth of an extraction's time.
_CLASSES = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
_CLASSES.get_namespace(None).update(lxml.html.HtmlElementClassLookup._default_element_classes)
_PARSER.set_element_class_lookup(_CLASSES)


def parse(text: str):
    """An lxml document from decoded HTML; never raises on junk input."""
    text = _END_TAGS.sub("", _XML_DECL.sub("", text.lstrip("\ufeff"), count=1))
    if any(c in text for c in _CONTROL_CHARS):      # 31 substring scans cost a third of one regex scan
        text = _CONTROL.sub("", text)
    try:
        root = etree.fromstring(text, _PARSER) if text.strip() else None
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        root = None
    if root is None:
        root = etree.fromstring("<html></html>", _PARSER)
    return root


@contextmanager
def code_muted(tree, restore: bool = True):
    """Script, style and template bodies are code, not text: while muted they are
    left out of itertext(), which is far faster than filtering each text node.
    They come back afterwards (other extractors read JSON from scripts), unless
    `restore` is false: a tree nobody reads afterwards (lxml checks every character
    of a long script it is given back)."""
    saved = []
    for el in tree.iter("script", "style", "template"):
        if el.text or len(el):
            if restore:
                saved.append((el, el.text, list(el)))
            el.text = None
            for child in list(el):
                el.remove(child)
    try:
        yield tree
    finally:
        for el, text, children in saved:
            el.text = text
            el.extend(children)


def squash(s: str | None) -> str:
    """Runs of white space (ASCII, &nbsp;, &ensp;, &emsp;, the ideographic space) as one space, trimmed."""
    return _SPACE.sub(" ", s or "").strip()


def txt(el) -> str:
    """All text under an element, squashed (fast; includes inline scripts)."""
    if len(el) == 0:                # (most links) its own text is all of it
        return squash(el.text)
    # libxml2's own text of the element: "".join(el.itertext()) without a Python string per text node
    return squash(etree.tostring(el, method="text", encoding=str, with_tail=False))


def short_text(el, limit: int) -> str | None:
    """txt(el) when it is at most `limit` characters long, None when it is longer: a long text
    (an image's ancestor that holds the page's content, a link to an article) is not squashed
    whole only to be measured."""
    pieces, solid = [], 0
    for piece in el.itertext():
        pieces.append(piece)
        solid += len("".join(piece.split()))     # characters squash() keeps, at least
        if solid > limit:
            return None
    text = squash("".join(pieces))
    return text if len(text) <= limit else None


# the pieces of el.itertext(), listed by libxml2 (the parser never leaves two text nodes side by side)
text_pieces = etree.XPath("descendant::text()", smart_strings=False)


def node_text(el) -> str:
    """Visible text of an element, squashed (script bodies are gone after parse)."""
    return squash(" ".join(text_pieces(el)))


def visible_text(tree) -> str:
    body = tree.find("body")
    with code_muted(tree):
        return node_text(body if body is not None else tree)


def visible_shape(tree) -> tuple[str, int, int]:
    """What a browser running scripts shows of a page, in short: (visible text without <noscript>,
    number of links, characters of inline script). Walls and script redirects are empty pages."""
    script = sum(len(el.text or "") for el in tree.iter("script") if not el.get("src"))
    links = sum(1 for el in tree.iter("a", "area") if (el.get("href") or "").strip())
    body = tree.find("body")
    with code_muted(tree):
        text = node_text(body if body is not None else tree)
        for el in tree.iter("noscript"):
            text = text.replace(node_text(el), "", 1).strip()
    return text, links, script


def meta_map(tree) -> dict[str, str]:
    """<meta name=… content=…> by lower-cased name (first non-empty wins)."""
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if not name:
            continue
        content = (m.get("content") or "").strip()
        if name not in out or (not out[name] and content):
            out[name] = content
    return out


@dataclass(slots=True)
class Anchor:
    el: object
    href: str        # as written
    label: str       # text, else title, else the alt of its image
    text: str        # the link's own text only
    base: str
    encoding: str | None = None      # the page's encoding: a GBK page's query is sent in GBK

    @property
    def url(self) -> str:
        """The target as the crawl keys it (core/urls.py), "" when there is none to fetch."""
        if not self.href or self.href[0] == "#":
            return ""
        try:
            return link_target(self.base, self.href, self.encoding)
        except BadLink:
            return ""


def link_label(a) -> str:
    """What a link says: its text, else its title, else its image's alt or title (image buttons)."""
    text = txt(a) or squash(a.get("title") or "")
    if not text:
        for img in a.iter("img"):
            text = squash(img.get("alt") or img.get("title") or "")
            if text:
                break
    return text


def anchors(tree, page_url: str, encoding: str | None = None, short: int | None = None) -> list[Anchor]:
    """Every <a>, read once for all extractors; with `short`, only those whose own text is at
    most that long (the links a pager is made of)."""
    out = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        text = txt(a) if short is None else short_text(a, short)
        if text is None:
            continue
        label = text or squash(a.get("title") or "")
        if not label:
            for img in a.iter("img"):
                label = squash(img.get("alt") or img.get("title") or "")
                if label:
                    break
        out.append(Anchor(a, href, label, text, page_url, encoding))
    return out
