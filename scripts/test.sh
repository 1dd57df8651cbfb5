#!/usr/bin/env bash
# The whole test suite: installs the real clients and servers the tests drive, builds, runs every
# test project, and prints one closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-deps.sh || { echo "dependency install failed"; exit 1; }
dotnet build Magpie.slnx -c Release -nologo -v quiet || { echo "build failed"; exit 1; }

log=$(mktemp)
# Projects run one after another: they start real servers, and 2 cores are easier to share that way.
timeout 1500 dotnet test Magpie.slnx -c Release --no-build -nologo -m:1 -- xUnit.MaxParallelThreads=2 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "Total: $passed passed, $failed failed"
exit "$status"
