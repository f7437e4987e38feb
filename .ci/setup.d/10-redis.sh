#!/usr/bin/env bash
# broadcasting-redis: install Debian's redis-server so the tests run against Redis 7 (sharded
# pub/sub needs it). The tests start their own servers on free ports; without this package they
# fall back to the 6.2 binary inside the embedded-redis test artifact.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
else
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package's service from starting: nothing may listen on 6379 behind the tests' backs.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get update
  apt-get install -y --no-install-recommends redis-server
  if [ "$own_policy" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  echo "installed: $(redis-server --version)"
fi

# Whatever the package did, make sure no system service holds 6379.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
if command -v service >/dev/null 2>&1; then
  service redis-server stop >/dev/null 2>&1 || true
fi
if [ -f /etc/init.d/redis-server ] && command -v update-rc.d >/dev/null 2>&1; then
  update-rc.d redis-server disable >/dev/null 2>&1 || true
fi
