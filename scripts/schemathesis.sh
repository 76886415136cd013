#!/usr/bin/env bash
# Property-based API testing of a live gateway with schemathesis, driven by the gateway's own
# OpenAPI description (GET /openapi.json).
#
# Builds and starts `digigate serve` on a free loopback port with a throw-away data directory,
# authenticates with the development key it prints, runs `st run` with every check, then stops
# the server. Exits with schemathesis's status.
#
#   scripts/schemathesis.sh                 # 200 examples per operation
#   MAX_EXAMPLES=50 scripts/schemathesis.sh
#   scripts/schemathesis.sh --include-path /kyc/digilocker/sessions/init   # extra st flags
#
# Needs python3 and curl. Uses `st` from PATH, or installs schemathesis from PyPI into
# target/schemathesis-venv on first use. Reports land in target/schemathesis-report/.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES="${MAX_EXAMPLES:-200}"
REPORT_DIR="target/schemathesis-report"

if command -v st >/dev/null 2>&1 && st --version 2>/dev/null | grep -q '^st, version'; then
  ST=st
else
  VENV=target/schemathesis-venv
  if [ ! -x "$VENV/bin/st" ]; then
    echo "Installing schemathesis into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet schemathesis
  fi
  ST="$VENV/bin/st"
fi
echo "Using $("$ST" --version)" >&2

cargo build --quiet -p digigate
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
DATA_DIR="$(mktemp -d -t digigate-schemathesis-XXXXXX)"
LOG="$DATA_DIR/serve.log"
BASE="http://127.0.0.1:$PORT"

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

# Rate limits are lifted so the run measures behaviour, not the limiter.
DIGIGATE_RATE_LIMIT_PER_MINUTE=100000000 DIGIGATE_AUTH_ATTEMPTS_PER_MINUTE=100000000 \
  DIGIGATE_DOWNLOAD_TTL_SECS=7200 DIGIGATE_LINK_TTL_SECS=7200 NO_COLOR=1 \
  target/debug/digigate serve --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR" >"$LOG" 2>&1 &
SERVER_PID=$!

for _ in $(seq 300); do
  if curl -fsS "$BASE/health" >/dev/null 2>&1 && grep -q 'api secret:' "$LOG"; then
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOG" >&2; echo "digigate serve exited" >&2; exit 1; }
  sleep 0.1
done
KEY="$(sed -n 's/^ *api key: *//p' "$LOG" | head -n1)"
SECRET="$(sed -n 's/^ *api secret: *//p' "$LOG" | head -n1)"
[ -n "$KEY" ] && [ -n "$SECRET" ] || { cat "$LOG" >&2; echo "no development key printed" >&2; exit 1; }

TOKEN="$(curl -fsS -X POST "$BASE/authenticate" -H "x-api-key: $KEY" -H "x-api-secret: $SECRET" |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["data"]["access_token"])')"
echo "digigate on $BASE (data in $DATA_DIR), key $KEY" >&2

# Real identifiers, so that schemathesis reaches past "not found": a completed session to read,
# another to delete, an unopened link and a signed download link.
api() { curl -fsS -H "x-api-key: $KEY" -H "authorization: $TOKEN" "$@"; }
field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
init() {
  api -X POST "$BASE/kyc/digilocker/sessions/init" -H 'content-type: application/json' \
    -d '{"@entity":"in.co.sandbox.kyc.digilocker.session.request","flow":"signin",
         "redirect_url":"https://business.example/kyc/done","doc_types":["aadhaar","pan","driving_license"]}'
}
completed_session() {
  local body sid
  body="$(init)"
  sid="$(field '["data"]["session_id"]' <<<"$body")"
  scripts/simulator-consent.sh "$(field '["data"]["authorization_url"]' <<<"$body")" 9000000001 >/dev/null
  echo "$sid"
}
SID="$(completed_session)"
SID_DELETE="$(completed_session)"
LINK_ID="$(init | field '["data"]["authorization_url"].rsplit("/", 1)[1]')"
FILE_URL="$(api "$BASE/kyc/digilocker/sessions/$SID/documents/pan" | field '["data"]["files"][0]["url"]')"
read -r DOC_ID EXPIRES SIGNATURE < <(python3 -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); q = dict(u.parse_qsl(p.query))
print(p.path.rsplit("/", 1)[1], q["expires"], q["signature"])' "$FILE_URL")

CONFIG="$DATA_DIR/schemathesis.toml"
cat >"$CONFIG" <<TOML
[parameters]
"path.session_id" = "$SID"
"path.link_id" = "$LINK_ID"
"path.document_id" = "$DOC_ID"
"query.expires" = $EXPIRES
"query.signature" = "$SIGNATURE"

[[operations]]
include-operation-id = "deleteSession"
parameters = { "path.session_id" = "$SID_DELETE" }

# Without a state issued to this browser, every callback is refused by design (400 page).
[[operations]]
include-operation-id = "digilockerCallback"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400"]
TOML

mkdir -p "$REPORT_DIR"
set +e
SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py "$ST" --config-file "$CONFIG" run "$BASE/openapi.json" \
  -H "x-api-key: $KEY" \
  -H "x-api-secret: $SECRET" \
  -H "authorization: $TOKEN" \
  --checks all \
  --max-examples "$MAX_EXAMPLES" \
  --workers 2 \
  --seed "${SEED:-20260426}" \
  --generation-database none \
  --report junit,ndjson \
  --report-dir "$REPORT_DIR" \
  --no-color \
  "$@"
STATUS=$?
set -e
cp "$LOG" "$REPORT_DIR/serve.log"
python3 - "$LOG" <<'PY' >&2
import collections, re, sys
seen = collections.Counter()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"method=(\S+) route=(\S+?)\}.*answered status=(\d+)", re.sub(r"\x1b\[[0-9;]*m", "", line))
    if m:
        seen[(m.group(2), m.group(1), m.group(3))] += 1
print(f"The server answered {sum(seen.values())} requests (route, method, status: count):")
for (route, method, status), n in sorted(seen.items()):
    print(f"  {route} {method} {status}: {n}")
PY
if grep -qE ' ERROR |panicked' "$LOG"; then
  echo "The server logged errors during the run:" >&2
  grep -E ' ERROR |panicked' "$LOG" | head -n 20 >&2
fi
exit "$STATUS"
