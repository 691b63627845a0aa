"""Province, city and county names from a 6-digit 行政区划代码 (GB/T 2260; the table is
reports/data/gb2260.tsv, whose header says where it comes from)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "gb2260.tsv"


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    out = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            out[code] = name
    return out


def province(code: str | None) -> str | None:
    """The province of a code (its first two digits), e.g. 330106 → 浙江省."""
    if not code or len(code) < 2:
        return None
    return _names().get(code[:2] + "0000")


def region_name(code: str | None) -> str | None:
    """Full name down to the code's level: 330106 → 浙江省杭州市西湖区, 110101 → 北京市东城区;
    None for an empty or unknown code (never a guess)."""
    if not code or len(code) != 6 or not code.isdigit():
        return None
    names = _names()
    if code not in names:
        return None
    parts = [names.get(code[:2] + "0000")]
    city = code[:4] + "00"
    if city != parts[0] and city in names and city != code[:2] + "0000":
        parts.append(names[city])
    if code not in (code[:2] + "0000", city):
        parts.append(names[code])
    return "".join(p for p in parts if p)
