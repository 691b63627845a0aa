#!/usr/bin/env bash
# Install everything govaudit needs on a fresh Debian 12 machine (as root):
# Debian's headless Chromium and CJK fonts, then the Python packages in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v /usr/lib/chromium/chromium-headless-shell >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell fonts-noto-cjk wget >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test,bench]"
