#!/usr/bin/env bash
# Starts a streaming replica of the local PostgreSQL test server on port ${REPLICA_PORT:-5440} (pg_basebackup -R)
# for the read-replica test, and prints its TEST_REPLICA_URL. CI runs it; by hand: see README, "Tests".
# Needs root (to allow local replication in pg_hba.conf and run the replica as the postgres user) or an
# already-allowed replication line. Prints nothing and exits 1 when it cannot, so the caller skips the test.
set -euo pipefail
port="${REPLICA_PORT:-5440}"
dir="${REPLICA_DIR:-/tmp/spotvibe-replica}"
url="postgresql://postgres@127.0.0.1:${port}/postgres"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "$bin/pg_basebackup" ] || { echo "pg_basebackup introuvable" >&2; exit 1; }
if pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then echo "$url"; exit 0; fi
hba="$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file')"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
  [ -w "$hba" ] || { echo "réplication locale non autorisée dans $hba" >&2; exit 1; }
  echo 'host replication all 127.0.0.1/32 trust' >>"$hba"
  psql -h 127.0.0.1 -U postgres -qAtc 'SELECT pg_reload_conf()' >/dev/null
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
rm -rf "$dir" && mkdir -p "$dir" && chmod 700 "$dir"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
run "$bin/pg_basebackup" -h 127.0.0.1 -U postgres -D "$dir" -R -X stream >&2
# Debian keeps the configuration outside the data directory: the replica gets its own, small one (with the
# primary's limits, which a hot standby may not lower).
conf="port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
shared_buffers = 64MB
$(psql -h 127.0.0.1 -U postgres -Atc "SELECT name || ' = ' || setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')")"
run sh -c "printf '%s\n' \"\$1\" > '$dir/postgresql.conf'" _ "$conf"
run sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$dir/pg_hba.conf'"
run "$bin/pg_ctl" -D "$dir" -l "$dir/replica.log" -w -t 60 start >&2
echo "$url"
