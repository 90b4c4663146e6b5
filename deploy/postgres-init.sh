#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d): a role and a
# database of its own for the application and for Temporal, so that neither can read or change the
# other's data and neither is the superuser. The passwords come from docker-compose.yml.
set -eu
: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="$APP_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
create role polluter_pays login password :'app_password';
create database polluter_pays owner polluter_pays;
revoke all on database polluter_pays from public;

create role temporal login password :'temporal_password';
create database temporal owner temporal;
create database temporal_visibility owner temporal;
revoke all on database temporal from public;
revoke all on database temporal_visibility from public;
SQL
