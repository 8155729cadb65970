#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the PostgreSQL tests (and for trying several
# nodes by hand). Needs the server binaries: `apt-get install -y postgresql` on Debian.
#
#   eval "$(scripts/test-postgres.sh start)"   # starts it; sets TEST_DATABASE_URL in this shell
#   npm test -- postgres                        # the PostgreSQL store tests
#   scripts/test-postgres.sh stop               # stops it and deletes its files
#
# The cluster lives in $VISAGE_PG_DIR (default /tmp/visage-pg-$UID), listens on 127.0.0.1 only
# at a free port, and is owned by an unprivileged user: the caller, or `postgres` when run as
# root (PostgreSQL refuses to run as root). Its one role `visage` has a random password, which
# is in the URL printed by `start` (and `url`).
set -euo pipefail

DIR="${VISAGE_PG_DIR:-/tmp/visage-pg-$(id -u)}"
DATA="$DIR/data"

bindir() {
  # pg_ctl on the PATH may be a link (Debian keeps the binaries under /usr/lib/postgresql).
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$d" || ! -x "$d/pg_ctl" ]]; then
    echo "test-postgres: no PostgreSQL server binaries found (Debian: apt-get install -y postgresql)" >&2
    exit 2
  fi
  echo "$d"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

url() {
  echo "postgres://visage:$(cat "$DIR/password")@127.0.0.1:$(cat "$DIR/port")/visage_test"
}

# Deletes the cluster directory, but only one this script made (VISAGE_PG_DIR may be mistyped).
clear_dir() {
  if [[ -e "$DIR" && ! -e "$DIR/.visage-test-cluster" ]]; then
    echo "test-postgres: $DIR exists and is not a cluster of this script; choose another VISAGE_PG_DIR" >&2
    exit 1
  fi
  rm -rf "$DIR"
}

start() {
  local bin
  bin="$(bindir)"
  if [[ -f "$DATA/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    echo "export TEST_DATABASE_URL='$(url)'"
    return
  fi
  clear_dir
  mkdir -p "$DIR"
  touch "$DIR/.visage-test-cluster"
  node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))' >"$DIR/password"
  free_port >"$DIR/port"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres "$DIR"; fi
  as_owner "$bin/initdb" -D "$DATA" -U visage --pwfile="$DIR/password" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-instructions >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  # Loopback only; the socket in the cluster's own directory (no /var/run/postgresql needed);
  # fsync off: a test cluster that loses its data on power loss costs nothing.
  as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $(cat "$DIR/port") -c unix_socket_directories=$DIR -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  as_owner "$bin/createdb" -h "$DIR" -p "$(cat "$DIR/port")" -U visage visage_test
  echo "export TEST_DATABASE_URL='$(url)'"
}

stop() {
  local bin
  bin="$(bindir)"
  if [[ -d "$DATA" ]]; then as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
  clear_dir
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 64 ;;
esac
