#!/usr/bin/env bash
# broadcasting-server's tests drive the server with real pusher-js and laravel-echo clients, run by
# Node.js. Install Node.js (18+) and npm when missing, then the exact npm packages of package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends nodejs npm
fi
node --version
(cd broadcasting-server/src/test/js && npm ci --no-audit --no-fund)
