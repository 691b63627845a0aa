"""`run --status` tells a running round from one whose process died (kill -9), and says how
to finish it; sites/hour counts the run's own wall time."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from tests.helpers import cli


def silent_server():
    """A homepage that accepts connections and never answers: the round stays busy on it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(srv.accept()[0])
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    return srv, held


def status_lines(work) -> dict[str, str]:
    res = cli("run", "--status", "1", cwd=work)
    assert res.returncode == 0, res.stderr
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in res.stdout.splitlines() if "│" in line]
    table = {r[0]: r[1] for r in rows if len(r) == 2}
    table["last line"] = res.stdout.strip().splitlines()[-1]
    return table


def test_dead_run_is_reported_with_how_to_resume(tmp_path):
    srv, held = silent_server()
    host = f"127.0.0.1:{srv.getsockname()[1]}"
    try:
        (tmp_path / "sites.csv").write_text(f"name,url,kind\n静默站,http://{host}/,portal\n", encoding="utf-8")
        assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_") and k != "PYTHONPATH"}
        proc = subprocess.Popen([sys.executable, "-m", "govaudit", "--allow-host", host, "run", "--only",
                                 "avail.homepage"], cwd=tmp_path, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not held and time.monotonic() < deadline:    # the crawl is waiting on the homepage
                time.sleep(0.2)
            assert held
            running = status_lines(tmp_path)
            assert running["status"] == "running"
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        dead = status_lines(tmp_path)
    finally:
        srv.close()
        for conn in held:
            conn.close()
    assert (dead["status"], dead["sites done"], dead["pending"], dead["sites/hour"]) == ("dead", "0 / 1", "1", "0.0")
    assert dead["last line"] == (f"the process running it (pid {proc.pid} on {socket.gethostname()}) has ended; "
                                 "finish with `govaudit run --resume 1`")
    # the dead run's own wall time ends at its last activity, not now: read again, it has not grown
    assert int(dead["elapsed"].removesuffix(" s")) == int(status_lines(tmp_path)["elapsed"].removesuffix(" s"))
