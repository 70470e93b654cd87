#!/bin/sh
# entrypoint.sh: one shard of a fleet, as a pod of a Kubernetes Indexed Job (or a CI matrix job)
# runs it: the shard from JOB_COMPLETION_INDEX, the common start instant from RATETEST_START_AT,
# the result into a file and then into the log for `kubectl logs … | ratetest merge -`. It adds
# only these flags; every other flag comes from the container's args, the same on every shard.
set -eu

index="${JOB_COMPLETION_INDEX:?JOB_COMPLETION_INDEX is not set: run as a pod of an Indexed Job (completionMode: Indexed), or set it to this shard's number}"
shards="${RATETEST_SHARDS:?RATETEST_SHARDS is not set: set it to the Job's completions (the number of shards)}"
start_at="${RATETEST_START_AT:?RATETEST_START_AT is not set: the instant every shard starts at, ISO 8601 (2026-12-02T18:00:00Z) or unix ms}"
results="${RATETEST_RESULTS:-/results}"
ratetest="${RATETEST_BIN:-ratetest}"

# Each connection is a file descriptor. Containers start with the runtime's soft limit (often
# 1024); the hard limit is usually far higher, and raising the soft one to it needs no privilege.
ulimit -n "$(ulimit -H -n)" 2>/dev/null || true

mkdir -p "$results"
json="$results/shard-$index.json"
hlog="$results/shard-$index.hlog"

set -- "$@" --shard "$index/$shards" --start-at "$start_at" --json "$json" --hdr-log "$hlog"
echo "ratetest-shard: $ratetest $*" >&2

status=0
"$ratetest" "$@" || status=$?

# The whole result after the run's own text, so the pod's log alone is enough to merge the fleet.
if [ -f "$json" ]; then cat "$json"; fi
exit "$status"
