# Наставник — the two commands of the README, and a few helpers.
# uv comes from scripts/uv: the caller's PATH need not have it.
UV := scripts/uv

.PHONY: dev test setup lint serve migrate bench

dev: setup          ## install everything and run the platform with the demo region
	@$(UV) run nastavnik dev --host 0.0.0.0

test:               ## the whole test suite (what .ci/run runs)
	@scripts/test.sh

setup:
	@scripts/setup.sh

lint:
	$(UV) run ruff check nastavnik tests bench migrations
	$(UV) run mypy nastavnik
	$(UV) run djlint nastavnik/templates --lint --quiet

serve:
	$(UV) run nastavnik serve

migrate:
	$(UV) run nastavnik migrate

bench:
	$(UV) run python -m bench
