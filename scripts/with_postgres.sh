#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary folder, start it on a free
# port, export DATABASE_URL, run the command, then stop the cluster and remove the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    echo "PostgreSQL server binaries ($name) are missing. Install them: apt-get install postgresql" >&2
    exit 1
  fi
  echo "$found"
}
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
CREATEDB=$(find_bin createdb)
dir=$(mktemp -d /tmp/commonground-pg.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_owner=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$dir" 2>/dev/null || { echo "Running as root needs the 'postgres' system user (apt-get install postgresql)." >&2; exit 1; }
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$PG_CTL" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
"${as_owner[@]}" "$INITDB" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$PG_CTL" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"$CREATEDB" -h 127.0.0.1 -p "$port" -U postgres commonground
export DATABASE_URL="postgres://postgres@127.0.0.1:$port/commonground"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE_PG:-commonground.settings.test}
echo "PostgreSQL $("${as_owner[@]}" "$PG_CTL" --version | awk '{print $3}') on port $port (temporary cluster in $dir)"
"$@"
