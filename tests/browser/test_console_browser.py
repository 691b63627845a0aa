"""The console end to end in real Chromium: `govaudit serve` on a free port over a fresh database,
the demo farm's registry imported from the Sites page, a round started on a group of demo sites
and watched until it finishes, a finding's evidence and the archived page opened, a check rerun,
a check across sites exported; then a dispute opened by an evaluator, rerun from stored evidence and
decided by an auditor, its thread shown in the finding's history."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_report_browser import OUT, chromium_page

pytestmark = pytest.mark.browser
PASSWORD = "console e2e password"
ROUND_TIMEOUT_MS = 900_000        # a round of three demo sites on a busy two-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError(f"govaudit serve ended with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("govaudit serve did not answer")


@pytest.fixture
def console(tmp_path):
    """`govaudit serve` with the demo farm reachable (its ports allowed, its CA trusted), an admin user."""
    from govaudit.demo.server import DemoFarm
    farm = DemoFarm()
    farm.start()
    env = dict(os.environ, GOVAUDIT_DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
               GOVAUDIT_DATA_DIR=str(tmp_path / "data"), GOVAUDIT_ALLOW_HOSTS=",".join(farm.allow_hosts()))
    env.pop("GOVAUDIT_ALLOW_PRIVATE", None)
    bundle = farm.trust_bundle(tmp_path / "demo-ca.pem", os.environ.get("GOVAUDIT_CA_BUNDLE", ""))
    if bundle:
        env["GOVAUDIT_CA_BUNDLE"] = bundle
    govaudit = [sys.executable, "-m", "govaudit"]
    for name, role in (("lead", "admin"), ("评估员甲", "evaluator"), ("复核员乙", "auditor")):
        subprocess.run(govaudit + ["users", "add", name, "--role", role, "--password-stdin"], input=PASSWORD + "\n",
                       text=True, env=env, cwd=tmp_path, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(govaudit + ["serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/login", server)
        yield f"http://127.0.0.1:{port}", farm.write_registry(tmp_path / "demo-sites.yaml"), tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)
        farm.stop()


def _log_in(page, base: str, name: str) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button")


def _log_in_as(page, base: str, name: str) -> None:
    """Log out whoever is logged in, then log in as `name`."""
    page.click("header form.logout button")
    page.goto(base + "/login")
    _log_in(page, base, name)


def test_a_round_from_the_console_in_chromium(console):
    base, registry, tmp_path = console
    with chromium_page() as (page, errors):
        page.goto(base + "/rounds")
        assert page.url.startswith(base + "/login?next=")
        _log_in(page, base, "lead")
        assert page.url == base + "/rounds"

        # the registry, imported from the Sites page
        page.goto(base + "/sites")
        page.set_input_files("input[name=registry]", str(registry))
        page.click("form[action='/sites/import'] button")
        assert page.locator("table.sites tr td:nth-child(2) a").count() == 11

        # a round on one group, watched until it finishes (htmx polls the progress box)
        page.goto(base + "/rounds")
        page.check("input[name=scope][value=group]")
        page.select_option("select[name=group]", "地级市")
        page.fill("#start-round input[name=why]", "端到端测试")
        page.click("#start-round button")
        assert page.url.rsplit("/", 1)[1].isdigit()
        assert page.locator("#progress").get_attribute("data-status") == "running"
        page.wait_for_selector("#progress[data-status=finished]", timeout=ROUND_TIMEOUT_MS)
        assert page.locator("#progress .done").inner_text() == "3"
        page.screenshot(path=str(OUT / "console-round.png"), full_page=True)

        # a site's findings, one finding's evidence and the archived page
        page.goto(base + "/sites?group=地级市&kind=portal")
        page.click("table.sites td:nth-child(2) a")
        assert page.locator("details.finding").count() > 40
        archived = page.locator("details.finding[open] a[href^='/archive/']").first
        archived.click()
        frame_element = page.wait_for_selector("iframe.archive")
        assert frame_element.get_attribute("sandbox") == ""
        frame = frame_element.content_frame()
        frame.wait_for_load_state()
        assert frame.locator("body").inner_text().strip() != ""
        # the archived page's own scripts never ran against the console
        assert page.title().startswith("存档")
        page.screenshot(path=str(OUT / "console-archive.png"), full_page=True)

        # rerun one check from stored evidence: the new finding supersedes the old one
        page.goto(base + "/sites?group=地级市&kind=portal")
        page.click("table.sites td:nth-child(2) a")
        finding = page.locator("#f-update\\.homepage")
        if finding.get_attribute("open") is None:
            finding.locator("summary").click()
        old_id = page.locator("#f-update\\.homepage a[href^='/findings/']").first.get_attribute("href").rsplit("/", 1)[1]
        rerun = page.locator("#f-update\\.homepage form.rerun")
        rerun.locator("select[name=mode]").select_option("stored")
        rerun.locator("input[name=why]").fill("复核")
        rerun.locator("button").click()
        new_id = page.url.rsplit("/", 1)[1]
        assert new_id != old_id
        history = page.locator("table.history tr td:first-child").all_inner_texts()
        assert history[:2] == [f"#{new_id}", f"#{old_id}"]

        # a check across sites, exported
        page.goto(base + "/checks/avail.homepage")
        assert page.locator("table.check-sites tr td:first-child a").count() == 3
        with page.expect_download() as download:
            page.click("a.export-csv")
        exported = Path(download.value.path()).read_bytes()
        assert exported.startswith("\ufeffrun_id,site_id,site_url,".encode())
        assert len(exported.decode("utf-8-sig").strip().splitlines()) == 4

        # a dispute: the evaluator says a failed check is fixed now (已整改) ...
        _log_in_as(page, base, "评估员甲")
        page.goto(base + "/sites?group=地级市&kind=portal")
        page.click("table.sites td:nth-child(2) a")
        failed = page.locator("details.finding.status-fail a[href^='/findings/']").first.get_attribute("href")
        page.goto(base + failed)
        page.click(f"a[href='/disputes/new?finding={failed.rsplit('/', 1)[1]}']")
        page.check("input[name=reason][value=rectified]")
        page.fill("textarea[name=text]", "已于今日整改")
        page.click("form[action='/disputes'] button")
        dispute_url = page.url
        assert dispute_url.rsplit("/", 1)[1].isdigit()
        assert page.locator("h1 small").inner_text() == "待处理"
        # ... the auditor reruns from stored evidence, sees old and new side by side, and decides
        _log_in_as(page, base, "复核员乙")
        page.goto(dispute_url)
        page.click("button[name=stored][value=true]")
        assert page.locator(".side-by-side section").count() == 2
        assert page.locator(".side-by-side section").nth(1).inner_text() != "复核结果\n尚未复核。"
        page.check("input[name=outcome][value=rejected]")
        page.fill("textarea[name=note]", "复核结果与原结论一致")
        page.click("form[action$='/decide'] button")
        assert page.locator("h1 small").inner_text() == "异议不成立"
        thread = page.locator("ol.thread li").all_inner_texts()
        assert [t.split("·")[1].split("：")[0].strip() for t in thread] == ["提出", "复核", "决定"]
        assert thread[0].startswith("评估员甲") and thread[2].startswith("复核员乙")
        assert "按已存证据复核：结果 不通过" in thread[1]
        assert "异议不成立：复核结果与原结论一致" in thread[2]
        # the finding's history shows the thread
        page.goto(base + failed)
        assert "异议不成立" in page.locator("h3", has_text="争议").first.inner_text()
        page.screenshot(path=str(OUT / "console-dispute.png"), full_page=True)
    # the only console errors: the archived page's own images and scripts, blocked by the frame's CSP
    # (img-src data:, default-src 'none'); never a violation of the console pages' own policy
    blocked = [e for e in errors if "violates the following Content Security Policy directive" in e
               and ('directive: "img-src data:"' in e or "directive: \"default-src 'none'\"" in e)]
    assert blocked and [e for e in errors if e not in blocked] == [], errors
