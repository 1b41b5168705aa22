#!/usr/bin/env bash
# Publishes the command line as it is installed: Release, native ahead-of-time compiled (its
# start-up is part of every command's time; a JIT build spends ~0.15 s of CPU compiling before
# the first byte). One place for the publish command: scripts/install.sh and scripts/bench.sh.
#
#   bash scripts/publish-aot.sh OUTDIR      -> OUTDIR/recoverysim
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage='usage: publish-aot.sh OUTDIR'
out=${1:?$usage}
case "$out" in
  -h|--help) echo "$usage"; exit 0 ;;
  -*) echo "publish-aot: OUTDIR '$out' looks like an option; $usage" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64|arm64) rid=linux-arm64 ;;
  *) echo "publish-aot: no .NET runtime identifier for $(uname -m)" >&2; exit 1 ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet publish "$top/tools/recoverysim" -c Release -r "$rid" -p:PublishAot=true -p:OptimizationPreference=Speed \
  --artifacts-path "$top/artifacts/aot-build" -o "$out" -nologo -v quiet >"$log" 2>&1 || { cat "$log" >&2; echo "publish-aot: dotnet publish failed" >&2; exit 1; }
[ -x "$out/recoverysim" ] || { echo "publish-aot: no $out/recoverysim after publishing" >&2; exit 1; }
