"""Hostile and careless registries: every problem of every row in one pass, one line, bounded
memory, the same answer on SQLite and PostgreSQL; names shown as text in the terminal."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit.registry import RegistryError, parse, upsert
from storage import models as m
from storage.db import get_engine
from tests.helpers import cli

HEADER = "name,url,kind,unit,level,group,region,hints\n"


def refused(path) -> str:
    with pytest.raises(RegistryError) as info:
        parse(path)
    return str(info.value).removeprefix(f"{path}: ")


def test_every_problem_of_a_row_at_once(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + 'A,ftp://a.gov.cn/,castle,,town,,33,"{""max_pages"": ""x"", ""search_url"": 5}"\n',
                    encoding="utf-8")
    assert refused(path) == (
        "1 bad row(s), nothing imported: line 2: unknown kind 'castle' (expected one of portal, open_data, hotline); "
        "line 2: unknown level 'town' (expected one of ministry, province, city, county, other); "
        "line 2: region must be a 6-digit code, got '33'; line 2: url must be http or https: 'ftp://a.gov.cn/'; "
        "line 2: hint max_pages must be a non-negative whole number; line 2: hint search_url must be a URL")


@pytest.mark.parametrize("cell,reason", [
    ("{max_pages: 5", "hints are neither a JSON object nor a YAML mapping (not valid YAML: "
                      "expected ',' or '}', but got '<stream end>')"),
    ("[1,2", "hints are neither a JSON object nor a YAML mapping (not valid YAML: "
             "expected ',' or ']', but got '<stream end>')"),
    ("{obey_robots: 'no'}", "hint obey_robots must be true or false"),
    ("{messages_url: [1]}", "hint messages_url must be a URL or a list of URLs"),
    ("{allowed_domains: a.gov.cn}", "hint allowed_domains must be a list of texts"),
    ("{search_url: 'javascript:alert(1)'}", "hint search_url: url must be http or https: 'javascript:alert(1)'"),
])
def test_malformed_or_mistyped_hints_are_row_errors(tmp_path, cell, reason):
    csv_path = tmp_path / "h.csv"
    csv_path.write_text(HEADER + f'A,https://a.gov.cn/,portal,,,,,"{cell}"\n', encoding="utf-8")
    assert refused(csv_path) == f"1 bad row(s), nothing imported: line 2: {reason}"
    yaml_path = tmp_path / "h.yaml"
    quoted = cell.replace("'", "''")
    yaml_path.write_text(f"- {{name: A, url: 'https://a.gov.cn/', kind: portal, hints: '{quoted}'}}\n", encoding="utf-8")
    assert refused(yaml_path) == f"1 bad row(s), nothing imported: line 1: {reason}"


def test_gbk_and_bom_registries_are_read_and_say_so(tmp_path):
    text = HEADER + "某某市人民政府,https://www.example.gov.cn/,portal,,city,地级市,330100,\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "bom.csv").write_bytes(text.replace("某某市", "某某县").replace("www.", "xx.").encode("utf-8-sig"))
    rows = parse(tmp_path / "gbk.csv")
    assert (rows.encoding, [(r.name, r.group) for r in rows]) == ("gb18030", [("某某市人民政府", "地级市")])
    assert parse(tmp_path / "bom.csv").encoding == "utf-8"
    res = cli("sites", "import", "gbk.csv", cwd=tmp_path)
    assert (res.returncode, res.stdout.strip()) == (0, "imported gbk.csv (read as GB18030): 1 added, 0 updated")
    res = cli("sites", "import", "bom.csv", cwd=tmp_path)
    assert (res.returncode, res.stdout.strip()) == (0, "imported bom.csv: 1 added, 0 updated")


def test_oversized_and_explosive_files_are_refused_in_one_line(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "A," + "x" * (129 * 1024) + ",portal\n", encoding="utf-8")
    assert refused(big) == "1 bad row(s), nothing imported: line 2: a field longer than 128 KiB"
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert refused(deep) == "1 bad row(s), nothing imported: line 1: nested deeper than 20 levels"
    laughs = tmp_path / "laughs.yaml"          # 402 bytes that expand to a billion strings
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    laughs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(laughs) == "1 bad row(s), nothing imported: line 2: YAML aliases (*name) are not accepted"
    res = cli("sites", "import", "laughs.yaml", cwd=tmp_path)
    assert (res.returncode, res.stderr.strip()) == (
        2, "error: laughs.yaml: 1 bad row(s), nothing imported: line 2: YAML aliases (*name) are not accepted")


def test_nine_spellings_of_one_url_are_one_site(tmp_path):
    spellings = ["https://www.example.gov.cn/", "HTTPS://WWW.EXAMPLE.GOV.CN/", "https://www.example.gov.cn:443/",
                 "https://www.example.gov.cn./", "https://www.example.gov.cn/index.html", "https://www.example.gov.cn/#top",
                 "https://www.example.gov.cn", "https://Www.Example.Gov.Cn/index.htm", "https://www.example.gov.cn/%7E/../"]
    path = tmp_path / "nine.csv"
    path.write_text(HEADER + "".join(f"站{i},{u},portal,,,,,\n" for i, u in enumerate(spellings[:8])), encoding="utf-8")
    assert refused(path) == "7 bad row(s), nothing imported: " + "; ".join(
        f"line {n}: url {u} already on line 2" for n, u in zip(range(3, 10), [
            "https://www.example.gov.cn/", "https://www.example.gov.cn/", "https://www.example.gov.cn/",
            "https://www.example.gov.cn/index.html", "https://www.example.gov.cn/", "https://www.example.gov.cn/",
            "https://www.example.gov.cn/index.htm"]))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'r.db'}"
    return request.getfixturevalue("pg_url")


def test_lengths_and_characters_are_checked_at_import_on_both_backends(tmp_path, store):
    ok = tmp_path / "ok.csv"
    url = "https://www.example.gov.cn/" + "a" * (2000 - 27)
    ok.write_text(HEADER + f"{'名' * 300},{url},portal,{'单' * 200},,{'组' * 100},,\n", encoding="utf-8")
    with Session(get_engine(store)) as session, session.begin():
        assert upsert(session, parse(ok)) == (1, 0)
    with Session(get_engine(store)) as session:
        site = session.scalar(select(m.Site).where(m.Site.url == url))
        assert (len(site.name), len(site.group)) == (300, 100)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{'名' * 301},{url}b,portal,{'单' * 201},,{'组' * 101},,\n"
                   + "甲\x00乙,https://b.gov.cn/,portal,,,,,\n"
                   + f"{'名' * 201},https://c.gov.cn/,portal,,,,,\n", encoding="utf-8")
    assert refused(bad) == (
        "3 bad row(s), nothing imported: line 2: name longer than 300 characters; "
        "line 2: url longer than 2000 characters; line 2: unit longer than 200 characters; "
        "line 2: group longer than 100 characters; line 3: name contains control characters (NUL, escape…); "
        "line 4: name longer than 200 characters and no unit given (the unit is the name)")


def test_names_with_markup_and_escapes_are_shown_as_text(tmp_path):
    (tmp_path / "s.yaml").write_text(
        "- {name: '[/]', url: 'https://a.gov.cn/', kind: portal}\n"
        "- {name: '[link=https://evil.example/]点我[/link] [bold]', url: 'https://b.gov.cn/', kind: portal}\n",
        encoding="utf-8")
    assert cli("sites", "import", "s.yaml", cwd=tmp_path).returncode == 0
    res = cli("sites", "list", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "│ [/] " in res.stdout and "│ [link=https://evil.example/]点我[/link] [bold] " in res.stdout
    res = cli("findings", "2", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0].strip() == "[link=https://evil.example/]点我[/link] [bold] https://b.gov.cn/"


def test_escape_sequences_already_stored_are_shown_inert(tmp_path):
    from govaudit.commands.app import make_console
    console = make_console()
    with console.capture() as captured:
        console.print("某某\x1b[2J\x1b]8;;https://evil.example/\x07市")
    assert captured.get() == "某某\\x1b[2J\\x1b]8;;https://evil.example/\\x07市\n"


def test_output_to_a_pipe_is_not_wrapped(tmp_path):
    url = "https://www.example.gov.cn/" + "/".join(["政务公开"] * 12) + "/index.html"
    (tmp_path / "s.csv").write_text(f"name,url,kind\n某某市人民政府办公厅政务公开专栏,{url},portal\n", encoding="utf-8")
    assert cli("sites", "import", "s.csv", cwd=tmp_path).returncode == 0
    res = cli("sites", "list", cwd=tmp_path, env_extra={"COLUMNS": "80"})
    stored = res.stdout.splitlines()[3]
    assert "某某市人民政府办公厅政务公开专栏" in stored and stored.rstrip(" │").endswith("/index.html")
