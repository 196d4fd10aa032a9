#!/usr/bin/env bash
# Distributed smoke test: facility, parking, reservation, charging, billing, analytics and the gateway as seven processes, each with
# its own fresh database on a real PostgreSQL, events on a real RabbitMQ, driven through the gateway only (a
# simulated charging station connects over OCPP through the gateway too).
#
#   bash scripts/smoke-distributed.sh          (npm run smoke:distributed)
#
# Environment (all optional):
#   SMOKE_DATABASE_URL  a database URL on the server to use; the smoke creates and drops its own
#                       databases beside it (default postgres://postgres:postgres@127.0.0.1:5432/postgres)
#   SMOKE_AMQP_URL      RabbitMQ (default amqp://guest:guest@127.0.0.1:5672)
#   SMOKE_REDIS_URL     Redis for the gateway's rate limit counters (default redis://127.0.0.1:6379)
#   SMOKE_PORT_BASE     ports to try first: gateway BASE, facility BASE+1, parking BASE+2,
#                       reservation BASE+3, charging BASE+4, billing BASE+5, analytics BASE+6 (default 18180)
#   SMOKE_KEEP=1        keep the databases, queues and logs after the run (for debugging)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVER_URL=${SMOKE_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
AMQP=${SMOKE_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}
REDIS=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379}
PORT_BASE=${SMOKE_PORT_BASE:-18180}
SERVICES=(facility parking reservation charging billing analytics gateway) # the gateway last: it routes to the others

log() { printf '[smoke] %s\n' "$*"; }
hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# --- tools --------------------------------------------------------------------------------------
missing=()
for tool in curl jq psql; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    packages=()
    for tool in "${missing[@]}"; do
      case $tool in psql) packages+=(postgresql-client) ;; *) packages+=("$tool") ;; esac
    done
    log "installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  else
    echo "smoke: missing tools: ${missing[*]} (install them, or run as root on Debian to have them installed)" >&2
    exit 1
  fi
fi
TSX=./node_modules/.bin/tsx
[[ -x $TSX ]] || { echo "smoke: $TSX not found: run npm ci first" >&2; exit 1; }

