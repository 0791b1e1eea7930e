#!/usr/bin/env bash
# Throughput and latency of the demo server (or of the reference dj-rest-auth)
# measured with wrk on this machine.
#
#   scripts/benchmark.sh            # the Swift demo, release build, SQLite
#   scripts/benchmark.sh reference  # ../shared/reference under gunicorn, WORKERS=5
#
# Reports requests/s and p99 for: a route without authentication, token-
# authenticated GET user/ (also with a browser's Accept-Language, and refused without a
# token, in English and in German), login, and GET user/ while 8 clients log in without
# pause; Bearer-authenticated GET user/ with USE_JWT; and the time of one password hash (PBKDF2-SHA256, Django's 1,000,000
# iterations), so login can be read against its limit: cores / one hash's time.
# DURATION (seconds per run, default 10) and CONNECTIONS (default 16) adjust it.
#
#   scripts/benchmark.sh --users N [--postgres]
#
# Lookups against a large user table: seeds N users straight into the database (one
# transaction of generated rows, each with the password hash of one user signed up through
# the API; addresses verified but for every fourth) and reports the mean latency of login
# by username and by e-mail, password/reset/, registration/resend-email/, sign-up and
# token GET user/ at N users beside the same at 1,000 users, on SQLite and, with
# --postgres, on a throwaway PostgreSQL (initdb/pg_ctl as .ci/run does). Requests go one
# at a time, alternating between the two sizes' servers, which run side by side (so a
# busy machine slows both alike); COUNT (default 200) per route and server.
# PBKDF2_ITERATIONS defaults to 1000 here, so that login measures the lookup rather than
# the hash. BIN=path/to/RestAuthDemo uses an existing build (a debug one will do) instead
# of building a release one. WITHOUT="index names" drops those indexes after seeding, to
# see what they save. PG_SHARED_BUFFERS (default PostgreSQL's 128MB) sizes the throwaway
# server's cache: a million users' tables and indexes are about 600 MB. MFA=1 turns
# two-factor login on (REST_AUTH_MFA_ENABLED) and adds its unauthenticated routes: the
# first login step of a user with TOTP on, and mfa/verify/ with a wrong code. PASSKEYS=1
# turns passkeys on and adds theirs: passkeys/login/begin/ (anyone, and a seeded username)
# and a whole passkey sign-in; it needs the conformance venv's Python
# (BENCH_PY=.build/ci-venv/bin/python: cryptography and cbor2 for the software authenticator).
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

if [ "$TARGET" = "--users" ]; then
  USERS=${2:?usage: $0 --users N [--postgres]}
  case "$USERS" in '' | *[!0-9]*) echo "usage: $0 --users N [--postgres]" >&2; exit 2 ;; esac
  [ "$USERS" -gt 1000 ] || { echo "--users: more than 1000, the size it is compared with" >&2; exit 2; }
  SERVERS=()
  POSTGRES=0
  [ "${3:-}" = "--postgres" ] && POSTGRES=1
  COUNT=${COUNT:-200}
  ITERATIONS=${PBKDF2_ITERATIONS:-1000}
  if [ -z "${BIN:-}" ]; then
    SCRATCH=${SCRATCH:-$ROOT/.build-release}
    swift build -c release --product RestAuthDemo --scratch-path "$SCRATCH" >&2
    BIN="$SCRATCH/release/RestAuthDemo"
  fi
  PG_DATA=""
  as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  cleanup() {
    for pid in "${SERVERS[@]}"; do kill -- -"$pid" 2>/dev/null; done
    [ -n "$PG_DATA" ] && as_postgres pg_ctl -D "$PG_DATA" stop -m fast >/dev/null 2>&1
    rm -rf "$WORK"
  }
  if [ "$POSTGRES" = 1 ]; then
    command -v initdb >/dev/null || PATH="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | tail -1)"):$PATH"
    chmod 755 "$WORK"
    mkdir -p "$WORK/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
    PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PG_DATA="$WORK/pg/data"
    as_postgres initdb -D "$PG_DATA" -U postgres -A trust >/dev/null
    as_postgres pg_ctl -D "$PG_DATA" -l "$WORK/pg/log" -w start \
      -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=${PG_SHARED_BUFFERS:-128MB}" >/dev/null
  fi

  # seed DATABASE KIND COUNT: COUNT users beside the one signed up through the API.
  seed() {
    local sql
    if [ "$2" = sqlite ]; then
      sql="BEGIN;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $3)
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
  is_active, date_joined)
SELECT u.password, NULL, 0, 'seed' || i, '', '', 'seed' || i || '@example.com', 0, 1, u.date_joined
FROM seq, (SELECT password, date_joined FROM auth_user WHERE username = '$BENCH_USER') AS u;
INSERT INTO account_emailaddress (verified, \"primary\", user_id, email)
SELECT CAST(substr(username, 5) AS INTEGER) % 4 <> 0, 1, id, email FROM auth_user WHERE username <> '$BENCH_USER';
COMMIT;"
      sqlite3 "$1" "$sql"
    else
      sql="BEGIN;
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff,
  is_active, date_joined)
