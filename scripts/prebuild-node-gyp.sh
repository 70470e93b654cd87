#!/usr/bin/env bash
# prebuild-node-gyp.sh: the node-gyp prebuildify runs (it calls "rebuild <flags>"). Builds only
# binding.gyp's production target, ratetest: prebuildify takes the first .node in build/Release,
# and a test-only target built beside it could be the one it took.
set -euo pipefail
[ "${1:-}" = rebuild ] || { echo "prebuild-node-gyp.sh: expected rebuild, got: $*" >&2; exit 2; }
shift
node "$RATETEST_NODE_GYP" clean
node "$RATETEST_NODE_GYP" configure "$@"
# On make platforms node-gyp build passes its arguments to make as targets.
node "$RATETEST_NODE_GYP" build "$@" --jobs max ratetest
