"""Every command treats bad input the same way: one `error: …` line on stderr, exit code 2,
no traceback, no usage box. Run in-process through `govaudit.cli.main` (the console entry
point) so that 50 cases cost seconds, each in its own folder and environment."""
from __future__ import annotations

import pytest

from tests.helpers import in_process

REGISTRY = "name,url,kind\n某某市人民政府,https://www.example.gov.cn/,portal\n"
FRAMEWORK_DIR_MISSING = "no-such-dir"

# (arguments, extra environment, the error line: exact, or its start when it ends with "…")
CASES = [
    # sites
    (["sites", "import", "missing.csv"], {}, "error: file not found: missing.csv"),
    (["sites", "import", "notes.txt"], {}, "error: notes.txt: 1 bad row(s), nothing imported: line 1: "
                                           "registry must be .csv, .yaml, .yml or .jsonl"),
    (["sites", "import", "."], {}, "error: file not found: ."),
    (["sites", "import", "bad.csv"], {}, "error: bad.csv: 1 bad row(s), nothing imported: line 2: unknown kind "
                                         "'castle' (expected one of portal, open_data, hotline)"),
    (["sites", "import"], {}, "error: Missing argument 'FILE'. (see `govaudit sites import --help`)"),
    (["sites", "list", "--format", "xml"], {}, "error: unknown format 'xml' (table or json)"),
    (["sites", "frobnicate"], {}, "error: No such command 'frobnicate'. (see `govaudit sites --help`)"),
    # checks, db
    (["checks", "list", "--format", "xml"], {}, "error: unknown format 'xml' (table or json)"),
    (["db", "upgrade"], {"GOVAUDIT_DATABASE_URL": "nosuch://x"}, "error: database nosuch://x is not a usable URL: …"),
    # run
    (["run", "--only", "nosuch.*"], {}, "error: unknown check: no check matches 'nosuch.*'"),
    (["run", "--site", "https://unknown.example.gov.cn/"], {},
     "error: no site 'https://unknown.example.gov.cn/' in the registry (import it with `govaudit sites import`)"),
    (["run", "--resume", "999"], {}, "error: no run 999 to resume"),
    (["run", "--resume", "abc"], {}, "error: Invalid value for '--resume': …"),
    (["run", "--status", "999"], {}, "error: no run 999"),
    (["run", "--status", "-1"], {}, "error: no run -1"),
    (["run", "--sites", "missing.csv"], {}, "error: file not found: missing.csv"),
    (["run", "--bogus"], {}, "error: No such option: --bogus (see `govaudit run --help`)"),
    # check
    (["check", "999", "avail.homepage"], {}, "error: no site '999' in the registry (import it with `govaudit "
                                             "sites import`)"),
    (["check", "1", "no.such"], {}, "error: unknown check id 'no.such' (see `govaudit checks list`)"),
    (["check", "1", "opendata.dataset_count"], {}, "error: opendata.dataset_count does not apply to portal sites"),
    (["check", "1", "avail.homepage", "--stored"], {},
     "error: no stored artifacts for https://www.example.gov.cn/: run `govaudit check` without --stored"),
    (["check", "1"], {}, "error: Missing argument 'CHECK_ID'. (see `govaudit check --help`)"),
    # findings
    (["findings", "999"], {}, "error: no site '999' in the registry (import it with `govaudit sites import`)"),
    (["findings", "1", "--check", "no.such"], {}, "error: unknown check id 'no.such' (see `govaudit checks list`)"),
    # export
    (["export", "secrets"], {}, "error: unknown export 'secrets' (one of findings, scores, sites, walls)"),
    (["export", "findings", "--format", "xml"], {}, "error: unknown format 'xml' (jsonl or csv)"),
    (["export", "findings", "--run", "999"], {}, "error: no run 999"),
    (["export", "scores", "--run", "999"], {}, "error: no run 999"),
    (["export", "sites", "--run", "999"], {}, "error: no run 999"),
    (["export", "scores", "--run", "abc"], {}, "error: Invalid value for '--run': …"),
    (["export", "findings"], {}, "error: no run yet: start one with `govaudit run`"),
    (["export", "sites", "--out", "sites.csv/x.csv"], {}, "error: sites.csv/x.csv: cannot write: …"),
    # score, report
    (["score", "--run", "999"], {}, "error: no run 999"),
    (["score", "--framework", "nope"], {}, "error: no framework 'nope' (have: capability, inspection, performance, "
                                           "service_capability)"),
    (["score", "--frameworks-dir", FRAMEWORK_DIR_MISSING], {},
     f"error: {FRAMEWORK_DIR_MISSING}: frameworks directory does not exist"),
    (["report", "--run", "999"], {}, "error: no run 999"),
    (["report", "--run", "abc"], {}, "error: Invalid value for '--run': …"),
    # monitor, schedules, workers
    (["monitor", "--interval", "0"], {}, "error: --interval and --timeout must be positive, --rounds zero or more"),
    (["monitor", "--rounds", "-1"], {}, "error: --interval and --timeout must be positive, --rounds zero or more"),
    (["monitor", "--site", "999", "--rounds", "1"], {}, "error: no site '999' in the registry (import it with "
                                                        "`govaudit sites import`)"),
    (["schedule", "add", "--cron", "every day", "--sites", "all"], {},
     "error: invalid cron expression 'every day' (five fields: minute hour day month weekday, UTC)"),
    (["schedule", "remove", "999"], {}, "error: no schedule 999"),
    (["schedule", "list", "--format", "xml"], {}, "error: unknown format 'xml' (table or json)"),
    (["schedule", "remove", "abc"], {}, "error: Invalid value for 'SCHEDULE_ID': …"),
    (["scheduler", "--interval", "0", "--local"], {}, "error: --interval must be positive"),
    (["worker"], {}, "error: distributed rounds need a shared database server: set GOVAUDIT_DATABASE_URL to "
                     "PostgreSQL"),
    # global options and settings
    (["--allow-host", "bad host:99999", "sites", "list"], {}, "error: --allow-host 'bad host:99999': expected "
                                                              "HOST[:PORT[-PORT]]"),
    (["--allow-host", "a.gov.cn:70000", "sites", "list"], {}, "error: --allow-host 'a.gov.cn:70000': ports run "
                                                              "from 1 to 65535, the first not above the second"),
    (["--allow-host", "[::1", "sites", "list"], {}, "error: --allow-host '[::1': an IPv6 host goes in brackets: "
                                                    "[::1]:8080"),
    (["sites", "list"], {"GOVAUDIT_ALLOW_HOSTS": "a.gov.cn:1-x"},
     "error: allowed host 'a.gov.cn:1-x' (--allow-host / GOVAUDIT_ALLOW_HOSTS): ports are whole numbers: PORT or "
     "PORT-PORT"),
    (["sites", "list"], {"GOVAUDIT_TIMEOUT": "soon"}, "error: setting GOVAUDIT_TIMEOUT: expected a number, got 'soon'"),
    (["frobnicate"], {}, "error: No such command 'frobnicate'. (see `govaudit --help`)"),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("bad-input")
    (work / "sites.csv").write_text(REGISTRY, encoding="utf-8")
    (work / "bad.csv").write_text("name,url,kind\nA,https://a.gov.cn/,castle\n", encoding="utf-8")
    (work / "notes.txt").write_text("hello\n", encoding="utf-8")
    (work / "sites.csv").touch()
    res = in_process("sites", "import", "sites.csv", cwd=work)
    assert res.returncode == 0, res.stderr
    return work


def test_at_least_forty_cases_over_every_command():
    commands = {next(a for a in args if not a.startswith("-") and a not in ("bad host:99999", "a.gov.cn:70000",
                                                                              "[::1"))
                for args, _, _ in CASES}
    assert len(CASES) >= 40
    assert {"sites", "checks", "db", "run", "check", "findings", "export", "score", "report", "monitor", "schedule",
            "scheduler", "worker"} <= commands


@pytest.mark.parametrize("args,env,expected", CASES, ids=[" ".join(c[0]) or "-" for c in CASES])
def test_bad_input_is_one_line_and_exit_2(workdir, args, env, expected):
    res = in_process(*args, cwd=workdir, env_extra=env)
    code, out, err = res.returncode, res.stdout, res.stderr
    assert "Traceback" not in out + err
    assert code == 2, (out[-500:], err[-500:])
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    if expected.endswith("…"):
        assert lines[0].startswith(expected[:-1]), lines[0]
    else:
        assert lines[0] == expected
    assert not (workdir / "sites.csv" / "x.csv").exists()
