#!/usr/bin/env bash
# build-sanitized.sh: builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-sanitize/ (the Release addon stays as it is), for scripts/test-sanitized.sh. On its own so
# that CI can build it while other work runs (.ci/run); quiet unless the build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build-sanitize && mkdir -p build-sanitize
ln -s ../binding.gyp ../native ../node_modules build-sanitize/
npm run --silent build:sanitize >build-sanitize.log 2>&1 || { cat build-sanitize.log; exit 1; }
