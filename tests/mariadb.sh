#!/usr/bin/env bash
# A throwaway MariaDB server for tests: its own datadir, socket and port under DIR, bound to loopback.
#   tests/mariadb.sh start DIR PORT   initialise (first time) and start; waits until it answers
#   tests/mariadb.sh stop DIR         stop it (SIGTERM, then SIGKILL after 30 s)
# Services do not start by themselves on these machines, and as root mariadbd needs --user=root.
# The server has a user gongkai/gongkai with all privileges, reachable at mysql://gongkai:gongkai@127.0.0.1:PORT/
set -euo pipefail
action=${1:?start|stop}
dir=${2:?directory}

case "$action" in
start)
  port=${3:?port}
  mkdir -p "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --auth-root-authentication-method=socket \
      --skip-test-db >"$dir/install.log" 2>&1
  fi
  mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_bin --innodb-buffer-pool-size="${GONGKAI_MARIADB_BUFFER_POOL:-64M}" \
    --innodb-log-file-size="${GONGKAI_MARIADB_LOG_FILE:-32M}" \
    --max-connections=500 --log-error="$dir/error.log" >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
      mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e \
        "CREATE USER IF NOT EXISTS 'gongkai'@'127.0.0.1' IDENTIFIED BY 'gongkai';
         GRANT ALL PRIVILEGES ON *.* TO 'gongkai'@'127.0.0.1';"
      exit 0
    fi
    sleep 0.1
  done
  echo "mariadb did not start; see $dir/error.log" >&2
  tail -20 "$dir/error.log" >&2 || true
  exit 1
  ;;
stop)
  [ -f "$dir/mysqld.pid" ] || exit 0
  pid=$(cat "$dir/mysqld.pid")
  kill -TERM "$pid" 2>/dev/null || exit 0
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
  ;;
esac