SELECT u.password, NULL, false, 'seed' || i, '', '', 'seed' || i || '@example.com', false, true, u.date_joined
FROM generate_series(1, $3) AS i, (SELECT password, date_joined FROM auth_user WHERE username = '$BENCH_USER') AS u;
INSERT INTO account_emailaddress (verified, \"primary\", user_id, email)
SELECT CAST(substr(username, 5) AS INTEGER) % 4 <> 0, true, id, email FROM auth_user WHERE username <> '$BENCH_USER';
COMMIT;
ANALYZE auth_user; ANALYZE account_emailaddress;"
      psql -q -v ON_ERROR_STOP=1 "$1" -c "$sql" >/dev/null
    fi
  }

  # start_seeded KIND SIZE PORT: a demo on a fresh database of SIZE users, left running
  # (its process group id in SERVERS).
  start_seeded() {
    local kind=$1 size=$2 port=$3 url db
    if [ "$kind" = sqlite ]; then
      db="$WORK/users-$size.sqlite"
      url="sqlite://$db"
    else
      psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE users_$size" >/dev/null
      db="postgres://postgres@127.0.0.1:$PG_PORT/users_$size"
      url=$db
    fi
    DATABASE_URL="$url" SECRET_KEY=bench LOG_LEVEL=warning ACCOUNT_RATE_LIMITS=false \
      REST_AUTH_MFA_ENABLED="${MFA:-0}" REST_AUTH_MFA_EPHEMERAL_TOKEN_TIMEOUT=3600 \
      REST_AUTH_PASSKEYS_ENABLED="${PASSKEYS:-0}" PASSKEY_RP_ID=localhost PASSKEY_RP_NAME=Bench \
      PASSKEY_RP_ORIGINS='["http://localhost:3000"]' \
      PBKDF2_ITERATIONS="$ITERATIONS" ALLOWED_HOSTS=127.0.0.1 \
      setsid "$BIN" serve --hostname 127.0.0.1 --port "$port" >"$WORK/server-$kind-$size.log" 2>&1 &
    SERVERS+=("$!")
    for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$port/dj-rest-auth/login/" && break; sleep 0.2; done
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$port/dj-rest-auth/registration/" \
      -d "{\"username\":\"$BENCH_USER\",\"email\":\"$BENCH_USER@example.com\",\"password1\":\"$BENCH_PASSWORD\",\"password2\":\"$BENCH_PASSWORD\"}"
    local start end
    start=$(date +%s.%N)
    seed "$db" "$kind" "$((size - 1))"
    end=$(date +%s.%N)
    printf '%-8s seeded %9d users in %6.1f s (%.1f s per 100k)\n' "$kind" "$size" "$(echo "$end - $start" | bc)" \
      "$(echo "($end - $start) * 100000 / ($size - 1)" | bc -l)"
    # WITHOUT="index names": drop them after migrating and seeding, to see what they save.
    for index in ${WITHOUT:-}; do
      if [ "$kind" = sqlite ]; then sqlite3 "$db" "DROP INDEX \"$index\""; else psql -q "$db" -c "DROP INDEX \"$index\""; fi
    done
  }

  KINDS=(sqlite)
  [ "$POSTGRES" = 1 ] && KINDS+=(postgres)
  SERVERS=()
  cleanup_servers() { for pid in "${SERVERS[@]}"; do kill -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done; SERVERS=(); }
  echo "users=$USERS count=$COUNT PBKDF2_ITERATIONS=$ITERATIONS bin=$BIN${WITHOUT:+ without=$WITHOUT}${MFA:+ mfa=$MFA}"
  export BENCH_MFA=${MFA:-0} BENCH_PASSKEYS=${PASSKEYS:-0} SHARED
  for kind in "${KINDS[@]}"; do
    SMALL_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_seeded "$kind" 1000 "$SMALL_PORT"
    start_seeded "$kind" "$USERS" "$PORT"
    "${BENCH_PY:-python3}" "$BENCH_DIR/users.py" "$COUNT" "$BENCH_PASSWORD" "http://127.0.0.1:$SMALL_PORT" 999 \
      "$BASE" "$((USERS - 1))" >"$WORK/$kind.txt"
    cleanup_servers
    printf '\n%-8s %-34s %12s %12s %8s\n' "$kind" "mean latency (ms)" "1,000 users" "$USERS users" "ratio"
    while IFS=$'\t' read -r name small large; do
      printf '%-8s %-34s %12s %12s %7.1fx\n' "" "$name" "$small" "$large" "$(echo "$large / $small" | bc -l)"
    done <"$WORK/$kind.txt"
    echo
  done
  exit 0
fi

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
# A browser's Accept-Language: the language chosen and the catalogs read on every request
# (the 401 carries a translated message; the 200 names its language).
BROWSER_LANGUAGE="de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"
run "token GET user/ (Accept-Language)" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" \
  -H "Authorization: Token $TOKEN" -H "Accept-Language: $BROWSER_LANGUAGE" "$BASE/dj-rest-auth/user/"
run "anonymous GET user/ (401)" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" \
  "$BASE/dj-rest-auth/user/"
run "anonymous GET user/ (401, German)" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$BENCH_DIR/report.lua" \
  -H "Accept-Language: $BROWSER_LANGUAGE" "$BASE/dj-rest-auth/user/"
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
