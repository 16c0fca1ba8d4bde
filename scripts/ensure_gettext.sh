#!/usr/bin/env bash
# The translation tests extract every string with Django's makemessages, which needs GNU gettext.
set -euo pipefail
if command -v msgmerge >/dev/null && command -v xgettext >/dev/null; then exit 0; fi
echo "Installing gettext with apt-get for the translation checks"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq gettext >/dev/null
