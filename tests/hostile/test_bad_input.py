"""Bad input: one line naming the place and the reason, exit code 2, no
traceback, nothing half-written."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, cwd, env_extra=None):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")}
    env = {**inherited, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "govaudit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def one_line_error(res) -> str:
    assert res.returncode == 2, (res.returncode, res.stdout[-500:], res.stderr[-1500:])
    assert "Traceback" not in res.stderr + res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def count(workdir: Path, table: str) -> int:
    db = workdir / "govaudit.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


GOOD = "name,url,kind\n好站,https://good.example.gov.cn/,portal\n"


@pytest.mark.parametrize("name,content,expected", [
    ("unclosed.csv", 'name,url,kind\n"某某市,https://a.gov.cn/,portal\n',
     "error: unclosed.csv: 1 bad row(s), nothing imported: line 2: "),
    ("extra.csv", "name,url,kind\nA,https://a.gov.cn/,portal,surplus\n",
     "error: extra.csv: 1 bad row(s), nothing imported: line 2: more values than header columns"),
    ("noheader.csv", "https://a.gov.cn/,portal\n", "error: noheader.csv: "),
    ("badurl.csv", "name,url,kind\nA,htp://a.gov.cn/,portal\nB,http://,portal\nC,http://a b.gov.cn/,portal\n"
                   "D,javascript:alert(1),portal\nE,http://a.gov.cn:99999/,portal\n",
     "error: badurl.csv: 5 bad row(s), nothing imported: line 2: url must be http or https: 'htp://a.gov.cn/'; "
     "line 3: url has no host: 'http://'; line 4: url contains white space: 'http://a b.gov.cn/'; "
     "line 5: url must be http or https: 'javascript:alert(1)'; line 6: bad url 'http://a.gov.cn:99999/': "
     "Port out of range 0-65535"),
    ("kinds.yaml", "sites:\n  - {name: A, url: 'https://a.gov.cn/', kind: castle}\n",
     "error: kinds.yaml: 1 bad row(s), nothing imported: line 2: unknown kind 'castle' "
     "(expected one of portal, open_data, hotline)"),
    ("syntax.yaml", "sites:\n  - {name: A, url: 'https://a.gov.cn/', kind: portal\n  - name: [\n",
     "error: syntax.yaml: "),
    ("scalar.yaml", "just a string\n", "error: scalar.yaml: "),
    ("hints.csv", 'name,url,kind,hints\nA,https://a.gov.cn/,portal,"{""max_pages"": -3}"\n',
     "error: hints.csv: 1 bad row(s), nothing imported: line 2: hint max_pages must be a non-negative whole number"),
    ("binary.csv", "\x00\x01\x02\xff garbage\x00\n", "error: binary.csv: "),
    ("empty.csv", "", "error: empty.csv: "),
])
def test_bad_registry(tmp_path, name, content, expected):
    (tmp_path / name).write_bytes(content.encode("utf-8", errors="surrogateescape"))
    line = one_line_error(cli("sites", "import", name, cwd=tmp_path))
    assert line.startswith(expected), line
    assert count(tmp_path, "sites") == 0


def test_bad_registry_after_good_one_changes_nothing(tmp_path):
    (tmp_path / "ok.csv").write_text(GOOD, encoding="utf-8")
    assert cli("sites", "import", "ok.csv", cwd=tmp_path).returncode == 0
    (tmp_path / "half.csv").write_text("name,url,kind\n新站,https://new.example.gov.cn/,portal\n坏站,ftp://x/,portal\n",
                                       encoding="utf-8")
    one_line_error(cli("sites", "import", "half.csv", cwd=tmp_path))
    assert count(tmp_path, "sites") == 1


def test_missing_file(tmp_path):
    assert one_line_error(cli("sites", "import", "nope.csv", cwd=tmp_path)) == \
        "error: file not found: nope.csv"


def test_bad_run_arguments_write_no_run(tmp_path):
    (tmp_path / "ok.csv").write_text(GOOD, encoding="utf-8")
    assert cli("sites", "import", "ok.csv", cwd=tmp_path).returncode == 0
    assert one_line_error(cli("run", "--only", "nosuch.*", cwd=tmp_path)) == \
        "error: unknown check: no check matches 'nosuch.*'"
    assert one_line_error(cli("run", "--site", "https://unknown.example.gov.cn/", cwd=tmp_path)) == \
        "error: no site 'https://unknown.example.gov.cn/' in the registry (import it with `govaudit sites import`)"
    assert one_line_error(cli("run", "--resume", "999", cwd=tmp_path)) == "error: no run 999 to resume"
    (tmp_path / "bad.csv").write_text("name,url,kind\nA,https://b.gov.cn/,castle\n", encoding="utf-8")
    one_line_error(cli("run", "--sites", "bad.csv", cwd=tmp_path))
    assert count(tmp_path, "runs") == 0 and count(tmp_path, "sites") == 1


def test_unknown_check_id_on_rerun(tmp_path):
    (tmp_path / "ok.csv").write_text(GOOD, encoding="utf-8")
    assert cli("sites", "import", "ok.csv", cwd=tmp_path).returncode == 0
    line = one_line_error(cli("check", "https://good.example.gov.cn/", "nosuch.check", "--stored", cwd=tmp_path))
    assert "nosuch.check" in line
    assert count(tmp_path, "runs") == 0


@pytest.mark.parametrize("url,expected", [
    ("postgresql+psycopg://u:hunter2@127.0.0.1:1/x", "error: database postgresql+psycopg://u:***@127.0.0.1:1/x does not answer: "),
    ("sqlite:////nonexistent-dir/sub/x.db", "error: database sqlite:////nonexistent-dir/sub/x.db does not answer: "),
    ("notadb://whatever", "error: "),
    ("postgresql+nosuchdriver://u:hunter2@127.0.0.1/x", "error: "),
])
def test_database_that_does_not_answer(tmp_path, url, expected):
    for args in (["sites", "list"], ["run"]):
        line = one_line_error(cli(*args, cwd=tmp_path, env_extra={"GOVAUDIT_DATABASE_URL": url}))
        assert line.startswith(expected), line
        assert "hunter2" not in line


def test_bad_options(tmp_path):
    assert one_line_error(cli("export", "findings", "--format", "xml", cwd=tmp_path)) == \
        "error: unknown format 'xml' (jsonl or csv)"
    assert one_line_error(cli("export", "secrets", cwd=tmp_path)).startswith("error: unknown export 'secrets'")
    res = cli("run", "--resume", "notanumber", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_bad_settings(tmp_path):
    line = one_line_error(cli("sites", "list", cwd=tmp_path, env_extra={"GOVAUDIT_TIMEOUT": "soon"}))
    assert line == "error: setting GOVAUDIT_TIMEOUT: expected a number, got 'soon'"
    (tmp_path / "govaudit.toml").write_text("max_pages = [unclosed\n", encoding="utf-8")
    line = one_line_error(cli("sites", "list", cwd=tmp_path))
    assert line.startswith("error: govaudit.toml: ")


FRAMEWORK = """name: tiny
version: "1"
method: weighted
root: [top]
indicators:
  top: {title: 总分, weight: 1, children: [a]}
  a: {title: 首页, check: avail.homepage}
"""


@pytest.mark.parametrize("body,reason", [
    (FRAMEWORK + "  b: {title: 甲, weight: 1, children: [c]}\n  c: {title: 乙, weight: 1, children: [b]}\n",
     "cycle in indicators: b -> c -> b"),
    (FRAMEWORK.replace("avail.homepage", "avail.nosuch"), "indicator a: unknown check id 'avail.nosuch'"),
    (FRAMEWORK.replace("children: [a]", "children: [a, ghost]"), "indicator top: unknown child 'ghost'"),
    ("name: tiny\nroot: [\n", "line 3: not valid YAML"),
])
def test_bad_framework_file(tmp_path, body, reason):
    from reports.frameworks import FrameworkError, load_file
    path = tmp_path / "tiny.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(FrameworkError) as err:
        load_file(path)
    assert str(err.value).startswith(f"{path}: {reason}")
    assert "\n" not in str(err.value)
