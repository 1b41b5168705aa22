#!/usr/bin/env bash
# Runs every test of the solution (unit, property, power-cut and interop against the real
# peers), installing the peers first. Ends with one line: "N passed, N failed[, N skipped]".
# Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Gpt").
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

bash scripts/install-peers.sh || { echo "test.sh: could not install the test peers" >&2; echo "0 passed, 1 failed"; exit 1; }
export RECOVERYSIM_ATFTPD="$top/.peers/atftpd/usr/sbin/atftpd"
export PATH="$PATH:/usr/sbin:/sbin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results="$top/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

dotnet build RecoverySim.sln -c Release -nologo -v quiet || { echo "test.sh: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }
dotnet test RecoverySim.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" "$@"
rc=$?

# Sum the counters of every TRX file: <Counters total=".." executed=".." passed=".." failed=".." ...>
sum() { grep -ho "<Counters [^>]*" "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' | awk '{s+=$1} END {print s+0}'; }
passed=$(sum passed); failed=$(sum failed); total=$(sum total); executed=$(sum executed)
errors=$(sum error); timeouts=$(sum timeout); aborted=$(sum aborted)
failed=$((failed + errors + timeouts + aborted))
skipped=$((total - executed))
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi   # a crashed test host counts as a failure
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then echo "test.sh: no test ran" >&2; failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
