#!/usr/bin/env bash
# The annual report (法治政府建设年度报告) page over 100,000 synthetic decisions against the bare /db page
# (one indexed GROUP BY over 100k rows, BASELINE_STATUS_INDEX=1), paired under the same gunicorn, and the
# cold computation once (flask report annual, no cache). Builds /tmp/bench.sqlite unless DATABASE_URL is set.
# Usage: bench/annual.sh [--auditor U] [--org CODE] [--year Y] [extra http_bench.sh options, e.g. -r 5]
set -euo pipefail
cd "$(dirname "$0")/.."
auditor=auditor org="" year=2025
passthrough=()
while (($#)); do
  case "$1" in
    --auditor) auditor="$2"; shift 2 ;;
    --org) org="$2"; shift 2 ;;
    --year) year="$2"; shift 2 ;;
    *) passthrough+=("$1"); shift ;;
  esac
done
set -- "${passthrough[@]}"
export FLASK_APP=wsgi SECRET_KEY="${SECRET_KEY:-bench-secret-bench-secret-bench-secret}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [[ -z "${DATABASE_URL:-}" ]]; then
  export DATABASE_URL=sqlite:////tmp/bench.sqlite
  [[ -f /tmp/bench.sqlite ]] || bench/synth_verify.sh 100000
fi
.venv/bin/flask db upgrade >/dev/null
code=${org:-$(.venv/bin/python - "$auditor" <<'PY'
import sys
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import Organization, User
app = create_app()
with app.app_context():
    print(db.session.execute(select(Organization.code).join(User, User.organization_id == Organization.id)
                             .where(User.username == sys.argv[1])).scalar_one())
PY
)}
echo "# cold: flask report annual --org $code --year $year" >&2
start=$(date +%s.%N)
out=$(.venv/bin/flask report annual --org "$code" --year "$year")
echo "${out%%$'\n'*}" >&2
echo "# cold seconds: $(echo "$(date +%s.%N) - $start" | bc)" >&2
cookie=$(.venv/bin/python bench/session_cookie.py "$auditor")
SHARED=../shared/bench
BASELINE_STATUS_INDEX=1 "$SHARED/http_bench.sh" --gunicorn .venv/bin/gunicorn "$@" \
  --target-header "$cookie" \
  "$SHARED/baseline_app:app" --vs 'wsgi:app' \
  "/db=/reports/annual?year=$year&org=$code" "/db=/reports/dashboard?year=$year&org=$code"
