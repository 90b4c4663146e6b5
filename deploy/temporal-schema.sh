#!/bin/sh
# One-shot job in the temporalio/admin-tools image (docker-compose.yml, service temporal-schema):
# Temporal's schema in the databases deploy/postgres-init.sh made, created on the first run and
# brought to this version's schema on every later one (after an image upgrade, before the server).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
export SQL_PASSWORD="$POSTGRES_PWD"
schemas=/etc/temporal/schema/postgresql/v12

for target in temporal:temporal visibility:temporal_visibility; do
  kind="${target%%:*}"
  database="${target#*:}"
  set -- --plugin postgres12 --endpoint "$POSTGRES_SEEDS" --port "${DB_PORT:-5432}" --user "$POSTGRES_USER" --db "$database"
  # The base (version 0.0) once: on a later run it exists already, and update-schema below says
  # whether the database is really there.
  temporal-sql-tool "$@" setup-schema -v 0.0 || echo "$database: base schema present"
  temporal-sql-tool "$@" update-schema -d "$schemas/$kind/versioned"
  echo "$database: schema up to date"
done
