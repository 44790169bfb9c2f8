#!/usr/bin/env bash
# Installs the Debian 12 packages Gongkai needs to build, run and test. Idempotent and non-interactive:
# it installs only what is missing, and runs `apt-get update` once, only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev
  libsoci-dev libsqlite3-dev libmariadb-dev
  libsodium-dev libkainjow-mustache-dev
  catch2
  mariadb-server mariadb-client
  curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
