#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer) of every parser the package owns: builds the fuzz
# package in Fuzz/ (release, instrumented, scratch path .build-fuzz) and runs each target
# for SECONDS_PER_TARGET seconds (default 60) from its seed corpus in Fuzz/Corpus/<target>,
# copied to a temporary working corpus so the committed one does not grow.
#
# Any crash (a trap, a failed property check), any input slower than FUZZ_TIMEOUT seconds
# (default 2) and any memory blow-up (RSS past FUZZ_RSS_MB, default 2048; one allocation
# past FUZZ_MALLOC_MB, default 512) fails the run: the script names the target and the
# reproducer, kept under .build-fuzz/artifacts/, and exits non-zero.
#
#   scripts/fuzz-parsers.sh [SECONDS_PER_TARGET] [TARGET...]
#
# FUZZ_JOBS targets run at once (default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
shift || true
TIMEOUT=${FUZZ_TIMEOUT:-2}
RSS_MB=${FUZZ_RSS_MB:-2048}
MALLOC_MB=${FUZZ_MALLOC_MB:-512}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
SCRATCH="$ROOT/.build-fuzz"
ARTIFACTS="$SCRATCH/artifacts"

# Target and the longest input it is given, as fits what it parses: request bodies up to
# DATA_UPLOAD_MAX_MEMORY_SIZE (1 MB), tokens and headers a few KB; the client's answers
# (bodies and Set-Cookie headers) 1 MB; gettext catalogs (.mo and .po) 256 KB.
TARGETS=(
  "FuzzJSON 1048576"
  "FuzzForm 1048576"
  "FuzzSigner 65536"
  "FuzzSMTPReply 65536"
  "FuzzEmailAddress 4096"
  "FuzzJWT 16384"
  "FuzzRequestHost 4096"
  "FuzzMisc 4096"
  "FuzzMFA 4096"
  "FuzzArgon2 4096"
  "FuzzCBOR 65536"
  "FuzzWebAuthnJSON 262144"
  "FuzzClient 1048576"
  "FuzzI18n 262144"
)
if [ $# -gt 0 ]; then
  wanted=" $* "
  selected=()
  for entry in "${TARGETS[@]}"; do
    if [[ $wanted == *" ${entry%% *} "* ]]; then selected+=("$entry"); fi
  done
  TARGETS=("${selected[@]}")
fi

# A target whose symlinked library sources are not all there (a file not written yet)
# is skipped, and said to be.
ready=()
skipped=()
for entry in "${TARGETS[@]}"; do
  name=${entry%% *}
  missing=$(find "Fuzz/Sources/$name" -xtype l -printf '%f ' 2>/dev/null || true)
  if [ -n "$missing" ]; then
    echo "fuzz: skipping $name: missing library sources: $missing" >&2
    skipped+=("$name")
  else
    ready+=("$entry")
  fi
done

BUILD=(swift build --package-path Fuzz --scratch-path "$SCRATCH" -c release -Xswiftc -sanitize=fuzzer)
started=$(date +%s)
if [ ${#skipped[@]} -eq 0 ] && [ $# -eq 0 ]; then
  "${BUILD[@]}"
else
  for entry in "${ready[@]}"; do "${BUILD[@]}" --product "${entry%% *}"; done
fi
BIN=$("${BUILD[@]}" --show-bin-path)
echo "fuzz: built in $(($(date +%s) - started)) s; ${SECONDS_PER_TARGET} s per target, $JOBS at a time"

WORK=$(mktemp -d /tmp/restauth-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Stress inputs, run once per target before fuzzing (the fuzzer grows its inputs slowly
# and would not reach these sizes in a short run): many members, fields and lines, long
# strings and an error at the end of a large document, near the size limits. Work
# superlinear in the input shows as a time-out. Fuzz/Stress/<target>/ adds committed ones
# (zlib bombs). They are kept under .build-fuzz/stress/ to replay.
STRESS="$SCRATCH/stress"
rm -rf "$STRESS"
stress() {
  local dir="$STRESS/$1"
  mkdir -p "$dir"
  # The C locale: printf "%c" writes one byte (gawk would write UTF-8 past 127).
  LC_ALL=C awk -v mode="$2" '
  function le32(v) { printf "%c%c%c%c", v % 256, int(v / 256) % 256, int(v / 65536) % 256, int(v / 16777216) % 256 }
  BEGIN {
    if (mode == "members") { printf "{"; for (i = 0; i < 50000; i++) printf "%s\"k%d\":%d", (i ? "," : ""), i, i; printf "}" }
    if (mode == "escapes") { printf "[\""; for (i = 0; i < 100000; i++) printf "\\u00e9\\n"; printf "\"]" }
    if (mode == "late-error") { printf "["; for (i = 0; i < 300000; i++) printf "1,"; printf "x]" }
    if (mode == "late-utf8") { printf "\""; for (i = 0; i < 90000; i++) printf "aaaaaaaaaa"; printf "\377\"" }
    if (mode == "deep") { for (i = 0; i < 200000; i++) printf "[" }
    if (mode == "fields") { printf "%c", 0; for (i = 0; i < 60000; i++) printf "f%d=%d&", i, i }
    if (mode == "form-escapes") { printf "%ca=", 0; for (i = 0; i < 60000; i++) printf "%%41%%e2%%82%%ac+" }
    if (mode == "same-key") { printf "%c", 0; for (i = 0; i < 200000; i++) printf "a=1&" }
    if (mode == "smtp-lines") { printf "%c", 0; for (i = 0; i < 100000; i++) printf "250-x\r\n"; printf "250 end\r\n" }
    if (mode == "smtp-long") { printf "%c250 ", 0; for (i = 0; i < 60000; i++) printf "xxxxxxxxxx"; printf "\r\n" }
    if (mode == "email") { for (i = 0; i < 50000; i++) printf "a."; printf "a@"; for (i = 0; i < 50000; i++) printf "b."; printf "com" }
    if (mode == "host") { for (i = 0; i < 50000; i++) printf "aaaaaaaaaa"; printf ":"; for (i = 0; i < 50000; i++) printf "1111111111" }
    if (mode == "jwt") { for (i = 0; i < 4000; i++) printf "a."; printf "a" }
    if (mode == "rules") { for (i = 0; i < 50000; i++) printf "1/0.5m/ip," }
    if (mode == "base32") { for (i = 0; i < 4000; i++) printf "A" }
    # FuzzClient (first byte: the parser). A 1 MB Set-Cookie: 17,000 cookies folded into
    # one header, each with an Expires comma; one cookie set 20,000 times; 35,000 attributes.
    if (mode == "set-cookie") { printf "%c", 0; for (i = 0; i < 17000; i++) printf "%sc%d=v; expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/", (i ? ", " : ""), i }
    if (mode == "set-cookie-same") { printf "%c", 0; for (i = 0; i < 20000; i++) printf "%sa=%d; expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/", (i ? ", " : ""), i }
    if (mode == "set-cookie-attributes") { printf "%ca=b", 0; for (i = 0; i < 35000; i++) printf "; Path=/x; Max-Age=9; Secure" }
    if (mode == "iso-fraction") { printf "%c2026-11-30T17:04:05.", 2; for (i = 0; i < 100000; i++) printf "1234567890"; printf "Z" }
    if (mode == "jwt-payload") { printf "%c{\"exp\": 1800000000, \"a\": \"", 3; for (i = 0; i < 6000; i++) printf "x"; printf "\"}" }
    # Refusals: 10,000-deep arrays (past the 512 levels JSONDecoder takes), objects 200 deep
    # (past what 512 KB of stack decodes) and 512 deep (the most JSONDecoder takes); DRF
    # field errors, flat and 16 levels deep, 1 MB.
    if (mode == "json-deep") { printf "%c", 4; for (i = 0; i < 10000; i++) printf "[" }
    if (mode == "json-deep-200") { printf "%c", 4; for (i = 0; i < 200; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 200; i++) printf "}" }
    if (mode == "json-deep-512") { printf "%c", 4; for (i = 0; i < 512; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 512; i++) printf "}" }
    if (mode == "json-field-errors") { printf "%c{", 4; for (i = 0; i < 28000; i++) printf "%s\"f%d\": [\"This field is required.\"]", (i ? "," : ""), i; printf "}" }
    if (mode == "json-nested-errors") {
      printf "%c{", 4
      for (i = 0; i < 6000; i++) {
        printf "%s\"f%d\": ", (i ? "," : ""), i
        for (j = 0; j < 16; j++) printf "{\"a\": "; printf "[\"Required.\"]"; for (j = 0; j < 16; j++) printf "}"
      }
      printf "}"
    }
    # A reset link with 300,000 path segments; a user of 30,000 fields, and one nested 200 deep.
    if (mode == "reset-link") { printf "%chttps://h/", 5; for (i = 0; i < 300000; i++) printf "a/"; printf "x-y/" }
    if (mode == "answer-deep") { printf "%c{\"pk\": 7, \"x\": ", 7; for (i = 0; i < 200; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < 200; i++) printf "}"; printf "}" }
    if (mode == "answer-user") { printf "%c{\"pk\": 7, \"username\": \"u\"", 7; for (i = 0; i < 30000; i++) printf ", \"x%d\": [\"v\", 1, {\"k\": null}]", i; printf "}" }
    # FuzzI18n (first byte: 0 .mo, 1 .po, 2 plural expression, 3 Accept-Language, NUL, cookie,
    # 5 template). A .po with a 200 KB msgid, one of 20,000 messages and one of 100,000
    # continued strings; a .mo (little-endian words) whose plural has 200,000 forms, and one of
    # 8,000 messages; an Accept-Language of 1 MB and a cookie of 100,000 subtags; templates of
    # 100,000 placeholders left open or closed only at the end (or after 100,000 flags), which
    # took minutes when each placeholder searched the rest of the text again.
    if (mode == "po-long-msgid") { printf "%cmsgid \"", 1; for (i = 0; i < 20000; i++) printf "aaaaaaaaaa"; printf "\"\nmsgstr \"x\"\n" }
    if (mode == "po-messages") { printf "%c", 1; for (i = 0; i < 20000; i++) printf "msgid \"k%d\"\nmsgstr \"v%d\"\n\n", i, i }
    if (mode == "po-continued") { printf "%cmsgid \"a\"\nmsgstr \"\"\n", 1; for (i = 0; i < 100000; i++) printf "\"b\"\n" }
    if (mode == "mo-forms") {
      printf "%c", 0; le32(2500072158); le32(0); le32(1); le32(28); le32(36); le32(0); le32(44)
      le32(3); le32(44); le32(200000); le32(48); printf "a%cb%c", 0, 0; for (i = 0; i <= 200000; i++) printf "%c", 0
    }
    if (mode == "mo-messages") {
      n = 8000; s = 28 + 16 * n
      printf "%c", 0; le32(2500072158); le32(0); le32(n); le32(28); le32(28 + 8 * n); le32(0); le32(s)
      for (i = 0; i < n; i++) { le32(6); le32(s + 7 * i) }
      for (i = 0; i < n; i++) { le32(6); le32(s + 7 * n + 7 * i) }
      for (i = 0; i < n; i++) printf "k%05d%c", i, 0
      for (i = 0; i < n; i++) printf "v%05d%c", i, 0
    }
    if (mode == "accept-language") { printf "%c", 3; for (i = 0; i < 100000; i++) printf "de-at;q=0.5, "; printf "en" }
    if (mode == "cookie-subtags") { printf "%cde%c", 3, 0; for (i = 0; i < 100000; i++) printf "a-"; printf "a" }
    if (mode == "percent-open") { printf "%c", 5; for (i = 0; i < 100000; i++) printf "%%(" }
    if (mode == "percent-closed-late") { printf "%c", 5; for (i = 0; i < 100000; i++) printf "%%("; printf ")s%ccount=1", 0 }
    if (mode == "percent-flags-late") { printf "%c", 5; for (i = 0; i < 50000; i++) printf "%%("; printf ")"; for (i = 0; i < 100000; i++) printf "0"; printf "s%ccount=1", 0 }
    if (mode == "brace-open") { printf "%c", 5; for (i = 0; i < 100000; i++) printf "{a" }
    if (mode == "brace-closed-late") { printf "%c", 5; for (i = 0; i < 100000; i++) printf "{a"; printf "}%cname=x", 0 }
  }' >"$dir/$2"
}
for mode in members escapes late-error late-utf8 deep; do stress FuzzJSON "$mode"; done
for mode in fields form-escapes same-key; do stress FuzzForm "$mode"; done
for mode in smtp-lines smtp-long; do stress FuzzSMTPReply "$mode"; done
stress FuzzEmailAddress email
stress FuzzRequestHost host
stress FuzzJWT jwt
stress FuzzMisc rules
stress FuzzMFA base32
for mode in set-cookie set-cookie-same set-cookie-attributes iso-fraction jwt-payload json-deep json-deep-200 \
  json-deep-512 json-field-errors json-nested-errors reset-link answer-user answer-deep; do
  stress FuzzClient "$mode"
done
for mode in po-long-msgid po-messages po-continued mo-forms mo-messages accept-language cookie-subtags percent-open \
  percent-closed-late percent-flags-late brace-open brace-closed-late; do
  stress FuzzI18n "$mode"
done
for dir in Fuzz/Stress/*/; do
  [ -d "$dir" ] || continue
  mkdir -p "$STRESS/$(basename "$dir")"
  cp -R "$dir." "$STRESS/$(basename "$dir")/"
done

run_target() {
  local name=$1 max_len=$2
  local corpus="$WORK/$name/corpus" artifacts="$ARTIFACTS/$name"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*
  if [ -d "Fuzz/Corpus/$name" ]; then cp -R "Fuzz/Corpus/$name/." "$corpus/"; fi
  local rc=0
  local stress=("$STRESS/$name"/*)
  if [ -e "${stress[0]}" ]; then
    (cd "$WORK/$name" && "$BIN/$name" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" \
      -artifact_prefix="$artifacts/" "${stress[@]}") >"$WORK/$name.stress.log" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
      # Given files, libFuzzer writes no artifact: the file it was running is the reproducer.
      sed -n 's/^Running: //p' "$WORK/$name.stress.log" | tail -1 >"$WORK/$name.stress-input"
      cat "$WORK/$name.stress.log" >"$WORK/$name.log"
      echo "$rc" >"$WORK/$name.rc"
      return
    fi
  fi
  # Swift's own crash handler (on by default on Linux) would take the trap before libFuzzer's
  # and the input found would not be saved: it is off while fuzzing (replaying the
  # reproducer prints the backtrace).
  (cd "$WORK/$name" && SWIFT_BACKTRACE=enable=no "$BIN/$name" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" \
    -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$MALLOC_MB" -max_len="$max_len" \
    -artifact_prefix="$artifacts/" -print_final_stats=1) >"$WORK/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$WORK/$name.rc"
}

running=0
for entry in "${ready[@]}"; do
  run_target ${entry} &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

passed=0
failed=0
for entry in "${ready[@]}"; do
  name=${entry%% *}
  rc=$(cat "$WORK/$name.rc" 2>/dev/null || echo 1)
  stats=$( (grep -E '^#[0-9]+[[:space:]]+DONE' "$WORK/$name.log" || true) | tail -1 \
    | sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+/\1 runs, /')
  reproducers=$(find "$ARTIFACTS/$name" -maxdepth 1 -type f \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null || true)
  if [ -s "$WORK/$name.stress-input" ]; then reproducers+=" $(cat "$WORK/$name.stress-input")"; fi
  if [ "$rc" = 0 ] && [ -z "$reproducers" ]; then
    passed=$((passed + 1))
    echo "ok   $name: ${stats:-no stats}"
  else
    failed=$((failed + 1))
    echo "FAIL $name (libFuzzer exit $rc)"
    (grep -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|SUMMARY|deadly signal|timeout after|out-of-memory' \
      "$WORK/$name.log" || true) | head -5 | sed 's/^/     /'
    mkdir -p "$ARTIFACTS/$name"
    cp "$WORK/$name.log" "$ARTIFACTS/$name/fuzz.log"
    for file in $reproducers; do
      echo "     reproducer: $file"
      echo "     replay:     $BIN/$name $file"
    done
    echo "     log:        $ARTIFACTS/$name/fuzz.log"
  fi
done

summary="fuzz: $passed passed, $failed failed"
if [ ${#skipped[@]} -gt 0 ]; then summary+=", ${#skipped[@]} skipped"; fi
echo "$summary"
[ "$failed" -eq 0 ]
