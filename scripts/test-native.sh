#!/usr/bin/env bash
# test-native.sh: builds and runs the native unit tests (native/test/) with AddressSanitizer and
# UndefinedBehaviorSanitizer: the framing, the schedule and template expansion, without N-API or
# sockets. Builds into build-native-test/; ends with the runner's "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-native-test
mkdir -p "$out"
# Headers only, nothing linked: plan.h (under request_source.h) names OpenSSL types, whose
# headers come with Node's, as for the addon.
node_include="$(node -p "require('path').resolve(process.execPath, '../../include/node')")"
"${CXX:-g++}" -std=c++17 -Wall -Wextra -Werror -O0 -g -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -isystem "$node_include" \
  native/test/*.cc native/response.cc native/template_source.cc native/grpc_response.cc native/interval_recorder.cc native/histogram.cc native/recorder.cc \
  -o "$out/native-tests"
ASAN_OPTIONS=detect_leaks=1 "$out/native-tests"