# --- names for this run -------------------------------------------------------------------------
RUN=$(hex 4)
PREFIX=smoke_${RUN}
EXCHANGE=easypark.smoke.${RUN}
JWT_SECRET=$(hex 32)
ADMIN_EMAIL=admin@easypark.local
ADMIN_PASSWORD=smoke-$(hex 8)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/easypark-smoke.XXXXXX")
EVENTS=$WORK/events.jsonl
SERVER_BASE=${SERVER_URL%%\?*}
SERVER_BASE=${SERVER_BASE%/*} # postgres://user:pass@host:port
db_url() { printf '%s/%s_%s' "$SERVER_BASE" "$PREFIX" "$1"; }

declare -A PORT=() PID=()
WATCH_PID=
PASSED=0
FAILED=0
CREATED_DBS=()

# --- cleanup ------------------------------------------------------------------------------------
stop_pid() { # stop_pid PID: TERM the process group, KILL it after 10 s
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

LOGS_PRINTED=0
print_logs() {
  local name
  ((LOGS_PRINTED == 0)) || return 0
  LOGS_PRINTED=1
  for name in "${SERVICES[@]}" watch; do
    [[ -s $WORK/$name.log ]] || continue
    echo "----- $name log ($WORK/$name.log, last 80 lines) -----"
    tail -n 80 "$WORK/$name.log"
  done
  echo "----- end of logs -----"
}

cleanup() {
  local status=$? name queues=() db
  set +e
  trap - EXIT INT TERM
  if ((status != 0 || FAILED > 0)); then print_logs; fi
  [[ -n $WATCH_PID ]] && stop_pid "$WATCH_PID"
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    name=${SERVICES[i]}
    [[ -n ${PID[$name]:-} ]] && stop_pid "${PID[$name]}"
  done
  if [[ ${SMOKE_KEEP:-} == 1 ]]; then
    log "kept: databases ${CREATED_DBS[*]:-}, exchange $EXCHANGE, logs in $WORK"
  else
    # Each service that consumes events has a queue <exchange>.<service> with .retry and .dead.
    for name in gateway facility parking reservation charging billing analytics; do
      queues+=("$EXCHANGE.$name" "$EXCHANGE.$name.retry" "$EXCHANGE.$name.dead")
    done
    timeout 30 node scripts/amqp-watch.mjs cleanup "$AMQP" "$EXCHANGE" "${queues[@]}" >/dev/null 2>&1 ||
      log "warning: could not delete the RabbitMQ exchange/queues of $EXCHANGE"
    for db in "${CREATED_DBS[@]}"; do
      psql -q -X -v ON_ERROR_STOP=1 "$SERVER_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
        log "warning: could not drop database $db"
    done
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- checks -------------------------------------------------------------------------------------
pass() {
  PASSED=$((PASSED + 1))
  printf '  ok    %s\n' "$1"
}
fail() {
  FAILED=$((FAILED + 1))
  printf '  FAIL  %s\n' "$1"
  shift
  local line
  for line in "$@"; do printf '        %s\n' "$line"; done
}
finish() {
  ((FAILED == 0)) || print_logs
  echo "smoke: $PASSED passed, $FAILED failed"
  ((FAILED == 0)) || exit 1
  exit 0
}

# api METHOD PATH TOKEN [JSON]: sets STATUS and BODY (STATUS 000 when nothing answered).
api() {
  local method=$1 path=$2 token=$3 body=${4-} args
  args=(-sS -o "$WORK/response" -w '%{http_code}' --max-time 30 -X "$method" -H 'accept: application/json')
  [[ -n $token ]] && args+=(-H "authorization: Bearer $token")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' --data-binary "$body")
  rm -f "$WORK/response"
  STATUS=$(curl "${args[@]}" "$GATEWAY$path" 2>"$WORK/curl.err") || STATUS=000
  BODY=$(cat "$WORK/response" 2>/dev/null || true)
  [[ $STATUS != 000 ]] || BODY=$(cat "$WORK/curl.err")
}

# step NAME EXPECTED_STATUS METHOD PATH TOKEN JSON JQ_CHECK: one API call, passes when the status
# is as expected and JQ_CHECK (a jq filter) is true on the response; returns 1 otherwise.
step() {
  local name=$1 expected=$2 method=$3 path=$4 token=$5 body=$6 check=$7
  api "$method" "$path" "$token" "$body"
  if [[ $STATUS == "$expected" ]] && jq -e "$check" <<<"$BODY" >/dev/null 2>&1; then
    pass "$name"
    return 0
  fi
  fail "$name" "$method $path -> HTTP $STATUS (expected $expected, and: $check)" "response: ${BODY:0:1500}"
  return 1
}

# eventually NAME PATH TOKEN JQ_CHECK: GETs PATH until JQ_CHECK holds (up to 10 s); for what events do.
eventually() {
  local name=$1 path=$2 token=$3 check=$4 i
  for ((i = 0; i < 50; i++)); do
    api GET "$path" "$token"
    [[ $STATUS == 200 ]] && jq -e "$check" <<<"$BODY" >/dev/null 2>&1 && break
    sleep 0.2
  done
  if [[ $STATUS == 200 ]] && jq -e "$check" <<<"$BODY" >/dev/null 2>&1; then
    pass "$name"
  else
    fail "$name" "GET $path -> HTTP $STATUS after 10 s (expected: $check)" "response: ${BODY:0:1500}"
  fi
}

# --- databases ----------------------------------------------------------------------------------
log "run $RUN: databases ${PREFIX}_*, exchange $EXCHANGE, logs in $WORK"
if ! psql -q -X -v ON_ERROR_STOP=1 "$SERVER_URL" -c 'SELECT 1' >/dev/null 2>"$WORK/psql.err"; then
  echo "smoke: cannot connect to PostgreSQL at ${SERVER_URL/\/\/*@/\/\/***@}: $(cat "$WORK/psql.err")" >&2
  exit 1
fi
for name in "${SERVICES[@]}"; do
  db=${PREFIX}_${name}
  CREATED_DBS+=("$db")
  psql -q -X -v ON_ERROR_STOP=1 "$SERVER_URL" -c "CREATE DATABASE \"$db\"" >/dev/null
done
pass "created databases ${CREATED_DBS[*]}"

# --- ports --------------------------------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
taken=" "
pick_port() { # pick_port FIRST: the first free port from FIRST on, not already picked
  local p=$1
  while ! port_free "$p" || [[ $taken == *" $p "* ]]; do p=$((p + 10)); done
  echo "$p"
}
PORT[gateway]=$(pick_port "$PORT_BASE")
taken+="${PORT[gateway]} "
PORT[facility]=$(pick_port $((PORT_BASE + 1)))
taken+="${PORT[facility]} "
PORT[parking]=$(pick_port $((PORT_BASE + 2)))
taken+="${PORT[parking]} "
PORT[reservation]=$(pick_port $((PORT_BASE + 3)))
taken+="${PORT[reservation]} "
PORT[charging]=$(pick_port $((PORT_BASE + 4)))
taken+="${PORT[charging]} "
PORT[billing]=$(pick_port $((PORT_BASE + 5)))
taken+="${PORT[billing]} "
PORT[analytics]=$(pick_port $((PORT_BASE + 6)))
GATEWAY=http://127.0.0.1:${PORT[gateway]}
FACILITY_URL=http://127.0.0.1:${PORT[facility]}
PARKING_URL=http://127.0.0.1:${PORT[parking]}
RESERVATION_URL=http://127.0.0.1:${PORT[reservation]}
CHARGING_URL=http://127.0.0.1:${PORT[charging]}
BILLING_URL=http://127.0.0.1:${PORT[billing]}
ANALYTICS_URL=http://127.0.0.1:${PORT[analytics]}

# --- services -----------------------------------------------------------------------------------
wait_ready() { # wait_ready NAME: until /readyz answers 200, for up to 90 s
  local name=$1 url="http://127.0.0.1:${PORT[$1]}/readyz" i
  for ((i = 0; i < 450; i++)); do
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then
      fail "$name is ready" "the $name process exited (see its log below)"
      return 1
    fi
    if curl -fsS --max-time 2 "$url" >"$WORK/$name.ready" 2>/dev/null; then
      pass "$name is ready on port ${PORT[$name]} ($(tr -d '\n' <"$WORK/$name.ready"))"
      return 0
    fi
    sleep 0.2
  done
  fail "$name is ready" "no 200 from $url within 90 s: $(curl -sS --max-time 2 "$url" 2>&1 | head -c 500)"
  return 1
}

for name in "${SERVICES[@]}"; do
  log "starting $name on port ${PORT[$name]}"
  setsid env \
    NODE_ENV=production \
    PORT="${PORT[$name]}" \
    HOST=127.0.0.1 \
    LOG_LEVEL=warn \
    DATABASE_URL="$(db_url "$name")" \
    AMQP_URL="$AMQP" \
    REDIS_URL="$REDIS" \
    EASYPARK_EXCHANGE="$EXCHANGE" \
    EASYPARK_JWT_SECRET="$JWT_SECRET" \
    EASYPARK_CORS_ORIGINS="$GATEWAY" \
    EASYPARK_ADMIN_EMAIL="$ADMIN_EMAIL" \
    EASYPARK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    EASYPARK_DEMO=off \
    EASYPARK_SIMULATOR=off \
    FACILITY_URL="$FACILITY_URL" \
    PARKING_URL="$PARKING_URL" \
    RESERVATION_URL="$RESERVATION_URL" \
    CHARGING_URL="$CHARGING_URL" \
    BILLING_URL="$BILLING_URL" \
    ANALYTICS_URL="$ANALYTICS_URL" \
    "$TSX" apps/easypark/src/main.ts serve "$name" </dev/null >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
  wait_ready "$name" || finish
done

# --- the scenario, through the gateway only -----------------------------------------------------
step "gateway health sees the services" 200 GET /api/v1/health "" "" '.status == "ok"' || true

step "platform admin gets a token" 200 POST /api/v1/auth/token "" \
  "$(jq -nc --arg u "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{grant_type:"password",username:$u,password:$p}')" \
  '.access_token | type == "string"' || finish
ADMIN_TOKEN=$(jq -r .access_token <<<"$BODY")
if curl -sS -o /dev/null -D "$WORK/headers" --max-time 10 -H "authorization: Bearer $ADMIN_TOKEN" "$GATEWAY/api/v1/tenants" \
  && grep -qi '^ratelimit-limit: ' "$WORK/headers" \
  && { ! command -v redis-cli >/dev/null || [[ -n $(redis-cli -u "$REDIS" --scan --pattern 'easypark:rl:read:*' | head -n 1) ]]; }; then
  pass "the gateway counts requests in Redis ($(grep -i '^ratelimit-remaining' "$WORK/headers" | tr -d '\r'))"
else
  fail "the gateway counts requests in Redis" "no RateLimit headers: $(cat "$WORK/headers" 2>/dev/null | head -c 500)"
fi

step "create a tenant" 201 POST /api/v1/tenants "$ADMIN_TOKEN" \
  "$(jq -nc --arg n "Smoke $RUN" '{name:$n}')" '.tenant_id | type == "string"' || finish
TENANT_ID=$(jq -r .tenant_id <<<"$BODY")

MANAGER_EMAIL=manager-$RUN@smoke.easypark.local
MANAGER_PASSWORD=smoke-$(hex 8)
step "create a tenant admin" 201 POST /api/v1/users "$ADMIN_TOKEN" \
  "$(jq -nc --arg e "$MANAGER_EMAIL" --arg p "$MANAGER_PASSWORD" --arg t "$TENANT_ID" \
    '{email:$e,password:$p,name:"Smoke manager",role:"tenant_admin",tenant_id:$t}')" \
  '.role == "tenant_admin"' || finish

step "tenant admin gets a token" 200 POST /api/v1/auth/token "" \
  "$(jq -nc --arg u "$MANAGER_EMAIL" --arg p "$MANAGER_PASSWORD" '{grant_type:"password",username:$u,password:$p}')" \
  '.access_token | type == "string"' || finish
TOKEN=$(jq -r .access_token <<<"$BODY")

step "register a facility" 201 POST /api/v1/facilities/register "$TOKEN" \
  "$(jq -nc --arg n "Smoke Car Park $RUN" '{
      name: $n,
      address: {line1: "1 Smoke Street", city: "London", postal_code: "EC1A 1BB", country: "GB"},
      capacity_breakdown: {compact: 0, standard: 5, large: 0},
      pricing_strategy: "BASIC", timezone: "Europe/London", currency: "GBP"}')" \
  '.facility_id | type == "string"' || finish
FACILITY_ID=$(jq -r .facility_id <<<"$BODY")

step "create 5 spaces" 201 POST /api/v1/parking/spaces/bulk "$TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" '{facility_id:$f,size:"STANDARD",floor:0,aisle:"A",count:5,start_number:1}')" \
  'type == "array" and length == 5' || finish

# Our own queue on the smoke exchange, bound before anything parks.
log "watching $EXCHANGE for parking.#, facility.# and reservation.#"
: >"$EVENTS"
setsid node scripts/amqp-watch.mjs watch "$AMQP" "$EXCHANGE" "$EVENTS" 'parking.#' 'facility.#' 'reservation.#' \
  </dev/null >"$WORK/watch.out" 2>"$WORK/watch.log" &
WATCH_PID=$!
for ((i = 0; i < 100; i++)); do
  grep -q '^ready' "$WORK/watch.out" 2>/dev/null && break
  kill -0 "$WATCH_PID" 2>/dev/null || break
  sleep 0.1
done
if grep -q '^ready' "$WORK/watch.out" 2>/dev/null; then
  pass "own queue bound to $EXCHANGE (parking.#, facility.#, reservation.#)"
else
  fail "own queue bound to $EXCHANGE" "$(cat "$WORK/watch.log" 2>/dev/null)"
  finish
fi

step "record an entry" 201 POST /api/v1/parking/sessions/entry "$TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" '{facility_id:$f,registration_number:"SMOKE 1"}')" \
  '.session_id | type == "string"' || finish
SESSION_ID=$(jq -r .session_id <<<"$BODY")

step "occupancy after the entry: 1 of 5 occupied" 200 GET "/api/v1/parking/occupancy/$FACILITY_ID" "$TOKEN" "" \
  '.total_spaces == 5 and .occupied_spaces == 1 and .available_spaces == 4' || true

step "record the exit" 200 POST "/api/v1/parking/sessions/$SESSION_ID/exit" "$TOKEN" '{}' \
  '.session_id | type == "string"' || finish

step "occupancy after the exit: 0 of 5 occupied" 200 GET "/api/v1/parking/occupancy/$FACILITY_ID" "$TOKEN" "" \
  '.total_spaces == 5 and .occupied_spaces == 0 and .available_spaces == 5' || true

# --- events on RabbitMQ -------------------------------------------------------------------------
seen() { # seen TYPE: how many events of TYPE for this facility and session the watcher got
  jq -s --arg t "$1" --arg f "$FACILITY_ID" --arg s "$SESSION_ID" \
    '[.[] | select(.routing_key == $t and .event.type == $t and .event.data.facility_id == $f
       and .event.data.session_id == $s)] | length' "$EVENTS" 2>/dev/null || echo 0
}
for type in parking.vehicle.entered parking.vehicle.exited; do
  for ((i = 0; i < 100; i++)); do
    (($(seen "$type") > 0)) && break
    sleep 0.1
  done
  if (($(seen "$type") > 0)); then
    pass "RabbitMQ carried $type for $FACILITY_ID"
  else
    fail "RabbitMQ carried $type for $FACILITY_ID" \
      "seen on $EXCHANGE: $(jq -sc '[.[] | .routing_key]' "$EVENTS" 2>/dev/null)"
  fi
done

# --- the facility service consumed them ---------------------------------------------------------
eventually "facility operations-summary counts the entry and the exit (from the events)" \
  "/api/v1/facilities/$FACILITY_ID/operations-summary" "$TOKEN" '.total_entries >= 1 and .total_transactions >= 1'

# --- a reservation, across three services -------------------------------------------------------
DRIVER_EMAIL=driver-$RUN@smoke.easypark.local
DRIVER_PASSWORD=smoke-$(hex 8)
step "a driver signs up" 201 POST /api/v1/auth/register "" \
  "$(jq -nc --arg e "$DRIVER_EMAIL" --arg p "$DRIVER_PASSWORD" '{email:$e,password:$p,name:"Smoke driver"}')" \
  '.customer_id | type == "string"' || finish
step "the driver gets a token" 200 POST /api/v1/auth/token "" \
  "$(jq -nc --arg u "$DRIVER_EMAIL" --arg p "$DRIVER_PASSWORD" '{grant_type:"password",username:$u,password:$p}')" \
  '.access_token | type == "string"' || finish
DRIVER_TOKEN=$(jq -r .access_token <<<"$BODY")

START=$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d '+125 minutes' +%Y-%m-%dT%H:%M:%SZ)
step "reserve a standard space from in 5 minutes" 201 POST /api/v1/reservations/create "$DRIVER_TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" --arg s "$START" --arg e "$END" \
    '{facility_id:$f,desired_space_size:"STANDARD",start_time:$s,end_time:$e}')" \
  '.status == "PENDING" and (.confirmation_code | length == 8)' || finish
RESERVATION_ID=$(jq -r .reservation_id <<<"$BODY")
CODE=$(jq -r .confirmation_code <<<"$BODY")
RESERVED_SPACE=$(jq -r .space_id <<<"$BODY")

step "confirm it" 200 POST "/api/v1/reservations/$RESERVATION_ID/confirm" "$DRIVER_TOKEN" '' \
  '.status == "CONFIRMED" and .parking_details.space_id != null' || finish

# Parking hears reservation.confirmed over RabbitMQ and shows the space RESERVED (the arrival
# window, from 15 minutes before the start, is open).
eventually "parking shows the reserved space RESERVED (from reservation.confirmed)" \
  "/api/v1/parking/spaces/$FACILITY_ID/$RESERVED_SPACE" "$TOKEN" '.status == "RESERVED"'

step "the car enters with its code and gets its space" 201 POST /api/v1/parking/sessions/entry "$TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" --arg c "$CODE" '{facility_id:$f,registration_number:"SMOKE 2",reservation_code:$c}')" \
  ".space_id == \"$RESERVED_SPACE\" and .reservation_id == \"$RESERVATION_ID\"" || true

eventually "the reservation is FULFILLED (from parking.vehicle.entered)" \
  "/api/v1/reservations/$RESERVATION_ID" "$DRIVER_TOKEN" '.status == "FULFILLED"'

# --- charging: a station over OCPP through the gateway, across four services --------------------
step "set the price of energy" 200 PUT "/api/v1/facilities/$FACILITY_ID/pricing" "$TOKEN" \
  '{"vehicle_type":"CAR","hourly_rate":2,"ev_charging_rate_per_kwh":0.45}' '.pricing_config.ev_charging_rate_per_kwh == 0.45' || true
step "register a charging station" 201 POST /api/v1/charging/stations "$TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" '{facility_id:$f,charger_level:"LEVEL2",connector_type:"TYPE2",power_rating_kw:22}')" \
  '.status == "OFFLINE" and (.ocpp_password | test("^[0-9a-f]{40}$"))' || finish
STATION_ID=$(jq -r .station_id <<<"$BODY")
STATION_PASSWORD=$(jq -r .ocpp_password <<<"$BODY")
step "the driver registers an electric car" 201 POST /api/v1/parking/vehicles "$DRIVER_TOKEN" \
  '{"registration_number":"SMOKE EV","vehicle_type":"CAR","is_electric":true,"battery_capacity_kwh":60,"connector_type":"TYPE2"}' \
  '.connector_type == "TYPE2"' || finish
step "the electric car enters" 201 POST /api/v1/parking/sessions/entry "$TOKEN" \
  "$(jq -nc --arg f "$FACILITY_ID" '{facility_id:$f,registration_number:"SMOKE EV"}')" '.session_id | type == "string"' || finish
EV_SESSION_ID=$(jq -r .session_id <<<"$BODY")

if CHARGED=$("$TSX" apps/simulator/src/charge-once.ts --url "ws://127.0.0.1:${PORT[gateway]}/ocpp" \
  --station "$STATION_ID" --password "$STATION_PASSWORD" --tag SMOKEEV --protocol ocpp2.0.1 --minutes 30 \
  2>"$WORK/charge-once.log"); then
  pass "a station charged the car over OCPP 2.0.1 through the gateway ($CHARGED)"
else
  fail "a station charged the car over OCPP 2.0.1 through the gateway" "$(cat "$WORK/charge-once.log")"
fi
WH=$(jq -r '.energy_wh' <<<"${CHARGED:-}" 2>/dev/null || echo -1)
eventually "the charging session has the energy the station metered ($WH Wh) and its cost at 0.45/kWh" \
  "/api/v1/charging/sessions?parking_session_id=$EV_SESSION_ID" "$DRIVER_TOKEN" \
  ".[0].status == \"COMPLETED\" and .[0].energy_delivered_kwh == ($WH / 1000) and .[0].total_cost == (($WH * 45 / 1000 | round) / 100)"
eventually "the station went OFFLINE when it disconnected" "/api/v1/charging/stations/$STATION_ID" "$TOKEN" '.status == "OFFLINE" and .connected == false'

# --- billing: the exit saga across parking, charging and billing -------------------------------
step "the electric car leaves: Billing priced the stay (one started hour at 2.00)" 200 POST \
  "/api/v1/parking/sessions/$EV_SESSION_ID/exit" "$TOKEN" '{}' '.charge_amount == 2 and .currency == "GBP"' || true
eventually "one invoice holds the parking and the energy, issued" \
  "/api/v1/billing/invoices?status=ISSUED" "$DRIVER_TOKEN" \
  "[.[] | select(.parking_session_id == \"$EV_SESSION_ID\")] | length == 1 and (.[0].line_items | map(.charge_type) | sort) == [\"CHARGING\", \"PARKING\"] and .[0].total_amount == (2 + (($WH * 45 / 1000 | round) / 100))"
INVOICE_ID=$(jq -r --arg s "$EV_SESSION_ID" '[.[] | select(.parking_session_id == $s)][0].invoice_id' <<<"$BODY")
step "a declined card is refused" 402 POST "/api/v1/billing/invoices/$INVOICE_ID/pay" "$DRIVER_TOKEN" \
  '{"payment_method":"CREDIT_CARD","payment_token":"tok_chargeDeclined"}' '.code == "PAYMENT_DECLINED"' || true
step "a good card pays the invoice" 201 POST "/api/v1/billing/invoices/$INVOICE_ID/pay" "$DRIVER_TOKEN" \
  '{"payment_method":"CREDIT_CARD","payment_token":"tok_visa"}' '.status == "COMPLETED" and .invoice_status == "PAID"' || true
PAID=$(jq -r .amount <<<"$BODY")
step "the revenue summary counts the payment" 200 GET "/api/v1/billing/revenue-summary/$FACILITY_ID" "$TOKEN" "" \
  "(map(.total_revenue) | add) == $PAID and (map(.transaction_count) | add) == 1" || true

# --- analytics: a read model of everything above, from the events alone -----------------------
eventually "analytics counted the visits that ended and the money received" \
  "/api/v1/analytics/performance/$FACILITY_ID" "$TOKEN" ".total_revenue == $PAID and .total_transactions >= 1"
eventually "analytics raised a STATION_OFFLINE alert when the station went away" \
  "/api/v1/analytics/alerts/$FACILITY_ID" "$TOKEN" \
  "map(select(.alert_type == \"STATION_OFFLINE\" and .subject == \"$STATION_ID\")) | length == 1"
api GET "/api/v1/analytics/occupancy/$FACILITY_ID" "$TOKEN"
OCCUPIED=$(jq -r .occupied_spaces <<<"$BODY")
curl -sS -N --max-time 3 -H 'accept: text/event-stream' -H "authorization: Bearer $TOKEN" \
  "$GATEWAY/api/v1/analytics/occupancy/$FACILITY_ID/stream" >"$WORK/stream" 2>/dev/null || true
FIRST_EVENT=$(sed -n 's/^data: //p' "$WORK/stream" | head -n 1)
if grep -q '^event: occupancy' "$WORK/stream" && jq -e ".occupied_spaces == $OCCUPIED" <<<"$FIRST_EVENT" >/dev/null 2>&1; then
  pass "the live stream through the gateway opens with the current occupancy ($OCCUPIED occupied)"
else
  fail "the live stream through the gateway opens with the current occupancy" "received: $(head -c 500 "$WORK/stream")"
fi

finish
