#!/usr/bin/env bash
# Builds the release binary, prints its size, then starts `digigate serve` on a free port with a
# temporary data directory, waits for /health, lets it sit idle for 2 s and prints its resident
# memory (VmRSS from /proc/PID/status). It does this twice on the same data directory: the first
# start creates the development API key (an Argon2id hash, which touches 19 MiB), the second
# start is a plain restart.
#
# usage: scripts/measure.sh          (Linux; needs curl and python3)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p digigate
bin=${CARGO_TARGET_DIR:-target}/release/digigate
bytes=$(stat -c %s "$bin")
awk -v b="$bytes" -v p="$bin" 'BEGIN { printf "binary %s: %d bytes (%.2f MiB)\n", p, b, b / 1048576 }'

data=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the server, waits until it is healthy and idle, prints its memory, stops it.
idle_rss() {
  local label=$1 port
  port=$(free_port)
  "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" >>"$data/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { echo "digigate serve exited:" >&2; cat "$data/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null
  sleep 2
  local rss hwm
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
  awk -v l="$label" -v r="$rss" -v h="$hwm" \
    'BEGIN { printf "idle RSS (%s): %d KiB (%.2f MiB), peak %d KiB (%.2f MiB)\n", l, r, r / 1024, h, h / 1024 }'
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}

idle_rss "first start, creates the development key"
idle_rss "restart"
