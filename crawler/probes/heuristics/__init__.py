"""Pure heuristics of the browser probes, one module per probe, over HTML and
plain data: no browser, no network.

The probes hand these functions the rendered DOM (`page.content()` parsed by
`crawler.extract.html.parse`), in which `marks.js` has numbered candidate
elements and flagged the invisible ones (`dom.py`); tests hand them saved
pages. A finder returns elements best first; the probe maps an element back
to the live page through its `data-ga-i`.
"""
