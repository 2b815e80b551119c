#!/usr/bin/env bash
# Dredd against a fresh demo server: builds users-server, starts it on a
# free loopback port over a new SQLite file, runs Dredd with the hooks, stops
# the server. Usage: contract/dredd.sh (from anywhere).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/users-server" ./cmd/users-server
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/users-server" --host 127.0.0.1 --port "$port" --db "$tmp/coord.db" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
contract/node_modules/.bin/dredd swagger.yaml "http://127.0.0.1:$port" \
  --hookfiles "${DREDD_HOOKS:-contract/dredd-hooks.js}" --loglevel warning "$@"
