"""The real-page corpus against what a person reads on each page (tests/corpus/real/expectations.yaml,
written before running the tool): identity marks, footers written by script, lists and shells."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from crawler.extract import page_facts
from tests.conftest import CORPUS

TODAY = date(2026, 11, 22)
EXPECTED = yaml.safe_load((CORPUS / "expectations.yaml").read_text(encoding="utf-8"))


def facts_of(name: str, spec: dict) -> dict:
    html = (CORPUS / name).read_bytes().decode("utf-8-sig")
    return page_facts(spec.get("url", "https://www.example.gov.cn/a/index.htm"), html, {}, spec.get("home", False),
                      today=TODAY)


def test_every_expectation_names_a_corpus_page():
    assert sorted(EXPECTED) == sorted(n for n in EXPECTED if (CORPUS / n).is_file())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_tool_reads_what_a_person_reads(name):
    spec = EXPECTED[name]
    f = facts_of(name, spec)
    read = {}
    for key, value in (spec.get("identity") or {}).items():
        if key == "badge":
            read[key] = f["identity"]["badge"]["present"]
        elif key == "footer_by_script":
            read[key] = bool(f["identity"].get("footer_by_script"))
        elif key == "commented_out":
            read[key] = sorted(f["identity"].get("commented_out") or {})
            value = sorted(value)
        else:
            read[key] = f["identity"][key]
    for key in (spec.get("list") or {}):
        read[f"list.{key}"] = bool(f["list"]["shell"]) if key == "shell" else f["list"][key]
    for key in ("page_type", "pub_date"):
        if key in spec:
            read[key] = f.get(key)
    expected = {**{k: (sorted(v) if k == "commented_out" else v) for k, v in (spec.get("identity") or {}).items()},
                **{f"list.{k}": v for k, v in (spec.get("list") or {}).items()},
                **{k: spec[k] for k in ("page_type", "pub_date") if k in spec}}
    assert read == expected
