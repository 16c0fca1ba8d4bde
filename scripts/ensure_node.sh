#!/usr/bin/env bash
# The console's front-end comes from the npm registry: install Debian's node and npm where missing.
set -euo pipefail
if command -v npm >/dev/null 2>&1; then exit 0; fi
echo "Installing node and npm with apt-get for the console's assets"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
