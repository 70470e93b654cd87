#!/usr/bin/env bash
# test-install.sh (npm run test:install): packs ratetest and installs the tarball into empty
# folders as a user would. (1) No compiler at all: the prebuild is taken, `ratetest --version` and
# a 1 s run against a local server work, and nothing tried to compile. (2) The tarball without its
# prebuilds and still no compiler: the install fails, so (1) would have caught a compile. (3) The
# same without prebuilds, compilers present: the install compiles, and the run works. Linux only
# (nm -D); the tarball's dependencies come from npm's cache (--prefer-offline) or the registry.
# RATETEST_OTHER_NODE=/path/to/node (another Node major) runs (1)'s install under it too: the same
# prebuild must serve it. RATETEST_PACKED=<tarball> takes one scripts/pack-tracked.sh made before
# (.ci/run packs beside npm test) instead of packing here.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
server_pid=
compiled_install=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  # A failure before (3) is checked: its install, begun beside (1) and (2), ends before its folder goes.
  if [ -n "$compiled_install" ]; then wait "$compiled_install" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# An enclosing `npm run` exports its settings (build_from_source from this checkout's .npmrc,
# node_gyp, ...); none of them may reach the installs, which must see what a user's npm sees.
while read -r var; do unset "$var"; done < <(env | grep -o '^npm_[A-Za-z0-9_]*' || true)

if [ -n "${RATETEST_PACKED:-}" ]; then
  echo "== the tarball packed beforehand: $RATETEST_PACKED"
  [ -f "$RATETEST_PACKED" ] || fail "RATETEST_PACKED names no file: $RATETEST_PACKED"
  cp "$RATETEST_PACKED" "$work/"
  pack_s="beforehand"
else
  echo "== npm pack ($(date +%T))"
  start=$EPOCHREALTIME
  bash scripts/pack-tracked.sh "$work" >/dev/null || fail "npm pack"
  pack_s="$(seconds_since "$start") s"
fi
tarball=$(ls "$work"/ratetest-*.tgz)
files=$(tar -tzf "$tarball" | wc -l)
size=$(wc -c <"$tarball")
unpacked=$(tar -xzOf "$tarball" | wc -c)
version=$(node -p 'require("./package.json").version')
echo "   $tarball: $files files, $size bytes packed, $unpacked unpacked (packed ${pack_s}, prebuild compile included)"

echo "== the tarball's file list against the package-contents rules"
RATETEST_TARBALL="$tarball" npx vitest run test/integration/package-contents.test.ts >"$work/contents.log" 2>&1 ||
  { cat "$work/contents.log"; fail "package contents"; }

echo "== the prebuild links against N-API and OpenSSL's C API, nothing of V8, libuv or node::"
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
prebuild=$(ls "$work"/unpacked/package/prebuilds/"$(node -p 'process.platform + "-" + process.arch')"/ratetest.*.node)
undefined_symbols=$(nm -D --undefined-only "$prebuild" | awk '{ print $2 }')
internals=$(grep -E '^(_ZN2v8|_ZN4node|uv_|node_)' <<<"$undefined_symbols" || true)
[ -z "$internals" ] || fail "the prebuild uses Node internals beyond N-API: $internals"
echo "   $(basename "$prebuild"): $(grep -c '^napi_' <<<"$undefined_symbols") napi_* imports, no v8/node/uv symbols"

# A tarball as one without a prebuild for this platform would be: the same files, no prebuilds/.
rm -rf "$work/unpacked/package/prebuilds"
bare="$work/ratetest-no-prebuilds.tgz"
tar -czf "$bare" -C "$work/unpacked" package

# No toolchain: CC and CXX are false, and node-gyp, make, python and the compilers on PATH log
# their call and fail. npm runs install scripts with its own node-gyp shim ahead of PATH (and
# ignores npm_config_node_gyp there), so a compile would get past node-gyp and stop at python or
# make; step (2) shows it does.
traps="$work/no-compiler"
attempts="$work/compile-attempts.log"
mkdir -p "$traps"
for tool in node-gyp make python python3 cc c++ gcc g++ clang clang++; do
  printf '#!/usr/bin/env node\nrequire("fs").appendFileSync(%s, "%s " + process.argv.slice(2).join(" ") + "\\n");\nprocess.exit(1);\n' \
    "'$attempts'" "$tool" >"$traps/$tool"
  chmod +x "$traps/$tool"
done
no_compiler() { PATH="$traps:$PATH" CC=false CXX=false "$@"; }

