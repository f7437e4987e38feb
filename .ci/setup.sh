#!/usr/bin/env bash
# Prepares this machine for the tests: each module that needs something from outside Maven (a
# Debian or npm package) adds an idempotent script to .ci/setup.d, run here in name order. Needs
# root and apt-get on a machine that lacks redis-server, nodejs, npm, chromium or nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
for setup in .ci/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  echo "== $setup"
  bash "$setup"
done
