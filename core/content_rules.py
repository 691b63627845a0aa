"""Rule lists for the content checks and the crawl (allowed domains): shipped in core/data/,
extended by the files of the same name in the directory named by GOVAUDIT_RULES_DIR.

Files: wording_errors.txt and typos.txt ("wrong => right" a line),
sensitive_words.txt (user-supplied only; one word a line),
suspicious_keywords.txt and allowed_domains.txt (one entry a line).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).parent / "data"
SNIPPET = 18
CLAUSE_ENDS = " 。，；：！？、,.;:!?|()（）《》“”\"\n"


@dataclass(frozen=True)
class Rule:
    wrong: str
    right: str
    source: str

    @property
    def label(self) -> str:
        return f"{self.wrong} => {self.right}" if self.right else self.wrong


def rules_dir() -> Path | None:
    value = os.environ.get("GOVAUDIT_RULES_DIR", "").strip()
    return Path(value) if value else None


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _files(name: str, shipped: bool = True) -> list[Path]:
    files = [SHIPPED / name] if shipped else []
    user = rules_dir()
    if user is not None:
        files.append(user / name)
    return files


@lru_cache(maxsize=32)
def _load(name: str, shipped: bool, user_dir: str) -> tuple[Rule, ...]:
    rules, seen = [], set()
    for path in _files(name, shipped):
        for line in _lines(path):
            wrong, _, right = (x.strip() for x in line.partition("=>"))
            if wrong and wrong not in seen:
                seen.add(wrong)
                rules.append(Rule(wrong, right, path.name if path.parent == SHIPPED else str(path)))
    return tuple(rules)


def load(name: str, shipped: bool = True) -> tuple[Rule, ...]:
    return _load(name, shipped, str(rules_dir() or ""))


def user_list_exists(name: str) -> bool:
    d = rules_dir()
    return d is not None and bool(_lines(d / name))


class Matcher:
    """All rules of a list in one regex; hits carry a snippet around the match."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = {r.wrong: r for r in rules}
        ordered = sorted(self.rules, key=len, reverse=True)
        self.rx = re.compile("|".join(re.escape(w) for w in ordered), re.I) if ordered else None

    def find(self, text: str, limit: int = 50) -> list[tuple[Rule, str]]:
        return [(rule, snippet) for rule, snippet, _ in self.find_in_clauses(text, limit)]

    def find_in_clauses(self, text: str, limit: int = 50) -> list[tuple[Rule, str, str]]:
        """Hits with the clause holding each: the text between punctuation or spaces
        around the match. The same headline repeated in a list, a breadcrumb and the
        article is one clause, so one error."""
        if self.rx is None or not text:
            return []
        hits = []
        for m in self.rx.finditer(text):
            rule = self.rules.get(m[0]) or next(r for w, r in self.rules.items() if w.lower() == m[0].lower())
            if rule.right and rule.right in text[max(0, m.start() - len(rule.right)):m.end() + len(rule.right)]:
                continue   # the wrong form sits inside the right one
            snippet = text[max(0, m.start() - SNIPPET):m.end() + SNIPPET]
            start = max((text.rfind(c, 0, m.start()) for c in CLAUSE_ENDS), default=-1) + 1
            ends = [i for i in (text.find(c, m.end()) for c in CLAUSE_ENDS) if i >= 0]
            hits.append((rule, snippet, text[start:min(ends, default=len(text))]))
            if len(hits) >= limit:
                break
        return hits


def host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (x.lower().lstrip(".") for x in allowed))