# install_into <dir> <tarball>: npm install into an empty project; the log keeps the install script's output.
install_into() {
  mkdir -p "$1"
  printf '{ "name": "install-probe", "version": "1.0.0", "private": true }\n' >"$1/package.json"
  (cd "$1" && npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$2") >"$1/install.log" 2>&1
}

# a_run <dir> [env...]: --version, then 1 s at 200/s against a local counting server; the
# server's count must equal the requests the run sent, every one answered 200.
a_run() {
  local dir=$1
  shift
  local got
  got=$(cd "$dir" && "$@" npx --no-install ratetest --version) || fail "ratetest --version in $dir"
  [ "$got" = "$version" ] || fail "ratetest --version printed '$got', expected '$version'"
  node -e '
    let count = 0;
    const server = require("http").createServer((req, res) => {
      if (req.url === "/count") return res.end(String(count));
      count++;
      res.end("ok");
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));
  ' >"$work/port" &
  server_pid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  local port
  port=$(cat "$work/port")
  [ -n "$port" ] || fail "the local server did not start"
  (cd "$dir" && "$@" npx --no-install ratetest -R 200 -d 1s -c 4 -t 1 -q --json "$dir/run.json" "http://127.0.0.1:$port/") >"$dir/run.log" 2>&1 ||
    { cat "$dir/run.log"; fail "the 1 s run in $dir"; }
  local served
  served=$(node -e 'require("http").get(process.argv[1], (r) => { let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => console.log(b)); })' "http://127.0.0.1:$port/count")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
  rm -f "$work/port"
  node -e '
    const r = require(process.argv[1]);
    const served = Number(process.argv[2]);
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const problems = [];
    if (r.scheduled !== 200) problems.push(`scheduled ${r.scheduled}, expected 200`);
    if (r.sent + r.notSent !== r.scheduled) problems.push(`sent ${r.sent} + notSent ${r.notSent} != scheduled ${r.scheduled}`);
    if (served !== r.sent) problems.push(`the server counted ${served}, the run sent ${r.sent}`);
    if ((r.status["200"] ?? 0) !== r.completed || errors !== 0) problems.push(`status ${JSON.stringify(r.status)}, errors ${errors}, completed ${r.completed}`);
    if (problems.length) { console.error(problems.join("; ")); process.exit(1); }
    console.log(`   --version ${process.argv[3]}; 1 s run: scheduled ${r.scheduled}, sent ${r.sent}, completed ${r.completed}, served ${served}`);
  ' "$dir/run.json" "$served" "$version" || fail "the 1 s run's counts in $dir"
}

# (3)'s install compiles for ~15 s on two cores and takes nothing from (1) and (2), which wait on
# npm and a 1 s run: it starts first, beside them, and is checked after them.
compiled_start=$EPOCHREALTIME
install_into "$work/compiled" "$bare" &
compiled_install=$!

echo "== (1) install with no compiler ($(date +%T))"
start=$EPOCHREALTIME
no_compiler install_into "$work/prebuilt" "$tarball" || { cat "$work/prebuilt/install.log"; fail "the install without a compiler"; }
prebuilt_s=$(seconds_since "$start")
if grep -E '^gyp ' "$work/prebuilt/install.log"; then fail "the install log has gyp lines: it compiled"; fi
[ ! -e "$attempts" ] || { cat "$attempts"; fail "the install tried to compile"; }
[ ! -e "$work/prebuilt/node_modules/ratetest/build" ] || fail "the install left a build/ folder"
echo "   installed in ${prebuilt_s} s; no gyp lines, no compiler called, no build/"
a_run "$work/prebuilt" no_compiler
if [ -n "${RATETEST_OTHER_NODE:-}" ]; then
  echo "   the same install under Node $("$RATETEST_OTHER_NODE" --version):"
  a_run "$work/prebuilt" no_compiler env PATH="$(dirname "$RATETEST_OTHER_NODE"):$PATH"
fi

echo "== (2) no prebuild and no compiler: the install must fail ($(date +%T))"
if no_compiler install_into "$work/refused" "$bare"; then fail "installed with no prebuild and no compiler"; fi
[ -s "$attempts" ] || { cat "$work/refused/install.log"; fail "the failed install called no trapped tool"; }
grep -q '^gyp info it worked' "$work/refused/install.log" || fail "the failed install did not start node-gyp"
echo "   failed as it should: node-gyp started, then stopped at: $(cut -c1-60 "$attempts" | tr '\n' ';')"
rm -f "$attempts"

echo "== (3) no prebuild, compilers present: the install compiles (begun beside (1) and (2)) ($(date +%T))"
status=0
wait "$compiled_install" || status=$?
compiled_install=
[ "$status" = 0 ] || { cat "$work/compiled/install.log"; fail "the compiling install"; }
compiled_s=$(seconds_since "$compiled_start")
grep -q '^gyp info ok' "$work/compiled/install.log" || fail "the compiling install log has no 'gyp info ok'"
[ -e "$work/compiled/node_modules/ratetest/build/Release/ratetest.node" ] || fail "no build/Release/ratetest.node after compiling"
echo "   compiled and installed in ${compiled_s} s"
a_run "$work/compiled" env

echo "== test-install: ok ($(date +%T)). pack ${pack_s}; install with the prebuild ${prebuilt_s} s, compiling ${compiled_s} s; tarball $files files, $size bytes"
