#!/usr/bin/env bash
# Installs the Debian 12 packages Gongkai needs to build, run and test. Idempotent and non-interactive:
# it installs only what is missing, and runs `apt-get update` once, only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-all-dev
  libsoci-dev libsqlite3-dev libmariadb-dev
  libsodium-dev libkainjow-mustache-dev libcurl4-openssl-dev libicu-dev
  catch2
  mariadb-server mariadb-client
  curl
  wrk nginx-light
  chromium fonts-noto-cjk
)
# Node.js and npm drive the browser tests (playwright-core); use the machine's if it has them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser tests and ajv for the OpenAPI examples, from the npm registry at the version in package-lock.json;
# it never downloads a browser (Debian's /usr/bin/chromium is used).
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/tests/browser/package.json" ] && { [ ! -d "$here/tests/browser/node_modules/playwright-core" ] || [ ! -d "$here/tests/browser/node_modules/ajv" ]; }; then
  (cd "$here/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
