#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through playwright-core (never a downloaded browser). Installs it on a
# fresh Debian machine when run as root; otherwise says what to install. Run by `npm test` (pretest).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "pretest: installing Debian's chromium for the browser tests (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "pretest: the browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu)" >&2
exit 1
