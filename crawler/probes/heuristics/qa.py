"""The Q&A probe's heuristics: the entry or frame that opens the intelligent Q&A
(智能问答 / 智能客服), the text a chat shows after a question, and whether
that answer is a fallback."""
from __future__ import annotations

import re
from collections import Counter

from crawler.extract.html import squash
from crawler.probes import keywords as kw
from crawler.probes.heuristics import dom


def find_qa_entries(root, include_hidden: bool = False) -> list:
    """Clickable elements or frames that open an intelligent Q&A (智能问答 / 智能客服)."""
    hits = []
    for el in root.iter(*"a button span div li img input iframe em i p".split()):
        if not include_hidden and dom.is_hidden(el):
            continue
        text = dom.short_label(el)
        if el.tag == "iframe":
            if kw.QA_LABEL.search(dom.code_hint(el) + " " + (el.get("title") or "")):
                hits.append(el)
            continue
        if text and kw.QA_LABEL.search(text) and not kw.QA_NOT.search(text):
            hits.append(el)
        elif not text and el.tag in ("a", "img", "button") and kw.QA_LABEL.search(dom.code_hint(el)):
            hits.append(el)
    return dom.prefer_clickable(dom.innermost(hits))


def is_fallback_answer(text: str) -> bool:
    return bool(kw.QA_FALLBACK.search(text or ""))


def new_text(before: str, after: str, question: str) -> str:
    """Text that appeared in a chat after a question was sent, minus the echoed question and
    lines that were there before (counted, so a repeated fallback answer still shows as new)."""
    old = Counter(squash(l) for l in (before or "").splitlines() if squash(l))
    q = squash(question)
    lines = []
    for line in (after or "").splitlines():
        line = squash(line)
        if not line:
            continue
        if old[line] > 0:
            old[line] -= 1
            continue
        if q and (line == q or line.endswith(q) or q in line and len(line) <= len(q) + 12):
            continue
        if re.fullmatch(r"[\d:：\-/\s]+|发送|提交", line):      # timestamps, buttons
            continue
        lines.append(line)
    return " ".join(lines)
