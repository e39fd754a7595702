#!/usr/bin/env bash
# The long fuzz run (docs/reliability.md): FUZZ_RUNS inputs (default 100000,
# about 3 hours on 2 cores) through the same harness as the bounded run in
# `npm test`, in batches of FUZZ_BATCH inputs (default 5000), each in a fresh
# process with its own seed (FUZZ_SEED + batch number), so the RSS bound of
# each batch measures the pipeline, not hours of harness history.
# Stops at the first failing batch; its input is written to
# $FUZZ_FAILURES_DIR (default /tmp/dropcap-fuzz-failures): add it to
# fixtures/regressions/ once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
total="${FUZZ_RUNS:-100000}"
batch="${FUZZ_BATCH:-5000}"
base="${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
done_runs=0
i=0
while (( done_runs < total )); do
  runs=$(( total - done_runs < batch ? total - done_runs : batch ))
  seed=$(( base + i ))
  echo "fuzz-long: batch $((i + 1)), seed $seed, $runs inputs ($done_runs of $total done)"
  FUZZ_RUNS="$runs" FUZZ_SEED="$seed" npx vitest run --project unit test/unit/fuzz-captures.test.ts "$@"
  done_runs=$(( done_runs + runs ))
  i=$(( i + 1 ))
done
echo "fuzz-long: $done_runs inputs, no failure (seeds $base..$(( base + i - 1 )))"
