#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
# Roles are kept apart as in development (nastavnik/platform/embedded_db.py):
#   nastavnik_owner  owns the schema and runs migrations (MIGRATION_DATABASE_URL)
#   nastavnik_app    what the app connects as: not owner, not superuser, so RLS applies
#   keycloak         owns Keycloak's own database
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$NASTAVNIK_OWNER_DB_PASSWORD" \
    -v app_password="$NASTAVNIK_APP_DB_PASSWORD" \
    -v keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE nastavnik_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE nastavnik_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'app_password';
CREATE DATABASE nastavnik OWNER nastavnik_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE nastavnik FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE nastavnik TO nastavnik_app;

CREATE ROLE keycloak LOGIN NOSUPERUSER PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE keycloak FROM PUBLIC;
SQL
