#!/usr/bin/env bash
# The whole test suite: lint, types, templates, then pytest (unit, functional, security,
# e2e) on real PostgreSQL, real Keycloak and real Chromium, with branch coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"

scripts/setup.sh

echo "==> ruff"
uv run ruff check nastavnik tests bench migrations
uv run ruff format --check nastavnik tests bench migrations
echo "==> mypy --strict"
uv run mypy nastavnik
echo "==> templates (djlint)"
uv run djlint nastavnik/templates --lint --quiet

echo "==> pytest"
uv run pytest -p no:cacheprovider --cov --cov-branch --cov-report=term --cov-report=xml "$@"
