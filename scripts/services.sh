#!/usr/bin/env bash
# Makes sure the Redis and PostgreSQL the test suite talks to are installed and
# answering on 127.0.0.1 (6379 and 5432), that curl and jq are installed, and
# the SMTP server of the e2e mail tests on 127.0.0.1:2525 (aiosmtpd, plain SMTP,
# no TLS, no auth), which stores every message it accepts as a file in the
# Maildir $COUNTERSIGN_E2E_MAILDIR (default /tmp/countersign-mail; new mail in
# new/). Installs what is missing with apt-get (needs root), starts the servers
# when they are stopped, then waits. Running it again changes nothing.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

need_install=()
command -v redis-server >/dev/null 2>&1 || need_install+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need_install+=(postgresql)
[ -x /usr/bin/aiosmtpd ] || need_install+=(python3-aiosmtpd)
# The docs walkthrough test (cmd/countersign) runs curl and jq as a reader would.
command -v curl >/dev/null 2>&1 || need_install+=(curl)
command -v jq >/dev/null 2>&1 || need_install+=(jq)
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

# The e2e mail tests' SMTP server. Debian's aiosmtpd runs under the system
# Python (/usr/bin/python3), whatever python3 is first on PATH.
maildir=${COUNTERSIGN_E2E_MAILDIR:-/tmp/countersign-mail}
smtp_up() {
  local greeting
  greeting=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/2525 && head -c 3 <&3' 2>/dev/null) || return 1
  [ "$greeting" = 220 ]
}
# A Maildir needs its three folders; aiosmtpd makes them only for a new path.
mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
if ! smtp_up; then
  log "starting aiosmtpd on 127.0.0.1:2525 (Maildir $maildir)"
  setsid nohup /usr/bin/aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Mailbox "$maildir" \
    >/tmp/countersign-smtp.log 2>&1 </dev/null &
  for _ in $(seq 1 40); do
    if smtp_up; then break; fi
    sleep 0.25
  done
fi
smtp_up || { log "the SMTP server does not answer on 127.0.0.1:2525 (see /tmp/countersign-smtp.log)"; exit 1; }
log "smtp is up on 127.0.0.1:2525 (Maildir $maildir)"

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

# A 3-master Redis Cluster on 127.0.0.1:7001-7003 for the tests of cluster-wide
# limits and leases (COUNTERSIGN_TEST_REDIS_CLUSTER). Idempotent: a cluster
# that is up is left alone; nodes that run but are not joined are joined.
cluster_ports="7001 7002 7003"
# The output is captured first: with pipefail, grep -q closing the pipe early
# would fail the check.
cluster_ok() { local info; info=$(redis-cli -p 7001 cluster info 2>/dev/null) || return 1; [[ $info == *cluster_state:ok* ]]; }
if ! cluster_ok; then
  for p in $cluster_ports; do
    if ! redis-cli -p "$p" ping >/dev/null 2>&1; then
      log "starting redis cluster node on 127.0.0.1:$p"
      redis-server --port "$p" --cluster-enabled yes --cluster-config-file "/tmp/countersign-redis-nodes-$p.conf" \
        --save "" --appendonly no --daemonize yes --bind 127.0.0.1 --logfile "/tmp/countersign-redis-$p.log"
    fi
  done
  for p in $cluster_ports; do
    for _ in $(seq 1 40); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.25; done
  done
  known=$(redis-cli -p 7001 cluster info 2>/dev/null | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p') || known=0
  if [ "${known:-0}" -lt 3 ]; then
    log "joining the redis cluster nodes"
    redis-cli --cluster create 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 --cluster-replicas 0 --cluster-yes >/dev/null
  fi
  for _ in $(seq 1 80); do cluster_ok && break; sleep 0.25; done
fi
cluster_ok || { log "the redis cluster on 127.0.0.1:7001-7003 is not ok (see /tmp/countersign-redis-700N.log)"; exit 1; }
log "redis cluster is up on 127.0.0.1:7001-7003"
