#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server on a loopback port, and removes it after.
# The command sees HUDDLE_TEST_POSTGRES_URL. Usage: scripts/with_postgres.sh ctest --preset release
# The server runs as the `postgres` user when this script runs as root (PostgreSQL refuses root).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bindir || ! -x $bindir/initdb ]]; then
  echo "with_postgres.sh: PostgreSQL server binaries not found (scripts/deps.sh installs them)" >&2
  exit 1
fi

as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/huddle-pg.XXXXXX)
chmod 755 "$dir"
[[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres huddle_test

export HUDDLE_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/huddle_test"
echo "with_postgres.sh: PostgreSQL on 127.0.0.1:$port"
"$@"
