#!/usr/bin/env bash
# run.sh: builds the response-parser fuzzer with clang (libFuzzer + ASan + UBSan), seeds it from
# the parser test table, replays every saved regression input, then fuzzes for a bounded time.
# Then the same for the HTTP/2 glue (h2_fuzzer.cc, linked with the system libnghttp2).
#   npm run fuzz -- [seconds]      (default 60, for each target)
# A crashing input is saved in test/fixtures/fuzz-regressions/ to be committed as a regression case.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=build/fuzz
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found; apt-get install -y clang" >&2; exit 2; }
mkdir -p "$out/corpus"

clang++ -std=c++17 -g -O1 -Wall -Wextra -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  native/fuzz/response_fuzzer.cc native/response.cc -o "$out/response_fuzzer"

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

echo "== fuzzing for ${seconds}s"
"$out/response_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=test/fixtures/fuzz-regressions/ "$out/corpus"

# The HTTP/2 glue: seeds are a server's SETTINGS, its ACK and a HEADERS frame answering stream 1
# (":status 200", END_STREAM), behind the option bytes (4 streams open, 9-byte pieces), and one
# request for the conversion path (byte 0 bit 7).
[ -e /usr/include/nghttp2/nghttp2.h ] || { echo "fuzz: nghttp2 headers not found; apt-get install -y libnghttp2-dev" >&2; exit 2; }
clang++ -std=c++17 -g -O1 -Wall -Wextra -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  native/fuzz/h2_fuzzer.cc native/h2_session.cc native/grpc_response.cc native/h2_pool.cc native/h2_request.cc native/histogram.cc native/recorder.cc \
  -lnghttp2 -o "$out/h2_fuzzer"
mkdir -p "$out/h2-corpus"
printf '\x04\x08\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x04\x01\x00\x00\x00\x00\x00\x00\x01\x01\x05\x00\x00\x00\x01\x88' > "$out/h2-corpus/seed-response"
printf '\x80GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n' > "$out/h2-corpus/seed-request"
find test/fixtures/fuzz-regressions -type f -name 'h2-*' -print0 | xargs -0 -r "$out/h2_fuzzer"
echo "== fuzzing the HTTP/2 glue for ${seconds}s"
"$out/h2_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix=test/fixtures/fuzz-regressions/h2- "$out/h2-corpus"
