#!/usr/bin/env bash
# Time `demo synth --decisions N` and `audit verify` on a fresh database.
# Usage: bench/synth_verify.sh [N]            (SQLite in /tmp/bench.sqlite)
#        DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench bench/synth_verify.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
export FLASK_APP=wsgi
if [[ -z "${DATABASE_URL:-}" ]]; then
  rm -f /tmp/bench.sqlite /tmp/bench.sqlite-wal /tmp/bench.sqlite-shm
  export DATABASE_URL=sqlite:////tmp/bench.sqlite
else
  db="${DATABASE_URL##*/}"
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db" && createdb -h 127.0.0.1 -U postgres "$db"
fi
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask demo load >/dev/null
echo "# synth $N decisions on ${DATABASE_URL%%:*}"
/usr/bin/time -f "synth wall=%es maxrss=%MkB" .venv/bin/flask demo synth --decisions "$N" --seed 1
/usr/bin/time -f "verify wall=%es maxrss=%MkB" .venv/bin/flask audit verify
