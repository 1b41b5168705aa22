#!/usr/bin/env bash
# Writes the dashboard's screenshots into docs/images (dashboard.png, dashboard-phone.png,
# dashboard-settings.png): the end-to-end tests in headless Chromium take them on the way
# (tests/Web/Browser), here pointed at docs/images instead of the test output.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
mkdir -p docs/images
RECOVERYSIM_SCREENSHOTS="$top/docs/images" dotnet test tests/Web -c Release -nologo \
  --filter "FullyQualifiedName~RecoverySim.Web.Tests.Browser"
ls -l docs/images
