#!/usr/bin/env bash
# The suite without the browser tests, against Debian's PostgreSQL server package instead of
# the embedded wheel: the app connects as nastavnik_app (not owner, NOSUPERUSER NOBYPASSRLS),
# migrations run as nastavnik_owner, backups as nastavnik_backup, pg_dump/pg_restore are the
# server's own. Catches what only a real server of the oldest supported major shows.
# Arguments go to pytest (e.g. `scripts/test-debian-postgres.sh tests/functional -x`).
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_PG_DIR="${DEBIAN_PG_DIR:-$(mktemp -d /tmp/nastavnik-debian-pg.XXXXXX)}"
trap 'scripts/debian-postgres.sh stop' EXIT
eval "$(scripts/debian-postgres.sh start)"

echo "==> pytest on Debian PostgreSQL: unit, functional, security"
if [ "$#" -eq 0 ]; then
  set -- --ignore=tests/e2e
fi
scripts/uv run pytest -p no:cacheprovider "$@"
