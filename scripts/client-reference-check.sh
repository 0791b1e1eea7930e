#!/usr/bin/env bash
# Runs the client's integration tests (ClientExternalServerTests) against the real
# dj-rest-auth 7.2 (../shared/reference), in token and JWT modes with MFA on, each with an
# SMTP sink that writes a Maildir the tests read the mails from. A client that passes
# against the demo and against the reference speaks the same wire to both.
#
#   scripts/client-reference-check.sh REF_PYTHON SINK_PYTHON [mode ...]
#
# REF_PYTHON: a venv's python with ../shared/reference/requirements.txt installed;
# SINK_PYTHON: one with aiosmtpd. Modes: token jwt (the default), jwt-cookie, session.
# The test binary must be built (`swift build --build-tests`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
REF_PY=$(abs "$1")
SINK_PY=$(abs "$2")
shift 2
MODES=("$@")
[ ${#MODES[@]} = 0 ] && MODES=(token jwt)
WORK=$(mktemp -d /tmp/client-ref.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The settings of each mode: the same as TestServer.settings(for:) in Tests/RestAuthClientTests.
settings() {
  echo REST_AUTH_MFA_ENABLED=true REST_AUTH_MFA_TOTP_ISSUER=Example ACCOUNT_EMAIL_VERIFICATION=optional
  case "$1" in
    token) ;;
    session) echo REST_AUTH_SESSION_LOGIN=true ;;
    jwt) echo REST_AUTH_USE_JWT=true REST_AUTH_SESSION_LOGIN=false REST_AUTH_JWT_AUTH_HTTPONLY=false \
      REST_AUTH_JWT_AUTH_RETURN_EXPIRATION=true SIMPLE_JWT_ROTATE_REFRESH_TOKENS=true \
      SIMPLE_JWT_BLACKLIST_AFTER_ROTATION=true ;;
    jwt-cookie) echo REST_AUTH_USE_JWT=true REST_AUTH_SESSION_LOGIN=false REST_AUTH_JWT_AUTH_COOKIE=jwt-auth \
      REST_AUTH_JWT_AUTH_REFRESH_COOKIE=jwt-refresh REST_AUTH_JWT_AUTH_REFRESH_COOKIE_PATH=/ \
      REST_AUTH_JWT_AUTH_COOKIE_USE_CSRF=true ;;
    *) echo "unknown mode $1" >&2; exit 2 ;;
  esac
}

STATUS=0
for mode in "${MODES[@]}"; do
  printf '\n-- the client against dj-rest-auth 7.2, %s mode\n' "$mode"
  SMTP_PORT=$(free_port)
  PORT=$(free_port)
  MAILDIR="$WORK/maildir-$mode"
  setsid "$SINK_PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" \
    >"$WORK/sink-$mode.log" 2>&1 &
  PIDS+=($!)
  # One worker: the tests run in parallel, and two Django processes writing one SQLite file
  # answer "database is locked" as a 500 (seen in CI, the MFA scenario in token mode).
  # shellcheck disable=SC2046
  # Passkeys as TestServer has them (the JSON list quoted here, out of the word splitting).
  env $(settings "$mode") PY="$REF_PY" PORT="$PORT" EMAIL_HOST=127.0.0.1 EMAIL_PORT="$SMTP_PORT" REF_FAST_HASH=1 \
    REST_AUTH_PASSKEYS_ENABLED=true PASSKEY_RP_ID=localhost PASSKEY_RP_NAME=Example \
    PASSKEY_RP_ORIGINS='["http://localhost:3000"]' \
    REF_DB="$WORK/ref-$mode.sqlite3" WORKERS=1 setsid "$SHARED/reference/run-reference.sh" >"$WORK/ref-$mode.log" 2>&1 &
  PIDS+=($!)
  UP=""
  for _ in $(seq 1 300); do
    python3 -c "import urllib.request, sys
try: urllib.request.urlopen('http://127.0.0.1:$PORT/dj-rest-auth/user/', timeout=1)
except urllib.error.HTTPError: sys.exit(0)
sys.exit(1)" 2>/dev/null && UP=1 && break
    sleep 0.2
  done
  if [ -z "$UP" ]; then echo "the reference did not start:"; tail -40 "$WORK/ref-$mode.log"; exit 1; fi
  RC=0
  RESTAUTH_CLIENT_TEST_URL="http://127.0.0.1:$PORT/dj-rest-auth/" RESTAUTH_CLIENT_TEST_MODE="$mode" \
    RESTAUTH_CLIENT_TEST_MAILDIR="$MAILDIR" swift test --skip-build --filter ClientExternalServerTests \
    >"$WORK/tests-$mode.log" 2>&1 || RC=$?
  grep -E '^(✔|✘|⊘|↳)|Test run|skipped|cancel' "$WORK/tests-$mode.log" | grep -v 'started\.$' || true
  if [ "$RC" != 0 ]; then
    STATUS=$RC
    echo "-- the reference's log:"; tail -40 "$WORK/ref-$mode.log"
  fi
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  PIDS=()
  sleep 0.5
done
exit "$STATUS"
