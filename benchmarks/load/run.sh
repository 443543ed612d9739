#!/usr/bin/env bash
# Amity's load test (README.md): gunicorn with the production settings on PostgreSQL at national scale, 50
# concurrent connections over dashboards, lists, records and the API, on loopback only. Never run by CI.
#
#   benchmarks/load/run.sh                              # 2 minutes mixed, then 30 s of each kind alone
#   DURATION=300s benchmarks/load/run.sh                # the issue's 5 minutes
#   IMPORT_FILE=var/iati-5k.xml benchmarks/load/run.sh  # the same with an IATI import running
#   MODE=public benchmarks/load/run.sh                  # 200 anonymous visitors on the public pages, 3 languages
set -euo pipefail
cd "$(dirname "$0")/../.."

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/amity_load}
MODE=${MODE:-staff}              # staff: signed-in users and API clients; public: anonymous visitors, public pages
PORT=${PORT:-8100}
WORKERS=${WORKERS:-4}            # gunicorn processes
THREADS=${THREADS:-4}            # threads of each (gthread)
if [ "$MODE" = public ]; then
  CONNECTIONS=${CONNECTIONS:-200}  # the issue's 200 concurrent visitors
  PER_KIND=0                       # one kind of request: the public run is the only one
else
  CONNECTIONS=${CONNECTIONS:-50}   # concurrent connections of wrk
fi
DURATION=${DURATION:-120s}       # the mixed run (the public run in public mode)
PER_KIND=${PER_KIND:-30s}        # each kind alone after it (0 to skip)
IMPORT_FILE=${IMPORT_FILE:-}     # an IATI file imported while the mixed run goes on (manage.py import_iati)
THINK_MS=${THINK_MS:-0}          # each connection waits this long (±50 %) between answer and request: 0 = capacity
VAR=${VAR:-var/load}
PY=.venv/bin/python

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
mkdir -p "$VAR"
[ -s "$VAR/secret_key" ] || $PY -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR/secret_key"

export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="$(cat "$VAR/secret_key")"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
# The server's sessions are named and kept for the whole test (a production setting is 60 s), so that cpu.py finds
# them among the database's and counts all their CPU.
export DATABASE_URL="$DATABASE_URL?application_name=amity-load" DATABASE_CONN_MAX_AGE=${DATABASE_CONN_MAX_AGE:-900}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/13}
export AMITY_VAR_DIR="$PWD/$VAR"
# Five API clients make a quarter of the requests: above the default per-user rate (600/minute), which is not what
# this test measures; the throttle still counts every request.
export AMITY_API_RATE_USER=${AMITY_API_RATE_USER:-100000/minute}
export AMITY_LOG_LEVEL=WARNING

$PY manage.py collectstatic --no-input --verbosity 0
if [ "$MODE" = public ]; then
  AMITY_LOG_LEVEL=WARNING DATABASE_URL="${DATABASE_URL%%\?*}" $PY benchmarks/load/prepare.py --public --out "$VAR/requests-public.tsv"
else
  AMITY_LOG_LEVEL=WARNING DATABASE_URL="${DATABASE_URL%%\?*}" $PY benchmarks/load/prepare.py --out "$VAR/requests.tsv"
fi

# Connections stay open between a user's requests (--keep-alive 15 > the longest think time, as nginx in front would
# keep the visitor's), so that wrk does not count gunicorn closing an idle connection as a read error.
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads "$THREADS" \
  --timeout 60 --graceful-timeout 10 --max-requests 0 --keep-alive 15 --log-level warning &
server=$!
importer=""
trap 'kill $server 2>/dev/null; [ -n "$importer" ] && kill $importer 2>/dev/null; wait 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done

run() {  # run <name> <requests file> <duration> [connections]
  local result cpu_before cpu_after load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  cpu_before=$($PY benchmarks/load/cpu.py "$server")
  result=$(REQUESTS="$2" THINK_MS="$THINK_MS" wrk --threads 2 --connections "${4:-$CONNECTIONS}" --duration "$3" --timeout 30s \
    --script benchmarks/load/requests.lua "http://127.0.0.1:$PORT" | tail -n 1)
  cpu_after=$($PY benchmarks/load/cpu.py "$server")
  echo "$1 $result"
  echo "{\"run\": \"$1\", \"think_ms\": $THINK_MS, \"load_before\": \"$load_before\", \"load_after\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"," \
    "\"cpu_before\": $cpu_before, \"cpu_after\": $cpu_after, \"result\": $result}" >>"$results"
}

stamp=$(date -u +%Y%m%d-%H%M%S)
results="$VAR/results-$stamp.jsonl"
echo "results in $results (load average now: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
if [ "$MODE" = public ]; then
  # The pages' cache is what the visitors meet (public.py): warmed as by the first visitors, then the public run.
  THINK_MS=0 run warm-up-public "$VAR/requests-public.tsv" "${WARM_UP:-15s}" $((CONNECTIONS < 10 ? CONNECTIONS : 10)) >/dev/null
  run public "$VAR/requests-public.tsv" "$DURATION"
  exit 0
fi
THINK_MS=0 run warm-up "$VAR/requests.tsv" 15s 10 >/dev/null

if [ -n "$IMPORT_FILE" ]; then
  ( start=$(date +%s.%N)
    DATABASE_URL="${DATABASE_URL%%\?*}?application_name=amity-load-import" \
      $PY manage.py import_iati "$IMPORT_FILE" --province 31 --vn-only >"$VAR/import-$stamp.log" 2>&1
    echo "import took $(echo "$(date +%s.%N) - $start" | bc) s" >>"$VAR/import-$stamp.log" ) &
  importer=$!
fi
run mixed${IMPORT_FILE:+-with-import} "$VAR/requests.tsv" "$DURATION"
if [ -n "$IMPORT_FILE" ]; then
  if kill -0 "$importer" 2>/dev/null; then echo "the import was still running when the mixed run ended"; fi
  wait "$importer" || true
  importer=""
  tail -n 3 "$VAR/import-$stamp.log"
fi
if [ "$PER_KIND" != "0" ]; then
  for kind in dashboard list detail api; do
    run "$kind" "$VAR/requests-$kind.tsv" "$PER_KIND"
  done
fi
