#!/usr/bin/env bash
# examples: the chat demo's page is built with npm (laravel-echo, pusher-js, esbuild) during the
# Maven build, and ChatDemoBrowserTest drives Debian's chromium with playwright-core. Installs what
# is missing (never a browser download of Playwright's own), then fetches the page's packages.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# A font, so that the page renders text in the test's screenshot.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "node $(node --version), npm $(npm --version), $(/usr/bin/chromium --version 2>/dev/null)"

# The same install the Maven build runs; done here too so a registry problem shows up on its own.
(cd examples/src/main/js && npm ci --no-audit --no-fund --loglevel=error)
