from pathlib import Path

from storage.dictionary import render


def test_data_dictionary_is_current():
    committed = (Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/data-dictionary.md is stale: run `python -m storage.dictionary > docs/data-dictionary.md`"
