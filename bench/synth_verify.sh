#!/usr/bin/env bash
# Time `demo synth --decisions N` and `audit verify` on a fresh database.
# Usage: bench/synth_verify.sh [N]            (SQLite in /tmp/bench.sqlite; any sqlite:///FILE is reset)
#        DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench bench/synth_verify.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
export FLASK_APP=wsgi
export DATABASE_URL="${DATABASE_URL:-sqlite:////tmp/bench.sqlite}"
case "$DATABASE_URL" in
  sqlite:///*)
    file="${DATABASE_URL#sqlite:///}"
    rm -f "$file" "$file-wal" "$file-shm" ;;
  postgresql*://*)
    db="${DATABASE_URL##*/}"; db="${db%%\?*}"
    dropdb -h 127.0.0.1 -U postgres --if-exists "$db" && createdb -h 127.0.0.1 -U postgres "$db" ;;
  *) echo "synth_verify.sh: DATABASE_URL must be sqlite:///FILE or postgresql://…/DB" >&2; exit 2 ;;
esac
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask demo load >/dev/null
echo "# synth $N decisions on ${DATABASE_URL%%:*}"
/usr/bin/time -f "synth wall=%es maxrss=%MkB" .venv/bin/flask demo synth --decisions "$N" --seed 1
/usr/bin/time -f "verify wall=%es maxrss=%MkB" .venv/bin/flask audit verify
