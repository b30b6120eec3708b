#!/usr/bin/env bash
# Installs the Debian packages the end-to-end suite needs, only those that are missing.
#   chromium          the browser playwright-core drives (Playwright's own browser download is unreachable offline)
#   unzip             the harness reads package.json out of the .vsix
#   fonts-dejavu-core readable text in screenshots (chromium with --no-install-recommends brings no font)
#   fonts-noto-color-emoji  reactions and the emoji picker as emoji, not empty boxes, in screenshots
#   libkrb5-dev       headers for code-server's `kerberos` native module (built by its postinstall)
#   pkg-config        used by that build to find krb5
#   make g++ python3  node-gyp's build tools
#   ca-certificates   npm over TLS on a bare image
# Used by .ci/run (as root, like every machine of this project). Safe to run again: it does nothing
# when everything is there. Keep this list in step with REQUIRED in scripts/e2e/prepareHost.js.
set -euo pipefail

packages=(chromium unzip fonts-dejavu-core fonts-noto-color-emoji libkrb5-dev pkg-config make g++ python3 ca-certificates)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" != "installed" ]; then
    # python3 may come from elsewhere (pyenv, a toolchain image): node-gyp only needs one on PATH.
    if [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1; then continue; fi
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "installSystemDeps: all present (${packages[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "installSystemDeps: installing ${missing[*]}"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "installSystemDeps: done in $(( $(date +%s) - start )) s"
