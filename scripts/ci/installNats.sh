#!/usr/bin/env bash
# Installs Debian's nats-server (the engine the relay cluster joins through) only when it is missing:
# the cluster tests (npm run test:cluster) and the NATS peer system of npm run bench start their own
# nats-server processes on loopback ports. Used by .ci/run; safe to run again.
set -euo pipefail

if command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ]; then
  echo "installNats: present ($( (command -v nats-server || echo /usr/sbin/nats-server) | head -n1))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "installNats: installing nats-server"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends nats-server
/usr/sbin/nats-server --version
