#!/usr/bin/env bash
# The benchmark suite: bench/run.sh [--cases N] [--duration S] [--backend sqlite|mysql] [--db URL] [--smoke]
#
# Starts on loopback what it measures against: a database filled with N generated cases
# (build/report_bench), the raw-insert ceiling with the same durability (build/insert_ceiling), nginx
# serving /healthz's body as a static file (the HTTP ceiling), and gongkai serve. Drives each path with wrk
# and prints one table: requests/s, latency p50/p95/p99, the ceiling and the ratio. --smoke (small N, 2 s
# runs) is what ./test.sh runs: it fails if any path answers an error. Not a test of speed.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=100000 duration=10 backend=sqlite smoke=0 reuse=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --smoke) smoke=1; cases=300; duration=2; shift ;;
    --db) reuse=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--cases N] [--duration S] [--backend sqlite|mysql] [--db URL] [--smoke]" >&2; exit 2 ;;
  esac
done

# 1,000 keep-alive connections need more descriptors than the common soft limit of 1,024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 4096 2>/dev/null || true

[ -f build/CMakeCache.txt ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target gongkai report_bench insert_ceiling >/dev/null

tmp=$(mktemp -d /tmp/gongkai-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$backend" = mysql ] && tests/mariadb.sh stop "$tmp/mariadb" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "$reuse" ]; then
  # A database filled before (by report_bench, with at least --cases cases): measured as it is. A MariaDB
  # URL names a running server; the ceiling uses a database "ceiling" on it.
  url=$reuse
  if [ "$backend" = mysql ]; then
    hostport=${reuse#*@}; hostport=${hostport%%/*}
    mariadb -h"${hostport%:*}" -P"${hostport#*:}" -ugongkai -pgongkai -e "CREATE DATABASE IF NOT EXISTS ceiling"
    ceiling_url="mysql://gongkai:gongkai@$hostport/ceiling"
  else
    ceiling_url="sqlite://$tmp/ceiling.db"
  fi
elif [ "$backend" = mysql ]; then
  dbport=$(tests/free-port.sh)
  tests/mariadb.sh start "$tmp/mariadb" "$dbport" >/dev/null
  for d in bench ceiling; do
    mariadb -h127.0.0.1 -P"$dbport" -ugongkai -pgongkai -e "CREATE DATABASE IF NOT EXISTS $d"
  done
  url="mysql://gongkai:gongkai@127.0.0.1:$dbport/bench"
  ceiling_url="mysql://gongkai:gongkai@127.0.0.1:$dbport/ceiling"
else
  url="sqlite://$tmp/bench.db"
  ceiling_url="sqlite://$tmp/ceiling.db"
fi

echo "== filling $cases cases ($backend)"
build/report_bench "$url" "$cases" 2>/dev/null | sed 's/^/   /'
echo "== raw-insert ceiling (${duration}s)"
ceiling_line=$(build/insert_ceiling "$ceiling_url" "$duration" 2>/dev/null)
echo "   $ceiling_line"
insert_ceiling=$(echo "$ceiling_line" | awk '{print $2}')

port=$(tests/free-port.sh)
build/gongkai serve --listen "127.0.0.1:$port" --db "$url" --filing-limit 1000000000 --lookup-limit 1000000000 \
  2>/dev/null >"$tmp/serve.out" &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/readyz" >/dev/null

# nginx serving the same bytes /healthz answers, as a static file.
nport=$(tests/free-port.sh)
mkdir -p "$tmp/www" "$tmp/nginx"
curl -fs "$base/healthz" >"$tmp/www/healthz"
chmod 755 "$tmp" "$tmp/www" && chmod 644 "$tmp/www/healthz"  # nginx's workers read it as another user
cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
  uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
  server { listen 127.0.0.1:$nport; root $tmp/www; default_type application/json; }
}
EOF
nginx -c "$tmp/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$nport/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# An application to look up, and a supervisor's token for the staff pages.
body='{"category":"natural_person","name":"王芳","id_type":"resident_id","id_number":"11010519491231002X","phone":"13800138000","address":"北京市东城区","description":"某项目批复文件","info_form":"electronic","delivery":"download"}'
receipt=$(curl -fs -X POST "$base/api/v1/requests" -H 'Content-Type: application/json' -d "$body")
no=$(echo "$receipt" | sed -E 's/.*"tracking_no":"([^"]+)".*/\1/')
code=$(echo "$receipt" | sed -E 's/.*"access_code":"([^"]+)".*/\1/')
# A supervisor of its own each run (a reused database keeps the accounts of earlier runs).
supervisor="bench$(date +%s)"
printf 'a long enough bench password\n' | build/gongkai user add "$supervisor" --role supervisor --role staff --db "$url" >/dev/null
token=$(curl -fs -X POST "$base/api/v1/session" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$supervisor\",\"password\":\"a long enough bench password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')

# A deep queue page: "下一页" followed from the first page to page 2,000 (row 100,000 at 50 a page), so the
# cursor is the one a clerk paging that far would hold (fewer pages when there are fewer cases).
deep="$base/staff?view=all" deep_page=1
for _ in $(seq 2 2000); do
  next=$(curl -fs -H "Authorization: Bearer $token" "$deep" | grep -o 'href="[^"]*">下一页' | sed -E 's/^href="([^"]*)".*/\1/; s/&amp;/\&/g' || true)
  [ -n "$next" ] || break
  deep="$base$next" deep_page=$((deep_page + 1))
done

cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.1f %.2f %.2f %.2f %d %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, errors))
end
EOF
{ printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body"
  cat "$tmp/report.lua"; } >"$tmp/post.lua"

failed=0
rows=()
# run NAME CONNECTIONS SCRIPT URL [HEADER...]: one wrk run; prints nothing, appends a row.
run() {
  local name=$1 conns=$2 script=$3 url=$4; shift 4
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  local out
  out=$(wrk -t2 -c"$conns" -d"${duration}s" --timeout 30s -s "$script" "${args[@]}" "$url" 2>&1 | grep '^RESULT' || true)
  if [ -z "$out" ]; then echo "wrk failed for $name" >&2; failed=1; return; fi
  read -r _ count rps p50 p95 p99 bad errs <<<"$out"
  if [ "$bad" != 0 ] || [ "$errs" != 0 ] || [ "$count" = 0 ]; then
    echo "$name: $count answers, $bad error responses, $errs socket errors or timeouts" >&2
    failed=1
  fi
  rows+=("$name|$rps|$p50|$p95|$p99")
}

echo "== wrk, ${duration}s per path"
run "nginx static (ceiling)" 64 "$tmp/report.lua" "http://127.0.0.1:$nport/healthz"
run "GET /healthz" 64 "$tmp/report.lua" "$base/healthz"
run "GET /api/v1/requests/{no}" 64 "$tmp/report.lua" "$base/api/v1/requests/$no" "X-Access-Code: $code"
run "POST /api/v1/requests" 16 "$tmp/post.lua" "$base/api/v1/requests"
run "GET /staff" 4 "$tmp/report.lua" "$base/staff" "Authorization: Bearer $token"
run "GET /staff?overdue=1" 4 "$tmp/report.lua" "$base/staff?overdue=1" "Authorization: Bearer $token"
run "GET /staff?q=王" 4 "$tmp/report.lua" "$base/staff?q=%E7%8E%8B" "Authorization: Bearer $token"
run "GET /staff?q=财政预算" 4 "$tmp/report.lua" "$base/staff?q=%E8%B4%A2%E6%94%BF%E9%A2%84%E7%AE%97" "Authorization: Bearer $token"
run "GET /staff?q={no}" 4 "$tmp/report.lua" "$base/staff?q=$no" "Authorization: Bearer $token"
run "GET /staff page $deep_page (keyset)" 4 "$tmp/report.lua" "$deep" "Authorization: Bearer $token"
run "GET /staff/cases/{no}" 4 "$tmp/report.lua" "$base/staff/cases/$no" "Authorization: Bearer $token"
run "GET /staff/dashboard" 4 "$tmp/report.lua" "$base/staff/dashboard" "Authorization: Bearer $token"
run "GET /api/v1/reports/annual/2025" 4 "$tmp/report.lua" "$base/api/v1/reports/annual/2025" "Authorization: Bearer $token"
run "GET /statistics" 4 "$tmp/report.lua" "$base/statistics"

nginx_rps=$(echo "${rows[0]:-x|0}" | cut -d'|' -f2)
printf '\n%-28s %10s %9s %9s %9s %12s %7s\n' path "req/s" "p50 ms" "p95 ms" "p99 ms" ceiling ratio
for r in "${rows[@]}"; do
  IFS='|' read -r name rps p50 p95 p99 <<<"$r"
  ceiling=""; ratio=""
  case "$name" in
    "GET /healthz"|"GET /api/v1/requests/{no}") ceiling=$nginx_rps ;;
    "POST /api/v1/requests") ceiling=$insert_ceiling ;;
  esac
  [ -n "$ceiling" ] && [ "${ceiling%.*}" -gt 0 ] && ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN{printf "%.2fx", a/b}')
  printf '%-28s %10s %9s %9s %9s %12s %7s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$ceiling" "$ratio"
