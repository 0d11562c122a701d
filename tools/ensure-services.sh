#!/usr/bin/env bash
# Make sure the machine's own PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer,
# starting them with the Debian commands when they are installed but down. Used by
# `make test-services` and CI. Exits non-zero with a message that says what to do otherwise.
set -uo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_PORT=6379

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

if ! port_open "$PG_PORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is down: starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  if ! wait_port "$PG_PORT"; then
    echo "No PostgreSQL answers on $PG_HOST:$PG_PORT. Start one (e.g. 'sudo pg_ctlcluster 15 main start'" >&2
    echo "or a container), or run the embedded-mode tests with plain 'make test'." >&2
    exit 1
  fi
fi

if ! port_open "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is down: starting it"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  if ! wait_port "$REDIS_PORT"; then
    echo "No Redis answers on 127.0.0.1:$REDIS_PORT. Start one ('redis-server --daemonize yes')," >&2
    echo "or run the embedded-mode tests with plain 'make test'." >&2
    exit 1
  fi
fi
echo "services up: PostgreSQL $PG_HOST:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT"
