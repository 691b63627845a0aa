"""A child process that must not outlive the process that started it (Linux: PR_SET_PDEATHSIG).

A run's crawl, the crawl's storage process and a worker's forked crawl would otherwise go on
crawling and writing after their parent was killed, while `--resume` crawls the same sites again."""
from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Have the kernel SIGKILL this process when its parent dies. `parent`, the pid expected as
    the parent: False when it is gone already (it died before the request took effect)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass        # not Linux: a killed parent leaves this process to finish its work
    return parent is None or os.getppid() == parent
