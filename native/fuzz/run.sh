#!/usr/bin/env bash
# run.sh: builds two fuzzers with clang (libFuzzer + ASan + UBSan): the response parser, seeded
# from the parser test table, and the HTTP/2 glue (h2_fuzzer.cc, linked with the system libnghttp2).
# Each replays every saved regression input of its own, then both fuzz for a bounded time at once:
# each is one single-threaded process, so on two cores they take the time of one.
#   npm run fuzz -- [seconds]      (default 60, for each target)
# A crashing input is saved in test/fixtures/fuzz-regressions/ to be committed as a regression case.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=build/fuzz
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found; apt-get install -y clang" >&2; exit 2; }
[ -e /usr/include/nghttp2/nghttp2.h ] || { echo "fuzz: nghttp2 headers not found; apt-get install -y libnghttp2-dev" >&2; exit 2; }
mkdir -p "$out/corpus" "$out/h2-corpus"

# Both builds at once (a compiler is one process too); a failed one fails the script after both end.
flags=(-std=c++17 -g -O1 -Wall -Wextra -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
clang++ "${flags[@]}" native/fuzz/response_fuzzer.cc native/response.cc -o "$out/response_fuzzer" &
response_build=$!
clang++ "${flags[@]}" native/fuzz/h2_fuzzer.cc native/h2_session.cc native/grpc_response.cc native/h2_pool.cc \
  native/h2_request.cc native/histogram.cc native/recorder.cc -lnghttp2 -o "$out/h2_fuzzer" &
h2_build=$!
built=0
wait "$response_build" || built=1
wait "$h2_build" || built=1
[ "$built" = 0 ] || { echo "fuzz: a fuzzer did not build" >&2; exit 1; }

# Seeds: each table case as it goes on the wire, behind the fuzzer's two option bytes
# (bit 0 HEAD, bit 1 EOF; then the split seed).
node --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
const table = JSON.parse(readFileSync("test/fixtures/responses.json", "utf8"));
[...table.valid, ...table.malformed].forEach((c, i) => {
  const input = c.bareLf ? c.input : c.input.replace(/\n/g, "\r\n");
  const flags = (c.head ? 1 : 0) | (c.eof ? 2 : 0);
  writeFileSync(`'"$out"'/corpus/seed-${i}`, Buffer.concat([Buffer.from([flags, i]), Buffer.from(input, "latin1")]));
});'

regressions=(test/fixtures/fuzz-regressions/*)
if [ -e "${regressions[0]}" ] && [ "${regressions[0]##*/}" != ".keep" ] || [ "${#regressions[@]}" -gt 1 ]; then
  echo "== replaying saved regression inputs"
  find test/fixtures/fuzz-regressions -type f ! -name .keep ! -name 'h2-*' -print0 | xargs -0 -r "$out/response_fuzzer"
fi

# The HTTP/2 glue: seeds are a server's SETTINGS, its ACK and a HEADERS frame answering stream 1
# (":status 200", END_STREAM), behind the option bytes (4 streams open, 9-byte pieces), and one
# request for the conversion path (byte 0 bit 7).
printf '\x04\x08\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x04\x01\x00\x00\x00\x00\x00\x00\x01\x01\x05\x00\x00\x00\x01\x88' > "$out/h2-corpus/seed-response"
printf '\x80GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n' > "$out/h2-corpus/seed-request"
find test/fixtures/fuzz-regressions -type f -name 'h2-*' -print0 | xargs -0 -r "$out/h2_fuzzer"

# Each search writes its own log (two interleaved would be unreadable), shown once both end: the
# final stats, or the whole log of a search that failed (the crash, its input's path).
echo "== fuzzing the response parser and the HTTP/2 glue for ${seconds}s, both at once"
"$out/response_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=test/fixtures/fuzz-regressions/ "$out/corpus" >"$out/response_fuzzer.log" 2>&1 &
response_search=$!
"$out/h2_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=test/fixtures/fuzz-regressions/h2- "$out/h2-corpus" >"$out/h2_fuzzer.log" 2>&1 &
h2_search=$!
status=0
for search in "response_fuzzer $response_search" "h2_fuzzer $h2_search"; do
  read -r name pid <<<"$search"
  if wait "$pid"; then
    echo "== $name: $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/$name.log" || echo done)"
    grep '^stat::' "$out/$name.log"
  else
    status=1
    echo "== $name FAILED:"
    cat "$out/$name.log"
  fi
done
exit "$status"