done
rss=$(ps -o rss= -p "${pids[0]}" 2>/dev/null || echo 0)
echo "gongkai serve RSS after the runs: $((rss / 1024)) MB; $cases cases on $backend; $(nproc) cores"

# Memory with 1,000 keep-alive connections open (polling the status look-up), read while they are open.
wrk -t2 -c1000 -d"$((duration + 2))s" --timeout 30s -s "$tmp/report.lua" -H "X-Access-Code: $code" \
  "$base/api/v1/requests/$no" >"$tmp/wrk1000.out" 2>&1 &
wrk1000=$!
sleep $((duration / 2 + 2))
open_conns=$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)
rss_open=$(ps -o rss= -p "${pids[0]}" 2>/dev/null || echo 0)
wait "$wrk1000" || true
read -r _ count1000 rps1000 _ _ _ bad1000 errs1000 <<<"$(grep '^RESULT' "$tmp/wrk1000.out" || echo "RESULT 0 0 0 0 0 0 0")"
echo "gongkai serve RSS with $open_conns connections open: $((rss_open / 1024)) MB ($rps1000 req/s, $bad1000 error responses, $errs1000 socket errors)"
if [ "$count1000" = 0 ] || [ "$bad1000" != 0 ] || [ "$errs1000" != 0 ]; then
  echo "1,000 connections: $count1000 answers, $bad1000 error responses, $errs1000 socket errors or timeouts" >&2
  failed=1
fi
exit $failed
