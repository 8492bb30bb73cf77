#!/usr/bin/env bash
# Installs what the platform needs on a fresh machine: uv, Python packages, npm assets,
# and the Keycloak distribution (from Maven Central, into ~/.cache/nastavnik/keycloak).
set -euo pipefail
cd "$(dirname "$0")/.."
uv() { scripts/uv "$@"; }

for tool in java mvn node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing $tool from Debian packages"
      apt-get update -qq
      apt-get install -y -qq openjdk-17-jre-headless maven nodejs npm >/dev/null
      break
    fi
    echo "!! $tool is required (JDK 17, Maven, Node.js with npm): install it and run again" >&2
    exit 1
  fi
done

echo "==> Python packages (uv sync)"
uv sync --frozen --quiet

printf '==> browser assets and fonts (npm):'
if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; else npm install --silent --no-audit --no-fund; fi
node scripts/vendor-assets.mjs

printf '==> Keycloak distribution: '
uv run python -c "from nastavnik.platform.keycloak_server import ensure_distribution, default_cache_dir; print(ensure_distribution(default_cache_dir()))"
