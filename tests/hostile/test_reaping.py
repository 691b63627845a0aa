"""Processes are reaped (issue 18): every process `govaudit run` starts — the crawl and its
storage process, the Playwright driver, every Chromium process — is gone when the run
returns, and when the run is stopped by SIGTERM or SIGINT in the middle of the crawl or of
the browser probes. The run's process tree is sampled from /proc while it works. Stopped in
the crawl, the crawl waits on a site that stays silent for a minute: it goes with the run,
not when it is done (SIGTERM leaves the run no time to stop it: it dies with its parent)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.farm import HostileFarm

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _descendants(root: int) -> dict[int, str]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            comm = _comm(pid)             # once: the process may be gone by a second look
            if pid not in found and comm:
                found[pid] = comm
                todo.append(pid)
    return found


def _comm(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/comm") as fh:
            return fh.read().strip()
    except OSError:
        return None


def _running(pid: int, comm: str) -> bool:
    """Still there as the same program (not a zombie, not a recycled pid)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and _comm(pid) == comm


def _is_browser(comm: str) -> bool:
    return comm.startswith("chrom")


@pytest.mark.parametrize("sig,stage", [(None, None), (signal.SIGTERM, "browser"), (signal.SIGINT, "crawl"),
                                       (signal.SIGTERM, "crawl")])
def test_no_process_left_behind(tmp_path, sig, stage):
    # silent: the crawl waits out its timeout there (a crawl stage to stop); js-loop: a renderer that never yields
    with HostileFarm(only=["control", "js-loop", "silent"]) as farm:
        registry = farm.write_registry(tmp_path / "sites.yaml")
        env = {**os.environ, "GOVAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
               "GOVAUDIT_DATA_DIR": str(tmp_path / "data"), "GOVAUDIT_TIMEOUT": "60" if stage == "crawl" else "3",
               "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts())}
        env.pop("GOVAUDIT_ALLOW_PRIVATE", None)
        proc = subprocess.Popen([sys.executable, "-m", "govaudit", "run", "--sites", str(registry)], cwd=tmp_path,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen: dict[int, str] = {}
        signalled = False
        while proc.poll() is None:
            seen.update(_descendants(proc.pid))
            in_stage = any(_is_browser(c) for c in seen.values()) if stage == "browser" else \
                any(c.startswith("python") for c in seen.values())
            if sig is not None and not signalled and in_stage:
                proc.send_signal(sig)
                signalled = True
            time.sleep(0.05)
        out, err = proc.communicate()
        # with the farm still up: a crawl left behind would still be waiting on `silent`
        deadline = time.monotonic() + 30          # a dying process may take a moment to be reaped by init
        left = {pid: comm for pid, comm in seen.items() if _running(pid, comm)}
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = {pid: comm for pid, comm in left.items() if _running(pid, comm)}
        for pid in left:                          # do not leave them to the next test either
            os.kill(pid, signal.SIGKILL)
    assert "Traceback" not in err.decode() + out.decode()     # tracebacks go to the run's logs
    if sig is None:
        assert proc.returncode == 0, err.decode()[-2000:]
        assert any(_is_browser(c) for c in seen.values()) and "node" in " ".join(seen.values())
        assert (tmp_path / "data" / "runs" / "1" / "probes.log").is_file()
    else:
        assert signalled and proc.returncode in (-sig, 128 + sig), err.decode()[-2000:]
    assert left == {}
