#!/usr/bin/env bash
# Starts or stops a real Redis or PostgreSQL server for the store tests, on a free loopback
# port, with its data in DIR (a temporary directory the test owns). Used by the Node and the
# Python tests alike, so both run against the same servers started the same way.
#
#   tests/services/service.sh start redis|postgres DIR   -> prints the port
#   tests/services/service.sh stop  redis|postgres DIR
#
# PostgreSQL refuses to run as root: as root, its files belong to the `postgres` user (created by
# Debian's package) and it runs through runuser. Trust authentication on loopback only, user
# postgres, database postgres. The servers are installed by scripts/bootstrap.sh.
set -euo pipefail
action=$1 kind=$2 dir=$3
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action:$kind" in
  start:redis)
    command -v redis-server >/dev/null || { echo "redis-server is not installed: run scripts/bootstrap.sh" >&2; exit 1; }
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    for _ in $(seq 100); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
    redis-cli -p "$port" ping | grep -q PONG
    echo "$port" > "$dir/port"
    echo "$port"
    ;;
  stop:redis)
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    for _ in $(seq 100); do [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || break; sleep 0.05; done
    ;;
  start:postgres)
    bin=$(pgbin)
    [ -n "$bin" ] || { echo "PostgreSQL is not installed: run scripts/bootstrap.sh" >&2; exit 1; }
    port=$(free_port)
    mkdir -p "$dir/data"
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    echo "$port" > "$dir/port"
    echo "$port"
    ;;
  stop:postgres)
    [ -d "$dir/data" ] && as_pg "$(pgbin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop redis|postgres DIR" >&2; exit 2 ;;
esac
