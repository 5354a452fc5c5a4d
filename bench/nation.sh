#!/usr/bin/env bash
# A nation's year on PostgreSQL (issue 14, point 3): `demo synth` of N decisions over a province > cities >
# counties > TOWNSHIPS townships beside the demo's data, then `audit verify` of the whole trail and of one
# township's and one county's chain, with `EXPLAIN ANALYZE` of the one-chain query.
# Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB bench/nation.sh [N [TOWNSHIPS]]   (DB made afresh)
#        DATABASE_URL=… bench/nation.sh --verify-only [TOWNSHIP [COUNTY]]                      (DB kept as it is)
# Defaults: N=2000000, TOWNSHIPS=1000, township SP01C01T01, county SP01C01. The database is kept afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi
: "${DATABASE_URL:?DATABASE_URL=postgresql://…/DB is required}"
case "$DATABASE_URL" in postgresql*://*) ;; *) echo "nation.sh: PostgreSQL only" >&2; exit 2 ;; esac
db="${DATABASE_URL##*/}"; db="${db%%\?*}"
psql=(psql -h 127.0.0.1 -U postgres -d "$db" -X -q -At)
timed() {  # wall, CPU and peak RSS of one command, besides its own output
  /usr/bin/time -v "$@" 2> >(grep -E 'Elapsed|Maximum resident|User time|System time|^ok|BROKEN|^synth' >&2) \
    | { grep -v '^WARNING: SECRET_KEY' || true; }
}
township=SP01C01T01 county=SP01C01
if [[ "${1:-}" == "--verify-only" ]]; then
  township="${2:-$township}" county="${3:-$county}"
else
  N="${1:-2000000}" T="${2:-1000}"
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db" && createdb -h 127.0.0.1 -U postgres "$db"
  .venv/bin/flask db upgrade >/dev/null 2>&1
  .venv/bin/flask demo load >/dev/null 2>&1
  echo "# synth $N decisions over $T townships into $db; $(uptime)"
  timed .venv/bin/flask demo synth --decisions "$N" --townships "$T" --seed 1
  echo "# after synth: $(uptime)"
  # What autovacuum would do next anyway (visibility map, hint bits), done now so that it does not run under the
  # measurements below or the page benchmarks that follow.
  echo "# VACUUM (ANALYZE) of the synthesised tables"
  timed "${psql[@]}" -c "VACUUM (ANALYZE) decisions, draft_versions, steps, experts, member_opinions,
                         decision_findings, audit_events, users, organizations"
fi
"${psql[@]}" -c "SELECT 'decisions', count(*) FROM decisions UNION ALL SELECT 'audit events', count(*) FROM audit_events
                 UNION ALL SELECT 'organisations', count(*) FROM organizations" | tr '|' ' '
echo "# audit verify (whole trail); $(uptime)"
timed .venv/bin/flask audit verify
for code in "$township" "$county"; do
  chain=$("${psql[@]}" -c "SELECT id FROM organizations WHERE code = '$code'")
  events=$("${psql[@]}" -c "SELECT count(*) FROM audit_events WHERE chain = $chain")
  echo "# audit verify --org $code (chain $chain, $events events)"
  timed .venv/bin/flask audit verify --org "$code"
done
chain=$("${psql[@]}" -c "SELECT id FROM organizations WHERE code = '$township'")
echo "# EXPLAIN ANALYZE of verify --org $township's query (app/services/audit.py _rows)"
"${psql[@]}" -c "EXPLAIN (ANALYZE, BUFFERS)
  SELECT id, chain, seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, action, entity,
         entity_id, decision_id, before, after, prev_hash, hash
  FROM audit_events WHERE chain = $chain ORDER BY seq"
echo "# benchmark accounts (password demo12345): root auditor sp_auditor, county auditor ${county,,}_auditor," \
     "township clerk ${township,,}_clerk and legal adviser ${township,,}_legal"
