#!/usr/bin/env bash
# The page tests drive Debian's chromium; install it when missing and we are root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing Debian's chromium for the page tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "error: the page tests need Debian's chromium (/usr/bin/chromium)." >&2
echo "Install it with 'sudo apt-get install chromium' and run make test again." >&2
exit 1
