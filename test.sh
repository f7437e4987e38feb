#!/usr/bin/env bash
# The README's test command: prepares this machine, then runs every test.
#
# Needs a JDK 17+ (./mvnw fetches Maven 3.9.11 once), network access to Maven Central and the npm registry, and
# on a machine that lacks them, root and apt-get to install Debian's redis-server, nodejs, npm and
# chromium (each .ci/setup.d script skips what is already there). Extra arguments go to Maven:
#   ./test.sh -pl broadcasting-core
set -euo pipefail
cd "$(dirname "$0")"

MVN=(./mvnw)   # the one place that names the Maven launcher: the wrapper, as the build needs Maven 3.9+

for setup in .ci/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  echo "== $setup"
  bash "$setup"
done

# chat-page: the examples' page is built with npm only when asked; its browser test needs it.
"${MVN[@]}" -B -ntp -Pchat-page verify "$@"
