#!/usr/bin/env bash
# Runs pytest processes side by side, one per argument "name keycloak-port smtp-port paths…",
# each with its own data folder (var/test-<name>: embedded PostgreSQL and Keycloak), its own
# Keycloak and SMTP ports and its own coverage file (.coverage.<name>). A file
# $PYTEST_ENV_DIR/<name>.env, if there is one, is sourced first (scripts/test-debian-postgres.sh
# gives each process its own server that way). PYTEST_COVERAGE holds the coverage options
# (set it empty for none). Output lines carry the name; fails if any process fails.
set -uo pipefail
cd "$(dirname "$0")/.."

coverage="${PYTEST_COVERAGE---cov --cov-report= --cov-fail-under=0}"
pids=()
names=()
for spec in "$@"; do
  read -r name keycloak_port smtp_port paths <<<"$spec"
  (
    if [ -n "${PYTEST_ENV_DIR:-}" ] && [ -f "$PYTEST_ENV_DIR/$name.env" ]; then
      # shellcheck disable=SC1090
      source "$PYTEST_ENV_DIR/$name.env"
    fi
    export NASTAVNIK_TEST_DATA_DIR="$PWD/var/test-$name"
    export TEST_KEYCLOAK_PORT="$keycloak_port" TEST_KEYCLOAK_MGMT_PORT="$((keycloak_port + 1000))"
    export TEST_SMTP_PORT="$smtp_port" COVERAGE_FILE="$PWD/.coverage.$name"
    # shellcheck disable=SC2086 # options and paths are words
    scripts/uv run pytest -p no:cacheprovider $coverage $paths 2>&1 | sed -u "s/^/[$name] /"
  ) &
  pids+=("$!")
  names+=("$name")
done

status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "!! pytest ${names[$i]} failed" >&2
    status=1
  fi
done
exit "$status"
