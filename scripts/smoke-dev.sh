#!/usr/bin/env bash
# Proves the README's first command as a newcomer runs it: `make dev` from this checkout
# with a PATH that has no uv and no ~/.local/bin, in the background; waits for a served
# page, signs in through Keycloak's own form as `curator`, loads the school dashboard,
# then stops it with Ctrl+C (SIGINT) and checks that no process is left and the ports are
# free. Exits non-zero if any of that fails. Used by .ci/run; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
log="${SMOKE_LOG:-$root/var/smoke-dev.log}"
timeout="${SMOKE_TIMEOUT:-900}"
mkdir -p "$(dirname "$log")"

clean_path=""
IFS=: read -r -a parts <<<"$PATH"
for dir in "${parts[@]}"; do
  case "$dir" in
    "$HOME/.local/bin" | "$HOME/.local/bin/" | "$root/.tools/bin") ;;
    *) [ -x "$dir/uv" ] || clean_path="${clean_path:+$clean_path:}$dir" ;;
  esac
done

for port in 8000 8180 1025; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "smoke: port $port is busy before the start; stop what listens there" >&2
    exit 1
  fi
done

echo "==> smoke: make dev (PATH without uv or ~/.local/bin), log in $log"
began=$(date +%s)
# Own session (setsid) so that the whole tree can be signalled like a terminal's Ctrl+C.
setsid env PATH="$clean_path" make dev >"$log" 2>&1 </dev/null &
dev_pid=$!

stop_dev() {
  if kill -0 "$dev_pid" 2>/dev/null; then
    kill -INT -- "-$dev_pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$dev_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$dev_pid" 2>/dev/null || true
  fi
}
trap 'stop_dev' EXIT

until curl -sf -o /dev/null "http://127.0.0.1:8000/health/ready"; do
  if ! kill -0 "$dev_pid" 2>/dev/null; then
    echo "smoke: make dev exited before serving a page:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  if [ $(($(date +%s) - began)) -gt "$timeout" ]; then
    echo "smoke: no /health/ready after ${timeout} s:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "==> smoke: served after $(($(date +%s) - began)) s"

scripts/uv run python scripts/smoke_sign_in.py http://localhost:8000 curator

echo "==> smoke: stopping (Ctrl+C)"
kill -INT -- "-$dev_pid"
for _ in $(seq 1 120); do
  kill -0 "$dev_pid" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$dev_pid" 2>/dev/null; then
  echo "smoke: make dev did not stop within 60 s of Ctrl+C" >&2
  exit 1
fi
trap - EXIT
left="$(pgrep -s "$dev_pid" -a || true)"
if [ -n "$left" ]; then
  echo "smoke: processes left after stopping:" >&2
  echo "$left" >&2
  kill -KILL -- "-$dev_pid" 2>/dev/null || true
  exit 1
fi
for port in 8000 8180 9180 1025; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "smoke: port $port still open after stopping" >&2
    exit 1
  fi
done
grep -v '^==> \|^  \|^$\|^[┌│└]' "$log" >"$log.unexpected" || true
if [ -s "$log.unexpected" ]; then
  echo "smoke: make dev printed lines that are not steps, logins or the address:" >&2
  cat "$log.unexpected" >&2
  exit 1
fi
echo "==> smoke: make dev served, signed in, stopped cleanly"
