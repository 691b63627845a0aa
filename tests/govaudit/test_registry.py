import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit.registry import RegistryError, import_file, parse
from storage import models as m
from storage.db import get_engine

GOOD_CSV = """name,url,kind,unit,level,group,region,hints
某某市人民政府,https://www.example.gov.cn/,portal,,city,地级市,330100,"{""max_pages"": 50}"
某某市数据开放平台,https://data.example.gov.cn/,open_data,某某市人民政府,city,地级市,330100,
"""

GOOD_YAML = """sites:
  - name: 某某县人民政府
    url: http://www.county.gov.cn/
    kind: portal
    level: county
    hints:
      search_url: http://www.county.gov.cn/search
  - name: 某某县12345
    url: http://12345.county.gov.cn/
    kind: hotline
    unit: 某某县人民政府
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_csv_and_yaml(tmp_path):
    rows = parse(write(tmp_path, "a.csv", GOOD_CSV))
    assert [(r.line, r.name, r.kind, r.unit, r.region, r.hints) for r in rows] == [
        (2, "某某市人民政府", "portal", "某某市人民政府", "330100", {"max_pages": 50}),
        (3, "某某市数据开放平台", "open_data", "某某市人民政府", "330100", {}),
    ]
    rows = parse(write(tmp_path, "a.yaml", GOOD_YAML))
    assert [(r.line, r.url, r.unit, r.level, r.hints) for r in rows] == [
        (2, "http://www.county.gov.cn/", "某某县人民政府", "county", {"search_url": "http://www.county.gov.cn/search"}),
        (8, "http://12345.county.gov.cn/", "某某县人民政府", None, {}),
    ]


@pytest.mark.parametrize("row, reason", [
    (",https://a.gov.cn/,portal,,,,,", "line 2: missing name"),
    ("A,,portal,,,,,", "line 2: missing url"),
    ("A,https://a.gov.cn/,website,,,,,", "line 2: unknown kind 'website' (expected one of portal, open_data, hotline)"),
    ("A,ftp://a.gov.cn/,portal,,,,,", "line 2: url must be http or https: 'ftp://a.gov.cn/'"),
    ("A,https://,portal,,,,,", "line 2: url has no host: 'https://'"),
    ("A,https://a.gov.cn:99999/,portal,,,,,", "line 2: bad url 'https://a.gov.cn:99999/': Port out of range 0-65535"),
    ("A,https://a.gov.cn/,portal,,town,,,", "line 2: unknown level 'town' (expected one of ministry, province, city, county, other)"),
    ("A,https://a.gov.cn/,portal,,,,3301,", "line 2: region must be a 6-digit code, got '3301'"),
    ('A,https://a.gov.cn/,portal,,,,,"[1, 2]"', "line 2: hints must be a mapping (JSON object or YAML mapping)"),
    ('A,https://a.gov.cn/,portal,,,,,"{""max_pages"": -1}"', "line 2: hint max_pages must be a non-negative whole number"),
    ("A,https://a.gov.cn/,portal,,,,,,extra", "line 2: more values than header columns"),
])
def test_each_bad_row_is_refused_with_line_and_reason(tmp_path, row, reason):
    path = write(tmp_path, "bad.csv", "name,url,kind,unit,level,group,region,hints\n" + row + "\n")
    with pytest.raises(RegistryError) as info:
        parse(path)
    assert str(info.value) == f"{path}: 1 bad row(s), nothing imported: {reason}"


def test_bad_row_among_good_imports_nothing(tmp_path, db_url):
    path = write(tmp_path, "mixed.csv", GOOD_CSV + "坏行,https://bad.gov.cn/,portal,,,,12,\n"
                 + "重复,https://www.example.gov.cn/,portal,,,,,\n")
    engine = get_engine(db_url)
    with Session(engine) as session, session.begin():
        with pytest.raises(RegistryError) as info:
            import_file(session, path)
    assert info.value.problems == [(4, "region must be a 6-digit code, got '12'"),
                                   (5, "url https://www.example.gov.cn/ already on line 2")]
    with Session(engine) as session:
        assert session.scalars(select(m.Site)).all() == []


def test_yaml_errors(tmp_path):
    with pytest.raises(RegistryError) as info:
        parse(write(tmp_path, "x.yaml", "sites:\n  - name: a\n    url: [unclosed\n"))
    assert str(info.value).startswith(f"{tmp_path / 'x.yaml'}: 1 bad row(s), nothing imported: line 4: not valid YAML")
    with pytest.raises(RegistryError) as info:
        parse(write(tmp_path, "y.yaml", "sites:\n  - name: a\n    url: http://a.gov.cn/\n    kind: portal\n    colour: red\n"))
    assert info.value.problems == [(2, "unknown field(s): colour")]
    with pytest.raises(RegistryError) as info:
        parse(tmp_path / "missing.csv")
    assert str(info.value) == f"file not found: {tmp_path / 'missing.csv'}"     # the issue #19 wording, no "line 0"
    with pytest.raises(RegistryError) as info:
        parse(write(tmp_path, "z.txt", "x"))
    assert info.value.problems == [(1, "registry must be .csv, .yaml, .yml or .jsonl")]
    with pytest.raises(RegistryError) as info:
        parse(write(tmp_path, "h.csv", "title,link\nA,B\n"))
    assert info.value.problems == [(1, "CSV header lacks column(s): name, url, kind")]


def test_reimport_upserts_by_url(tmp_path, db_url):
    engine = get_engine(db_url)
    with Session(engine) as session, session.begin():
        assert import_file(session, write(tmp_path, "a.csv", GOOD_CSV)) == (2, 0)
    changed = GOOD_CSV.replace("某某市数据开放平台", "某某市公共数据开放平台").replace(",city,地级市,330100,\n", ",city,省会城市,330100,\n")
    with Session(engine) as session, session.begin():
        assert import_file(session, write(tmp_path, "b.csv", changed)) == (0, 2)
    with Session(engine) as session:
        sites = session.execute(select(m.Site.name, m.Site.group, m.Unit.name).join(m.Unit).order_by(m.Site.id)).all()
        assert sites == [("某某市人民政府", "地级市", "某某市人民政府"), ("某某市公共数据开放平台", "省会城市", "某某市人民政府")]
        assert session.scalar(select(m.Unit.name)) == "某某市人民政府"
        assert len(session.scalars(select(m.Unit)).all()) == 1
