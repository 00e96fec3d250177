#!/usr/bin/env bash
# Makes sure the Redis and PostgreSQL the test suite talks to are installed and
# answering on 127.0.0.1 (6379 and 5432). Installs them with apt-get when they
# are missing (needs root), starts them when they are stopped, then waits.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

need_install=()
command -v redis-server >/dev/null 2>&1 || need_install+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need_install+=(postgresql)
if ((${#need_install[@]})); then
  if [ "$(id -u)" != 0 ]; then
    log "missing ${need_install[*]}; install them (apt-get install -y ${need_install[*]}) or run as root"
    exit 1
  fi
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  log "starting redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/countersign-redis.log
fi

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_up; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    log "postgresql is installed but has no cluster"; exit 1
  fi
  log "starting postgresql $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi

for _ in $(seq 1 60); do
  if redis_up && pg_up; then break; fi
  sleep 0.5
done
redis_up || { log "redis does not answer on 127.0.0.1:6379"; exit 1; }
pg_up || { log "postgresql does not answer on 127.0.0.1:5432"; exit 1; }

# Tests connect as postgres without a password over TCP.
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  log "enabling trust authentication for local TCP connections"
  hba=$(su postgres -c "psql -tAc 'SHOW hba_file'" 2>/dev/null || true)
  if [ -n "$hba" ] && [ -f "$hba" ]; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    su postgres -c "psql -tAc 'SELECT pg_reload_conf()'" >/dev/null
    sleep 1
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null ||
    { log "cannot connect to postgresql as postgres"; exit 1; }
fi
log "redis and postgresql are up"

# Chromium for the console's browser tests (api/console_browser_test.go):
# installed with apt when missing; the tests skip without it (fail with CI=true).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    log "chromium is missing; install it (apt-get install -y chromium) or run as root"
  else
    log "installing chromium"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
