#!/usr/bin/env bash
# test-sanitized.sh: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-sanitize/ (the Release addon stays as it is) and runs the tests that drive native code
# against it: the parser, schedule and template units and the integration tests (less those that
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
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export RATETEST_ADDON="$addon"
npx vitest run test/unit/response-parser.test.ts test/unit/schedule.test.ts test/unit/schedule-shapes.test.ts test/unit/template-expand.test.ts test/integration \
  --exclude '**/usage-errors.test.ts' --exclude '**/shape-usage-errors.test.ts' --exclude '**/version.test.ts' --exclude '**/find-max.test.ts' --exclude '**/monitor-pid.test.ts'
