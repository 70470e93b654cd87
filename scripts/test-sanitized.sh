#!/usr/bin/env bash
# test-sanitized.sh: runs the tests that drive native code against the addon built with
# AddressSanitizer and UndefinedBehaviorSanitizer (scripts/build-sanitized.sh, skipped with --built
# when CI has built it already). Node is not built with ASan, so the runtimes are preloaded; leak
# checking is off because Node frees little at exit.
#   bash scripts/test-sanitized.sh [--built]
set -euo pipefail
cd "$(dirname "$0")/.."
addon="$PWD/build-sanitize/build/Debug/ratetest.node"
if [ "${1:-}" = --built ]; then
  [ -f "$addon" ] || { echo "test-sanitized: --built, but $addon is missing (run scripts/build-sanitized.sh)" >&2; exit 2; }
else
  bash scripts/build-sanitized.sh
fi
node scripts/build-ts.mjs
echo "== sanitizer build: $addon"
preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# Reports go to files, checked after the tests: a test retried past a timing flake (below) can
# then never hide a memory error, which is what this pass is for.
reports="$PWD/build-sanitize/reports"
rm -rf "$reports" && mkdir -p "$reports"
# Allocation stacks of 10 frames, not 30: they reach the addon's own frames, and recording them
# was a tenth of each instrumented run's CPU.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:malloc_context_size=10:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export RATETEST_ADDON="$addon"
# Each file drives a native path no other file here drives, once. Within them, a test that repeats
# another's native path, or ends before the engine starts, skips itself (SANITIZED in
# test/integration/run-cli.ts) and says which test covers it. The byte-level parsers (HTTP/1.1
# framing, the HTTP/2 glue) get arbitrary input from the fuzzer under the same sanitizers, and
# framing, schedule and template expansion their native unit tests (scripts/test-native.sh, run
# by npm test); so what is left for here is the addon as the pump runs it: sockets, timers,
# connections opened, closed and replaced, and the rings to and from JavaScript.
# These load the addon into the test process, which therefore runs with the runtimes preloaded.
in_process=(
  # The parser, schedule, template and ring as the addon exports them (N-API in and out): seconds.
  test/unit/response-parser.test.ts test/unit/schedule.test.ts test/unit/schedule-shapes.test.ts
  test/unit/template-expand.test.ts test/unit/byte-ring.test.ts
)
# These run the CLI, and only its processes get the runtimes (RATETEST_CLI_LD_PRELOAD,
# test/integration/run-cli.ts): vitest, its workers and the test servers load no addon, and took a
# quarter of this pass's CPU when they ran under the runtimes too.
cli=(
  # The HTTP/1.1 pump against servers that misbehave: a parse error mid-stream, headers past the
  # read buffer, resets and closes mid-response, a read timeout, connections dropped at once.
  test/integration/hostile.test.ts
  # Connection: close on every response (a reconnect per request) and bodies ended by the close.
  test/integration/connection-close.test.ts
  # Connect errors: a port nobody listens on.
  test/integration/refused-port.test.ts
  # Connect over IPv6, and the connect timeout.
  test/integration/transports.test.ts
  # TLS over memory BIOs: verified runs, a failed verification, client certificates, resumption,
  # over a Unix socket, pipelined.
  test/integration/https.test.ts
  # HTTP/2 (nghttp2): h2c and h2 by ALPN, HEADERS and DATA from headers, bodies, templates and
  # scripts, a stream cap; then GOAWAY, RST_STREAM and a closed flow-control window.
  test/integration/http2.test.ts test/integration/http2-hostile.test.ts
  # The script rings (Lua and JS): several requests per call, response bodies back to the script,
  # per-thread addresses, thread:stop(), a ring outgrown, a runtime error mid-run.
  test/integration/scripts.test.ts
  # Templates and request files expanded by the pump, across threads.
  test/integration/templates.test.ts
  # Load shapes the pump runs apart from a rate: closed loop (-R max), connections grown mid-run.
  test/integration/load-shapes.test.ts
  # gRPC over the HTTP/2 session: the length-prefixed framing, grpc-status from trailers and from
  # trailers-only answers, HTTP errors kept apart.
  test/integration/grpc.test.ts
  # The HTTP/1.1 pump over io_uring: sends, multishot receives with provided buffers, receives
  # cancelled before a close (server closes, timeouts), pipelining, closed loop.
  test/integration/io-uring.test.ts
  # A sharded schedule; a run stopped by SIGINT mid-flight.
  test/integration/shard-run.test.ts test/integration/sigint.test.ts
)
echo "== under the sanitizers: ${in_process[*]} ${cli[*]}"
# Pace is not what this pass tests (the instrumented pumps are several times slower), so every file
# runs two at a time (RATETEST_ADDON in vitest.config.ts); a test of pace reads its run's
# self-check and skips what a busy machine could not judge. A test that fails all the same runs
# again (--retry); any sanitizer report fails the pass below, retried or not.
status=0
LD_PRELOAD="$preload" npx vitest run --retry 2 "${in_process[@]}" || status=$?
RATETEST_CLI_LD_PRELOAD="$preload" npx vitest run --retry 2 "${cli[@]}" || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "== sanitizer reports:"
  cat "$reports"/*
  exit 1
fi
exit "$status"
