#!/usr/bin/env bash
# The long fuzz run (docs/reliability.md): FUZZ_RUNS inputs (default 100000,
# about 2 hours on 2 cores) through the same harness as the bounded run in
# `npm test`. FUZZ_SEED replays a run. A failing input is written to
# $FUZZ_FAILURES_DIR (default /tmp/dropcap-fuzz-failures); add it to
# fixtures/regressions/ once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_RUNS="${FUZZ_RUNS:-100000}"
exec npx vitest run --project unit test/unit/fuzz-captures.test.ts "$@"
