#!/usr/bin/env bash
# Throughput and latency of the demo server (or of the reference dj-rest-auth)
# measured with wrk on this machine.
#
#   scripts/benchmark.sh            # the Swift demo, release build, SQLite
#   scripts/benchmark.sh reference  # ../shared/reference under gunicorn, WORKERS=5
#
# Reports requests/s and p99 for: a route without authentication, token-
# authenticated GET user/, login, and GET user/ while 8 clients log in without
# pause; Bearer-authenticated GET user/ with USE_JWT; and the time of one password hash (PBKDF2-SHA256, Django's 1,000,000
# iterations), so login can be read against its limit: cores / one hash's time.
# DURATION (seconds per run, default 10) and CONNECTIONS (default 16) adjust it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${1:-swift}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
SHARED=${SHARED:-$ROOT/../shared}
export BENCH_DIR="$ROOT/scripts/bench"
export BENCH_USER="bench$RANDOM"
export BENCH_PASSWORD="Sturdy-Lantern-8412"
WORK=$(mktemp -d /tmp/restauth-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill -- -"$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
CORES=$(nproc)

case "$TARGET" in
swift)
  SCRATCH=${SCRATCH:-$ROOT/.build-release}
  swift build -c release --product RestAuthDemo --scratch-path "$SCRATCH" >&2
  BIN="$SCRATCH/release/RestAuthDemo"
  HASH_MS=$(DATABASE_URL="sqlite://$WORK/hash.sqlite" SECRET_KEY=bench "$BIN" benchmark-hash --count 10 | awk '/ms per hash/ {print $1}')
  # LOG_LEVEL=warning: the per-request log line is not what is measured. The rate limits
  # count every login, as in production, with amounts no run reaches (all of wrk's
  # clients share one address).
  DATABASE_URL="sqlite://$WORK/bench.sqlite" SECRET_KEY=bench LOG_LEVEL=warning \
    ACCOUNT_RATE_LIMITS='{"login": "1000000/m/ip", "login_failed": "1000000/m/ip,1000000/5m/key"}' \
    setsid "$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  OPEN_PATH=/health
  ;;
reference)
  VENV=${REFERENCE_VENV:-$ROOT/.build/reference-venv}
  if [ ! -x "$VENV/bin/gunicorn" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$SHARED/reference/requirements.txt"
  fi
  HASH_MS=$(cd "$SHARED/reference" && "$VENV/bin/python" -c '
import time, hashlib
t = time.perf_counter()
for _ in range(3): hashlib.pbkdf2_hmac("sha256", b"Sturdy-Lantern-8412", b"saltsaltsaltsaltsaltsa", 1000000)
print("%.1f" % ((time.perf_counter() - t) / 3 * 1000))')
  PY="$VENV/bin/python" PORT=$PORT WORKERS=${WORKERS:-5} REF_DB="$WORK/ref.sqlite3" \
    setsid "$SHARED/reference/run-reference.sh" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  OPEN_PATH=/dj-rest-auth/login/
  ;;
*) echo "usage: $0 [swift|reference]" >&2; exit 2 ;;
esac

for _ in $(seq 1 600); do curl -s -o /dev/null "$BASE/dj-rest-auth/login/" && break; sleep 0.2; done
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$BASE/dj-rest-auth/registration/" \
  -d "{\"username\":\"$BENCH_USER\",\"email\":\"$BENCH_USER@example.com\",\"password1\":\"$BENCH_PASSWORD\",\"password2\":\"$BENCH_PASSWORD\"}"
TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' "$BASE/dj-rest-auth/login/" \
  -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

run() { # name, wrk arguments...
  local name=$1; shift
  local line
  line=$(wrk --latency "$@" | grep '^RESULT' || true)
  printf '%-34s %s\n' "$name" "${line#RESULT }"
}

echo "target=$TARGET cores=$CORES duration=${DURATION}s connections=$CONNECTIONS"
echo "one password hash: ${HASH_MS} ms  -> login limit ~ $(python3 -c "print(round($CORES / ($HASH_MS / 1000), 1))") per second"
if [ "$TARGET" = swift ]; then
  # Bodies of 1 MB of distinct keys, parsed with no field limit: linear, not quadratic.
  DATABASE_URL="sqlite://$WORK/parse.sqlite" SECRET_KEY=bench "$BIN" benchmark-parse --size 1048576 | sed 's/^/parse 1 MB /'
fi
run "open route ($OPEN_PATH)" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" "$BASE$OPEN_PATH"
run "token GET user/" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" \
  -H "Authorization: Token $TOKEN" "$BASE/dj-rest-auth/user/"
run "login (8 clients)" -t2 -c8 -d"${DURATION}s" --timeout 30s -s "$BENCH_DIR/login.lua" "$BASE/dj-rest-auth/login/"
wrk -t2 -c8 -d"$((DURATION + 4))s" --timeout 30s -s "$BENCH_DIR/login.lua" "$BASE/dj-rest-auth/login/" >"$WORK/storm.txt" 2>&1 &
STORM=$!
sleep 2
run "token GET user/ during login storm" -t1 -c8 -d"${DURATION}s" --timeout 30s -s "$BENCH_DIR/report.lua" \
  -H "Authorization: Token $TOKEN" "$BASE/dj-rest-auth/user/"
wait $STORM || true
printf '%-34s %s\n' "  (the storm's logins)" "$(grep '^RESULT' "$WORK/storm.txt" | sed 's/^RESULT //')"

# The same server in USE_JWT mode, for Bearer-authenticated GET user/.
kill -- -"$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
case "$TARGET" in
swift)
  DATABASE_URL="sqlite://$WORK/bench-jwt.sqlite" SECRET_KEY=bench-secret-key-long-enough-for-hs256-0123456789 \
    ACCOUNT_RATE_LIMITS=false LOG_LEVEL=warning REST_AUTH_USE_JWT=true REST_AUTH_SESSION_LOGIN=false \
    setsid "$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$WORK/server-jwt.log" 2>&1 &
  ;;
reference)
  PY="$VENV/bin/python" PORT=$PORT WORKERS=${WORKERS:-5} REF_DB="$WORK/ref-jwt.sqlite3" REST_AUTH_USE_JWT=true \
    REST_AUTH_SESSION_LOGIN=false setsid "$SHARED/reference/run-reference.sh" >"$WORK/server-jwt.log" 2>&1 &
  ;;
esac
SERVER_PID=$!
for _ in $(seq 1 600); do curl -s -o /dev/null "$BASE/dj-rest-auth/login/" && break; sleep 0.2; done
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$BASE/dj-rest-auth/registration/" \
  -d "{\"username\":\"$BENCH_USER\",\"email\":\"$BENCH_USER@example.com\",\"password1\":\"$BENCH_PASSWORD\",\"password2\":\"$BENCH_PASSWORD\"}"
ACCESS=$(curl -sf -X POST -H 'Content-Type: application/json' "$BASE/dj-rest-auth/login/" \
  -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access"])')
run "Bearer (JWT) GET user/" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" \
  -H "Authorization: Bearer $ACCESS" "$BASE/dj-rest-auth/user/"
