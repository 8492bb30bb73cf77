# Наставник — the two commands of the README, and a few helpers.
.PHONY: dev test setup lint serve migrate bench

dev: setup          ## install everything and run the platform with the demo region
	uv run nastavnik dev --host 0.0.0.0

test:               ## the whole test suite (what .ci/run runs)
	scripts/test.sh

setup:
	scripts/setup.sh

lint:
	uv run ruff check nastavnik tests bench migrations
	uv run mypy nastavnik
	uv run djlint nastavnik/templates --lint --quiet

serve:
	uv run nastavnik serve

migrate:
	uv run nastavnik migrate

bench:
	uv run python -m bench
