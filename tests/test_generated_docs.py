"""The generated catalog and frameworks documents match the code they are generated from
(the data dictionary's test is tests/test_dictionary.py)."""
from pathlib import Path

import pytest

from checks import catalog_doc
from reports import frameworks_doc

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name,module", [("checks.md", catalog_doc), ("frameworks.md", frameworks_doc)])
def test_generated_doc_is_current(name, module):
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == module.render(), f"docs/{name} is stale: run `python -m {module.__name__} > docs/{name}`"


def test_catalog_lists_every_declared_error_kind_and_check():
    from checks.base import ERROR_KINDS
    from checks.catalog import all_checks
    text = catalog_doc.render()
    assert all(f"- `{kind}`: " in text for kind in ERROR_KINDS)
    assert all(f"| `{cid}` |" in text for cid in all_checks())
