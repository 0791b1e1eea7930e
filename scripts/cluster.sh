#!/usr/bin/env bash
# Two demo instances on one PostgreSQL database behind nginx (round-robin), serving $PORT:
# what a deployment with several instances looks like, small enough for CI.
#
#   CLUSTER_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres PORT=8000 \
#     scripts/cluster.sh .build/debug/RestAuthDemo
#
# Recreates the database CLUSTER_DB (default restauth_cluster) on that server, starts both
# instances on it at once (they take turns migrating, and share the secret key the first
# one stores unless SECRET_KEY is set), waits until both answer, then runs nginx in the
# foreground. Every other setting comes from the environment, as for one instance.
# SIGTERM or SIGINT stops all three. CLUSTER_INSTANCES changes the number of instances.
set -euo pipefail
DEMO=${1:?usage: scripts/cluster.sh path/to/RestAuthDemo}
ADMIN=${CLUSTER_ADMIN_URL:?set CLUSTER_ADMIN_URL to a PostgreSQL URL with the right to create databases}
DB=${CLUSTER_DB:-restauth_cluster}
PORT=${PORT:-8000}
COUNT=${CLUSTER_INSTANCES:-2}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
TMP=$(mktemp -d /tmp/restauth-cluster.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

psql "$ADMIN" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="${ADMIN%/*}/$DB"
# nginx runs on this machine: the instances believe its X-Forwarded-For, so rate limits
# count the client's address, not the proxy's.
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1,::1}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ports=()
for i in $(seq 1 "$COUNT"); do
  port=$(free_port)
  ports+=("$port")
  # Each instance's log lines carry its number.
  "$DEMO" serve --hostname 127.0.0.1 --port "$port" > >(sed -u "s/^/[$i] /") 2>&1 &
  pids+=($!)
done

for port in "${ports[@]}"; do
  for _ in $(seq 1 600); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
      break
    fi
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "an instance exited" >&2; exit 1; }; done
    sleep 0.2
  done
done

mkdir -p "$TMP/logs"
{
  echo "daemon off; worker_processes 1; pid $TMP/nginx.pid; error_log stderr warn;"
  echo "events { worker_connections 1024; }"
  echo "http {"
  echo "  access_log off;"
  echo "  client_body_temp_path $TMP/body; proxy_temp_path $TMP/proxy; fastcgi_temp_path $TMP/fastcgi;"
  echo "  uwsgi_temp_path $TMP/uwsgi; scgi_temp_path $TMP/scgi;"
  echo "  client_max_body_size 8m;"
  echo "  upstream demo {"
  for port in "${ports[@]}"; do echo "    server 127.0.0.1:$port;"; done
  echo "    keepalive 32;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$PORT;"
  echo "    location / {"
  echo "      proxy_pass http://demo;"
  echo "      proxy_http_version 1.1;"
  echo "      proxy_set_header Connection \"\";"
  echo "      proxy_set_header Host \$http_host;"
  echo "      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  echo "      proxy_set_header X-Forwarded-Proto \$scheme;"
  echo "      add_header X-Upstream \$upstream_addr always;"
  echo "    }"
  echo "  }"
  echo "}"
} > "$TMP/nginx.conf"
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e stderr &
pids+=($!)
wait -n "${pids[@]}"
