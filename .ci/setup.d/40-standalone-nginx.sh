#!/usr/bin/env bash
# broadcasting-server-standalone: ReverseProxyIT runs the README's nginx block in Debian's nginx,
# started by the test itself on free ports. Installs nginx when missing, without letting the
# package's service start (nothing may listen on 80 behind the tests' backs).
set -euo pipefail

if [ -x /usr/sbin/nginx ]; then
  echo "nginx already installed: $(/usr/sbin/nginx -v 2>&1)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  own_policy=1
fi
apt-get update
apt-get install -y --no-install-recommends nginx
if [ "$own_policy" = 1 ]; then
  rm -f /usr/sbin/policy-rc.d
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
echo "installed: $(/usr/sbin/nginx -v 2>&1)"
