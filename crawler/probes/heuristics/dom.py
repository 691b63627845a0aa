"""The rendered DOM as the probes read it: `marks.js` has numbered the candidate
elements (`data-ga-i`) and flagged the invisible ones (`data-ga-hidden`); these
helpers say whether an element is hidden, what a person reads on it, what its
developer named it, and which live element it is."""
from __future__ import annotations

from crawler.extract.html import squash


def is_hidden(el) -> bool:
    node = el
    while node is not None:
        if node.get("data-ga-hidden") == "1" or node.get("hidden") is not None:
            return True
        if node.tag == "input" and (node.get("type") or "").lower() == "hidden":
            return True
        node = node.getparent()
    return False


def own_text(el) -> str:
    try:
        return squash(el.text_content())
    except ValueError:
        return ""


def label(el) -> str:
    """What a person reads on or about the element: text, title, alt, aria-label, placeholder, value."""
    parts = [own_text(el)]
    values = [el.get(a) for a in ("title", "aria-label", "placeholder", "value", "alt")]
    values += [img.get(a) for img in el.iter("img") for a in ("alt", "title")]
    for value in values:
        value = squash(value)
        if value and value not in parts[0] and value not in parts:
            parts.append(value)
    return squash(" ".join(parts))


def code_hint(el) -> str:
    """Developer-facing names: id, class, name, href/src/action paths."""
    return " ".join(el.get(a) or "" for a in ("id", "class", "name", "href", "src", "onclick"))


def element_index(el) -> int | None:
    value = el.get("data-ga-i")
    return int(value) if value and value.isdigit() else None


def innermost(elements):
    """Drop elements that contain another candidate (keep the tightest match)."""
    chosen = set(elements)
    result = []
    for el in elements:
        if any(other is not el and other in chosen and is_ancestor(el, other) for other in elements):
            continue
        result.append(el)
    return result


def is_ancestor(parent, child) -> bool:
    node = child.getparent()
    while node is not None:
        if node is parent:
            return True
        node = node.getparent()
    return False


def short_label(el) -> str:
    text = label(el)
    return text if len(text) <= 30 else ""


def prefer_clickable(elements) -> list:
    """Replace a matched text node (span/font) by its clickable ancestor (a/button) when it has one."""
    out = []
    for el in elements:
        node = el
        for anc in el.iterancestors():
            if anc.tag in ("a", "button") or anc.get("onclick") or anc.get("role") in ("button", "link"):
                node = anc
                break
            if anc.tag in ("body", "ul", "nav", "header", "footer"):
                break
        if node not in out:
            out.append(node)
    return out
