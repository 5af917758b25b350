#!/bin/sh
# make bench: zcopy's commands side by side with GNU coreutils on this
# machine. See tests/bench/README.md for what is measured and how.
#
#   BENCH_QUICK=1   a short run (smaller inputs, fewer repetitions)
#   BENCH_PIN=1     also run the streaming rows pinned: on one core, on two
#   TMPDIR          where the scratch files go (its filesystem is measured)
#
# Timing never fails this script: it exits 1 only when a command under test
# fails or gives wrong output, 2 when the benchmark cannot run.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
GO=${GO:-go}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/zcopy-bench.XXXXXX")
# --one-file-system: never follow into a loop mount left by a killed run.
trap 'rm -rf --one-file-system "$scratch"' EXIT
trap 'exit 130' INT TERM
mkdir "$scratch/helpers" "$scratch/work"

# The helpers and the harness, built as the commands are (-trimpath).
"$GO" build -trimpath -o "$scratch/helpers/" ./tests/bench/...

quick=
case ${BENCH_QUICK:-} in
'' | 0) ;;
*) quick=-quick ;;
esac

pin=
case ${BENCH_PIN:-} in
'' | 0) ;;
*) pin=-pin ;;
esac

status=0
"$scratch/helpers/harness" -root "$root" -helpers "$scratch/helpers" -work "$scratch/work" $quick $pin || status=$?
# The methods side by side (--method) and the cost of --progress: a tool
# of its own (tests/bench/techniques), after the main rows.
mkdir -p "$scratch/techniques"
"$scratch/helpers/techniques" -root "$root" -helpers "$scratch/helpers" -work "$scratch/techniques" $quick || status=$?
exit $status
