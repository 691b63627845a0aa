#!/usr/bin/env bash
# The test suite (the README's test command). Test files are spread over two worker processes
# (pytest-xdist, whole files per worker: a file's module fixtures are built once); most tests wait
# on served sites, browsers and subprocesses, so two workers finish sooner even on two cores.
# GOVAUDIT_TEST_WORKERS=0 runs everything in this process.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n "${GOVAUDIT_TEST_WORKERS:-2}" --dist loadfile "$@"
