"""The registry hints of this area are validated with the rest of the row."""
from __future__ import annotations

import pytest

from govaudit.registry import RegistryError, parse


@pytest.mark.parametrize("hints,reason", [
    ('{"max_rps": 0}', "hint max_rps must be a positive number (requests per second)"),
    ('{"max_rps": "fast"}', "hint max_rps must be a positive number (requests per second)"),
    ('{"fetch": "chrome"}', "hint fetch must be one of http, browser"),
])
def test_bad_hint_refused(tmp_path, hints, reason):
    path = tmp_path / "sites.csv"
    path.write_text("name,url,kind,hints\n某某县,https://www.example.gov.cn/,portal,\"" + hints.replace('"', '""')
                    + "\"\n", encoding="utf-8")
    with pytest.raises(RegistryError) as exc:
        parse(path)
    assert exc.value.problems == [(2, reason)]


def test_good_hints_kept(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - {name: 某某县, url: 'https://www.example.gov.cn/', kind: portal,"
                    " hints: {max_rps: 0.5, fetch: browser}}\n", encoding="utf-8")
    assert parse(path)[0].hints == {"max_rps": 0.5, "fetch": "browser"}
