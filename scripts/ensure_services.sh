#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 for the test suite:
# start them where installed but stopped, install them with apt-get where missing.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing it with apt-get"
  apt_install postgresql postgresql-contrib
fi
if ! postgres_up; then
  echo "Starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do postgres_up && break; sleep 1; done
fi
postgres_up || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
# The suite connects as postgres without a password (trust on loopback, as on CI machines).
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1" >/dev/null 2>&1; then
  echo "Cannot connect as postgres to 127.0.0.1:5432; allow trust auth on loopback" >&2
  exit 1
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not installed: installing it with apt-get"
  apt_install redis-server
fi
if ! redis_up; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/pronto.log
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
echo "PostgreSQL and Redis are up"
