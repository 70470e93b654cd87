#!/usr/bin/env bash
# test-sanitized.sh: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-sanitize/ (the Release addon stays as it is) and runs the tests that drive native code
# against it: the parser, schedule, template and ring units and the integration tests (less those that
# only check usage errors or repeat runs already covered, to keep CI short). Node is not built with ASan, so the runtimes are preloaded;
# leak checking is off because Node frees little at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build-sanitize && mkdir -p build-sanitize
ln -s ../binding.gyp ../native ../node_modules build-sanitize/
npx tsc -p tsconfig.json
npm run --silent build:sanitize >build-sanitize.log 2>&1 || { cat build-sanitize.log; exit 1; }
addon="$PWD/build-sanitize/build/Debug/ratetest.node"
echo "== sanitizer build: $addon"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# Reports go to files, checked after the tests: a test retried past a timing flake (below) can
# then never hide a memory error, which is what this pass is for.
reports="$PWD/build-sanitize/reports"
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export RATETEST_ADDON="$addon"
# Left out: usage errors, version, monitor-pid, find-max (no native code beyond a plain run);
# the report and output features (hgrm, thresholds, prometheus, latency-flags, json-output,
# compare, hdr-log, progress, html-report), which read the same snapshot and result paths every
# other run does; plain runs that repeat counts-rate's path (fixed-delay, nginx, too-few-connections,
# stall, mixed-status, request-headers, request-body); response shapes the parser unit test and the
# fuzzer cover under the same sanitizers (malformed-status, bodiless); wrk-scripts, whose native
# path (the script rings) scripts.test.ts drives; closed-pipe and limits (a plain run once the
# JavaScript side has dealt with stdout or the descriptor limit); counts-rate, whose figures are the
# pace ASan slows and whose plain-run path every test here takes; chunked and large-body (bodies
# across reads: the parser test and the fuzzer, and hostile's headers larger than the read buffer);
# idle-close (a reconnect after the server closed, as connection-close's) and never-answers (the
# timeout path, as hostile's hung connections). What is left drives each native path once: the
# parser against hostile servers, TLS (https), templates, scripts, pipelining and Unix sockets
# (transports), closing and close-delimited responses, connect errors, stop, and the load shapes
# (closed loop, growing connections, stages). Tests that end before the engine starts skip
# themselves here (SANITIZED in test/integration/run-cli.ts). native-units builds its own
# sanitized binary (scripts/test-native.sh); packaging (package-contents, addon-loader) runs no
# native code of the sanitized build; http2-truth is a timing check whose native path http2 and
# http2-hostile drive; the fleet, merge and demo tests repeat a plain run's path (shard-run keeps the
# sharded schedule under the sanitizers); dashboard is a plain run whose snapshots (thread CPU
# readings included) every run here takes.
skip=(usage-errors shape-usage-errors version find-max monitor-pid
  hgrm thresholds prometheus latency-flags json-output compare hdr-log progress html-report
  fixed-delay nginx too-few-connections stall mixed-status request-headers request-body
  malformed-status bodiless wrk-scripts closed-pipe limits counts-rate
  chunked large-body idle-close never-answers native-units package-contents addon-loader
  http2-truth demo target truth-cli merge-fleet shard-entrypoint docs-examples self-check fleet dashboard)
# Named file by file: vitest's --exclude does not reach the projects of vitest.config.ts.
files=(test/unit/response-parser.test.ts test/unit/schedule.test.ts test/unit/schedule-shapes.test.ts test/unit/template-expand.test.ts test/unit/byte-ring.test.ts)
for file in test/integration/*.test.ts; do
  name=$(basename "$file" .test.ts)
  [[ " ${skip[*]} " == *" $name "* ]] || files+=("$file")
done
echo "== under the sanitizers: ${files[*]}"
# The files run as npm test runs them (vitest.config.ts): what asserts accounting several at a
# time, what asserts pace one at a time, skipping what the instrumented pumps on a busy machine
# could not judge. A test that fails all the same runs again (--retry); any sanitizer report
# fails the pass below, retried or not.
status=0
npx vitest run --retry 2 "${files[@]}" || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "== sanitizer reports:"
  cat "$reports"/*
  exit 1
fi
exit "$status"
