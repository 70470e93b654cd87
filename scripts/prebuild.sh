#!/usr/bin/env bash
# prebuild.sh (npm's prepack): builds this platform's prebuilt addon into prebuilds/<platform>-<arch>/
# with prebuildify, so the tarball installs without a compiler. It builds in build-prebuild/ (links
# to the sources) and leaves the checkout's build/ alone; prebuilds of other platforms, laid down
# by the release workflow before `npm pack`, are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm sets npm_config_node_gyp for its scripts; run by hand, use the node-gyp bundled with npm.
export RATETEST_NODE_GYP="${npm_config_node_gyp:-$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js}"
platform="$(node -p 'process.platform + "-" + process.arch')"
rm -rf build-prebuild "prebuilds/$platform"
mkdir -p build-prebuild
ln -s ../binding.gyp ../native ../node_modules ../package.json build-prebuild/
# --napi: one build for every Node with N-API 8 (binding.gyp's NAPI_VERSION), named without an ABI
# tag; --tag-libc (Linux): a glibc build is not taken on musl (Alpine), which compiles instead;
# --target: the running Node's headers (npm's nodedir, or node-gyp's download), not the newest Node
# prebuildify knows of; with N-API the version only picks the headers.
libc=()
if [ "$(uname)" = Linux ]; then libc=(--tag-libc); fi
npx prebuildify --napi --strip ${libc[@]+"${libc[@]}"} --target "$(node -p process.versions.node)" \
  --cwd build-prebuild --out . --node-gyp "$PWD/scripts/prebuild-node-gyp.sh"
# The prebuild must load here and be the production addon (it exports start).
node -e '
  const dir = "prebuilds/" + process.argv[1];
  const files = require("fs").readdirSync(dir);
  if (files.length !== 1) throw new Error(dir + " holds " + files.join(", ") + "; expected one addon");
  const addon = require(require("path").resolve(dir, files[0]));
  if (typeof addon.start !== "function") throw new Error(files[0] + " has no start(): not the production addon");
  console.log("prebuilt " + dir + "/" + files[0]);
' "$platform"
rm -rf build-prebuild
