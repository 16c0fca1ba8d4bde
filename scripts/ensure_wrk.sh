#!/usr/bin/env bash
# bench/api_load.py drives the servers with wrk (Debian's package): install it where missing.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "wrk is not installed: installing it with apt-get"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq wrk >/dev/null
