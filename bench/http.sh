#!/usr/bin/env bash
# Our pages against the bare Flask app under the same gunicorn, as ratios (DESIGN §7).
# Needs wrk (apt-get install -y wrk). Builds /tmp/bench.sqlite with 100k synthetic decisions unless
# DATABASE_URL is set (then that database must already hold the synth data: bench/synth_verify.sh).
# Usage: bench/http.sh [--clerk U] [--auditor U] [--org CODE] [--year Y] [--api-user U] [--only web|api|pages|dashboard]
#                      [extra http_bench.sh options, e.g. -r 5]
#   --clerk U    whose decision page and list are measured (default: the demo's clerk)
#   --auditor U  whose dashboard is measured (default: the demo's auditor)
#   --org CODE   the dashboard of this organisation (default: the auditor's own)
#   --year Y     the year of the list and the dashboard (default 2025)
#   --api-user U whose bearer token reads the API's GET /api/v1/decisions and /decisions/{id} (default: the
#                auditor; the decision is the clerk's newest, as on the web page)
#   --only web|api|pages|dashboard  run only the web pages and dashboard, only the API's read endpoints, only the
#                decision and list pages, or only the dashboard
# The API's two reads are paired with the bare /page (DESIGN §7's bar for pages) and with the bare /db
# (BASELINE_STATUS_INDEX=1: one indexed page query and one indexed GROUP BY).
set -euo pipefail
cd "$(dirname "$0")/.."
clerk=clerk auditor=auditor org="" year=2025 api_user="" only=""
passthrough=()
while (($#)); do
  case "$1" in
    --clerk) clerk="$2"; shift 2 ;;
    --auditor) auditor="$2"; shift 2 ;;
    --org) org="$2"; shift 2 ;;
    --year) year="$2"; shift 2 ;;
    --api-user) api_user="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
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
cookie=$(.venv/bin/python bench/session_cookie.py "$auditor")
clerk_cookie=$(.venv/bin/python bench/session_cookie.py "$clerk")
decision=$(BENCH_CLERK="$clerk" .venv/bin/python - <<'PY'
import os
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.models import Decision, User
app = create_app()
with app.app_context():
    org = db.session.execute(select(User.organization_id).where(User.username == os.environ["BENCH_CLERK"])).scalar_one()
    print(db.session.execute(select(Decision.id).where(Decision.organization_id == org)
                             .order_by(Decision.id.desc()).limit(1)).scalar_one())
PY
)
dashboard="/reports/dashboard?year=$year${org:+&org=$org}"
SHARED=../shared/bench
if [[ $only == "" || $only == web || $only == pages ]]; then
  "$SHARED/http_bench.sh" --gunicorn .venv/bin/gunicorn "$@" \
    --target-header "$clerk_cookie" \
    "$SHARED/baseline_app:app" --vs 'wsgi:app' \
    "/page=/decisions/$decision" "/page=/decisions?year=$year"
fi
if [[ $only == "" || $only == web || $only == dashboard ]]; then
  BASELINE_STATUS_INDEX=1 "$SHARED/http_bench.sh" --gunicorn .venv/bin/gunicorn "$@" \
    --target-header "$cookie" \
    "$SHARED/baseline_app:app" --vs 'wsgi:app' \
    "/db=$dashboard"
fi
if [[ $only == "" || $only == api ]]; then
  bearer=$(.venv/bin/python bench/api_token.py "${api_user:-$auditor}")
  BASELINE_STATUS_INDEX=1 "$SHARED/http_bench.sh" --gunicorn .venv/bin/gunicorn "$@" \
    --target-header "$bearer" \
    "$SHARED/baseline_app:app" --vs 'wsgi:app' \
    "/page=/api/v1/decisions/$decision" "/page=/api/v1/decisions" \
    "/db=/api/v1/decisions/$decision" "/db=/api/v1/decisions"
fi
