"""Where a page sends the visitor by script: `location.href = '…'`, `location.replace('…')`,
`window.open('…')` in a page with nothing else, a `setTimeout` redirect — the root index.html
of many CMS installs. Only an empty page counts (a page with its own content and a mobile
switch is a page); a target the script computes is left to the browser."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.extract.html import visible_shape

EMPTY_TEXT = 200
FEW_LINKS = 3
_TARGET = r"""(['"])\s*([^'"\s<>]{1,500}?)\s*\1"""
_LITERAL = [re.compile(r"""location(?:\s*\.\s*href)?\s*=\s*""" + _TARGET),
            re.compile(r"""location\s*\.\s*(?:replace|assign)\s*\(\s*""" + _TARGET),
            re.compile(r"""window\s*\.\s*open\s*\(\s*""" + _TARGET)]
# an assignment or call whose target is an expression (not a quoted literal, not the page itself: a reload)
_COMPUTED = re.compile(r"""location(?:\s*\.\s*href)?\s*=(?!=)\s*(?!['"\s]|(?:window\.|document\.)?location\b)"""
                       r"""|location\s*\.\s*(?:replace|assign)\s*\(\s*(?!['"]|(?:window\.)?location\b)""")


def script_redirect(tree, page_url: str) -> dict | None:
    """{"target": absolute URL} for one literal target, {"target": None} when the script computes the
    target or names several (a browser must run it), None when the page does not send the visitor on."""
    text, links, _ = visible_shape(tree)
    if len(text) > EMPTY_TEXT or links > FEW_LINKS:
        return None
    code = "\n".join(el.text or "" for el in tree.iter("script") if not el.get("src"))
    targets = []
    for pattern in _LITERAL:
        for _, target in pattern.findall(code):
            if not target.lower().startswith(("javascript:", "#", "about:")):
                absolute = urljoin(page_url, target)
                if absolute.split("#")[0] != page_url.split("#")[0] and absolute not in targets:
                    targets.append(absolute)
    computed = _COMPUTED.search(code) is not None
    if len(targets) == 1 and not computed:
        return {"target": targets[0]}
    if targets or computed:
        return {"target": None}
    return None
