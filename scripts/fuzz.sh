#!/usr/bin/env bash
# Fuzzes the demo server with schemathesis against its own OpenAPI document: every
# operation, valid and invalid data, authenticated operations with a real credential.
# Fails on any 5xx, any status, content type or body the document does not allow, or
# fewer than MIN_CASES generated requests.
#
#   scripts/fuzz.sh path/to/RestAuthDemo [token|jwt]
#
# ST (default: schemathesis in .build/fuzz-venv, installed from PyPI on first use),
# MAX_EXAMPLES (per operation and phase, default 50) and MIN_CASES (default 1000) adjust it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${1:?usage: scripts/fuzz.sh path/to/RestAuthDemo [token|jwt]}
PROFILE=${2:-token}
MAX_EXAMPLES=${MAX_EXAMPLES:-50}
MIN_CASES=${MIN_CASES:-1000}
if [ -z "${ST:-}" ]; then
  if [ ! -x "$ROOT/.build/fuzz-venv/bin/st" ]; then
    python3 -m venv "$ROOT/.build/fuzz-venv"
    "$ROOT/.build/fuzz-venv/bin/pip" install -q "schemathesis>=4,<5" "openapi-spec-validator>=0.7"
  fi
  ST="$ROOT/.build/fuzz-venv/bin/st"
fi
VALIDATOR="$(dirname "$ST")/openapi-spec-validator"

WORK=$(mktemp -d /tmp/restauth-fuzz.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
PROVIDER_PID=""
cleanup() {
  for pid in "$PROVIDER_PID" "$SERVER_PID"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# Social providers too, so their routes are in the document: they point at a local HTTP
# server with nothing on it, so every provider call is refused at once (and the login is
# a 400, as a provider's refusal must give).
PROVIDER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/empty"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/empty" "$PROVIDER_PORT" > /dev/null 2>&1 &
PROVIDER_PID=$!
env=(DATABASE_URL="sqlite://$WORK/fuzz.sqlite" SECRET_KEY=fuzz PBKDF2_ITERATIONS=1000 ACCOUNT_RATE_LIMITS=false
  REST_AUTH_MFA_ENABLED=true REST_AUTH_PASSKEYS_ENABLED=true PASSKEY_RP_ID=localhost PASSKEY_RP_NAME=Fuzz
  'PASSKEY_RP_ORIGINS=["http://localhost:3000"]'
  ACCOUNT_EMAIL_VERIFICATION=none LOG_LEVEL=warning)
for provider in GOOGLE GITHUB TWITTER; do
  env+=("SOCIALACCOUNT_${provider}_CLIENT_ID=fuzz-client" "SOCIALACCOUNT_${provider}_SECRET=fuzz-secret"
    "SOCIALACCOUNT_${provider}_BASE_URL=http://127.0.0.1:$PROVIDER_PORT" "SOCIALACCOUNT_${provider}_CALLBACK_URL=http://localhost/cb")
done
if [ "$PROFILE" = jwt ]; then
  env+=(REST_AUTH_USE_JWT=true REST_AUTH_JWT_AUTH_HTTPONLY=false REST_AUTH_SESSION_LOGIN=false
    REST_AUTH_JWT_AUTH_COOKIE=jwt-auth REST_AUTH_JWT_AUTH_REFRESH_COOKIE=jwt-refresh)
fi
env "${env[@]}" "$DEMO" serve --hostname 127.0.0.1 --port "$PORT" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -sf "$BASE/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "the demo exited" >&2; exit 1; }
  sleep 0.2
done

curl -sf "$BASE/openapi.json" > "$WORK/openapi.json"
"$VALIDATOR" "$WORK/openapi.json"

# A real account and its credential, for the operations that need one.
API="$BASE/dj-rest-auth"
curl -sf -X POST -H 'Content-Type: application/json' "$API/registration/" \
  -d '{"username": "fuzzer", "email": "fuzzer@example.com", "password1": "Sturdy-Lantern-8412", "password2": "Sturdy-Lantern-8412"}' >/dev/null
LOGIN=$(curl -sf -X POST -H 'Content-Type: application/json' "$API/login/" -d '{"username": "fuzzer", "password": "Sturdy-Lantern-8412"}')
if [ "$PROFILE" = jwt ]; then
  AUTH="Bearer $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["access"])' "$LOGIN")"
else
  AUTH="Token $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$LOGIN")"
fi

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
total=0
run() {
  local log="$WORK/st-$1.log"
  shift
  # Logout ends the credential, so it runs on its own, last. schemathesis keeps its
  # cache in the working directory: the temporary one.
  if ! (cd "$WORK" && "$ST" run "$WORK/openapi.json" --url "$BASE" -H "Authorization: $AUTH" -c "$checks" \
    --max-examples "$MAX_EXAMPLES" --no-color "$@" > "$log" 2>&1); then
    cat "$log"
    echo "schemathesis found failures" >&2
    exit 1
  fi
  sed -n '/SUMMARY/,$p' "$log"
  local cases
  cases=$(awk '/generated,/ {print $1; exit}' "$log")
  total=$((total + ${cases:-0}))
}
run main --exclude-path /dj-rest-auth/logout/
run logout --include-path /dj-rest-auth/logout/
# An error the package did not expect is logged at error level (and answered with a 500).
if grep -E '\[ (ERROR|CRITICAL) \]' "$WORK/server.log" >/dev/null; then
  grep -E '\[ (ERROR|CRITICAL) \]' "$WORK/server.log" | head
  echo "the server logged errors" >&2
  exit 1
fi
echo "fuzz ($PROFILE): $total requests generated, no 5xx, every answer as documented"
if [ "$total" -lt "$MIN_CASES" ]; then
  echo "fewer than $MIN_CASES requests were generated" >&2
  exit 1
fi
