#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway MariaDB on loopback, runs every
# ctest suite (each storage suite on SQLite and on MariaDB), runs the benchmark smoke on both backends,
# stops MariaDB, exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")"
bash deploy/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build

tmp=$(mktemp -d /tmp/gongkai-test.XXXXXX)
cleanup() { tests/mariadb.sh stop "$tmp/mariadb" || true; rm -rf "$tmp"; }
trap cleanup EXIT
port=$(tests/free-port.sh)
tests/mariadb.sh start "$tmp/mariadb" "$port"
export GONGKAI_TEST_MYSQL_URL="mysql://gongkai:gongkai@127.0.0.1:$port/"
export GONGKAI_TEST_TMP="$tmp"
ctest --test-dir build --output-on-failure --timeout 900 "$@"
# The benchmark suite's smoke mode: every measured path answers without errors, on both backends.
bench/run.sh --smoke --backend sqlite
bench/run.sh --smoke --backend mysql
