#!/usr/bin/env bash
# pack-tracked.sh <dest-dir>: `npm pack` of this checkout's tracked files, as they are in the work
# tree, from a copy of them, with the checkout's node_modules linked in. npm pack's prepack and
# prepare rebuild dist/ and the prebuild; from a copy they leave this checkout's dist/ and build/
# alone, so a pack can run beside tests that use them. Prints the tarball's path.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=$(mkdir -p "$1" && cd "$1" && pwd)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$copy"
ln -s "$PWD/node_modules" "$copy/node_modules"
# An enclosing `npm run` exports its settings (build_from_source from this checkout's .npmrc, ...):
# the pack must see what a release's npm sees.
while read -r var; do unset "$var"; done < <(env | grep -o '^npm_[A-Za-z0-9_]*' || true)
(cd "$copy" && npm pack --pack-destination "$dest" >"$copy/pack.log" 2>&1) || { cat "$copy/pack.log" >&2; exit 1; }
ls "$dest"/ratetest-*.tgz
