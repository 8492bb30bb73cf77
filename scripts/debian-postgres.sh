#!/usr/bin/env bash
# A throwaway PostgreSQL cluster from Debian's `postgresql` package (not the embedded wheel),
# for a production-like test run:
#
#   eval "$(scripts/debian-postgres.sh start)"   # prints `export TEST_…=…` lines
#   scripts/debian-postgres.sh stop              # stops the server and deletes the cluster
#
# The server listens on a Unix socket in its own folder only (no TCP port to collide on).
# Roles as in production (deploy/postgres/init-databases.sh, platform/embedded_db.py):
#   postgres         superuser, bootstrap only (TEST_ADMIN_DATABASE_URL)
#   nastavnik_owner  owns the database and schema, runs the migrations
#   nastavnik_app    what the app connects as: not owner, NOSUPERUSER NOBYPASSRLS
#   nastavnik_backup reads everything for pg_dump: NOSUPERUSER BYPASSRLS, pg_read_all_data
# initdb and pg_ctl run as the `postgres` OS user when started as root (PostgreSQL refuses
# to run as root), else as the calling user.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${DEBIAN_PG_DIR:-$PWD/var/debian-postgres}"
port="${DEBIAN_PG_PORT:-5432}"
database="${DEBIAN_PG_DATABASE:-nastavnik}"

bindir="${PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  # The newest server of the `postgresql` package (15 on Debian 12).
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)"
  bindir="/usr/lib/postgresql/$version/bin"
fi
if [ ! -x "$bindir/initdb" ]; then
  echo "debian-postgres: no initdb in $bindir; install Debian's package: apt-get install postgresql" >&2
  exit 1
fi

as_server_user() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

psql_admin() {
  as_server_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres "$@"
}

start() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    echo "debian-postgres: already running in $dir (stop it first)" >&2
    exit 1
  fi
  rm -rf "$dir"
  mkdir -p "$dir/run"
  if [ "$(id -u)" = "0" ]; then
    chown -R postgres:postgres "$dir"
  fi
  as_server_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # fsync off: a throwaway cluster for tests; losing it on a power cut costs nothing.
  as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir/run' -p $port -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  psql_admin -d postgres -v db="$database" <<'SQL'
CREATE ROLE nastavnik_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB;
CREATE ROLE nastavnik_app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE nastavnik_backup LOGIN NOSUPERUSER BYPASSRLS IN ROLE pg_read_all_data;
CREATE DATABASE :"db" OWNER nastavnik_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO nastavnik_app;
GRANT CONNECT ON DATABASE :"db" TO nastavnik_backup;
SQL
  local q="host=$dir/run&port=$port"
  echo "export TEST_DATABASE_URL='postgresql://nastavnik_app@/$database?$q'"
  echo "export TEST_MIGRATION_DATABASE_URL='postgresql://nastavnik_owner@/$database?$q'"
  echo "export TEST_BACKUP_DATABASE_URL='postgresql://nastavnik_backup@/$database?$q'"
  echo "export TEST_ADMIN_DATABASE_URL='postgresql://postgres@/postgres?$q'"
  echo "export TEST_PG_BINDIR='$bindir'"
  echo "export APP_DB_ROLE=nastavnik_app"
  echo "debian-postgres: $("$bindir/postgres" --version) running in $dir" >&2
}

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_server_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
