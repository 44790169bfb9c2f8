#!/usr/bin/env bash
# The run command: installs what is missing, builds (Release), creates and migrates the SQLite database
# under var/, creates the first admin account if there is none (printing its one-time password once),
# and serves on http://127.0.0.1:8080. Running it again reuses everything.
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
mkdir -p var
export GONGKAI_DB="${GONGKAI_DB:-sqlite://var/gongkai.db}"
./build/gongkai migrate
./build/gongkai user bootstrap
# Templates are read from web/ so pages and letters can be edited without a rebuild.
exec ./build/gongkai serve --web-dir web "$@"
