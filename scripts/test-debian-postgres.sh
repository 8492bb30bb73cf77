#!/usr/bin/env bash
# The suite without the browser tests, against Debian's PostgreSQL server package instead of
# the embedded wheel: the app connects as nastavnik_app (not owner, NOSUPERUSER NOBYPASSRLS),
# migrations run as nastavnik_owner, backups as nastavnik_backup, pg_dump/pg_restore are the
# server's own. Catches what only a real server of the oldest supported major shows.
# Arguments go to pytest (e.g. `scripts/test-debian-postgres.sh tests/functional -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  export DEBIAN_PG_DIR="${DEBIAN_PG_DIR:-$(mktemp -d /tmp/nastavnik-debian-pg.XXXXXX)}"
  trap 'scripts/debian-postgres.sh stop' EXIT
  eval "$(scripts/debian-postgres.sh start)"
  echo "==> pytest on Debian PostgreSQL: $*"
  scripts/uv run pytest -p no:cacheprovider "$@"
  exit
fi

# The whole suite but the browser tests, as two processes (one per core) with a server each.
env_dir="$(mktemp -d /tmp/nastavnik-debian-env.XXXXXX)"
chmod 755 "$env_dir"  # the servers run as the postgres user, inside it
stop_all() {
  for name in core functional; do
    DEBIAN_PG_DIR="$env_dir/pg-$name" scripts/debian-postgres.sh stop || true
  done
  rm -rf "$env_dir"
}
trap stop_all EXIT
port=5432
for name in core functional; do
  DEBIAN_PG_DIR="$env_dir/pg-$name" DEBIAN_PG_PORT="$port" scripts/debian-postgres.sh start >"$env_dir/$name.env"
  port=$((port + 1))
done
echo "==> pytest on Debian PostgreSQL: unit + security + functional r-z | functional a-q (two processes)"
PYTEST_ENV_DIR="$env_dir" PYTEST_COVERAGE="" scripts/pytest-in-parallel.sh \
  "core 8181 2525 tests/unit tests/security tests/functional/test_[r-z]*.py" \
  "functional 8191 2535 tests/functional/test_[a-q]*.py"
