#!/usr/bin/env bash
# System packages the tests use, from Debian (never downloaded by npm):
#   chromium     the browser tests drive it through playwright-core (/usr/bin/chromium)
#   postgresql   test/convert-postgres.test.ts starts a throwaway cluster from /usr/lib/postgresql/*/bin
#                (TIDELINE_TEST_PG=<psql connection> uses an existing server; TIDELINE_SKIP_PG=1 skips those tests)
#   nats-server  test/stream.test.ts starts a JetStream server (/usr/sbin/nats-server) on a free loopback port
# Installs what is missing with apt-get when run as root; otherwise says what to install. Run by `npm test` (pretest).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ -z "${TIDELINE_TEST_PG:-}" ] && [ "${TIDELINE_SKIP_PG:-}" != 1 ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "pretest: installing Debian's ${missing[*]} for the tests (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "pretest: the tests need ${missing[*]}: run 'sudo apt-get install ${missing[*]}' (Debian/Ubuntu)" >&2
exit 1
