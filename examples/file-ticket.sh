#!/bin/sh
# Files a ticket through apidesk's API, as an integration's error handler
# would: call it from the handler with what failed. A retry with the same
# IDEMPOTENCY_KEY and the same values files nothing twice (the answer is the
# first ticket); pass the failure's own OCCURRED_AT, so that a retry sends
# the same body (left out, it is the time the script runs).
#
#   APIDESK_URL=http://127.0.0.1:3000 APIDESK_TOKEN=apd_… \
#   ERROR_CODE=429 ERROR_MESSAGE='HTTP GET failed: too many requests (429)' \
#   ENDPOINT='https://go.trackvia.com/openapi/views/12/records' METHOD=GET \
#   OCCURRED_AT=2026-12-07T09:30:00Z IDEMPOTENCY_KEY=nightly-sync-4711 \
#   TOOL=script REQUESTER_EMAIL=dev@example.com sh examples/file-ticket.sh
#
# Prints the answer (JSON). Exits 0 when the ticket is filed (201), 1 when
# apidesk refused it (the problem document says why), 2 when it could not
# be reached.
set -eu

: "${APIDESK_URL:=http://127.0.0.1:3000}"
: "${APIDESK_TOKEN:?set APIDESK_TOKEN to a token with the tickets:create scope}"
: "${ERROR_CODE:?set ERROR_CODE, e.g. 401, 429, 500 or timeout}"
: "${ERROR_MESSAGE:?set ERROR_MESSAGE to the full error message}"
: "${ENDPOINT:?set ENDPOINT to the URL that was called}"
: "${METHOD:=GET}"
: "${OCCURRED_AT:=$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
: "${TOOL:=script}"
: "${ENVIRONMENT:=production}"
: "${RECENT_CHANGES:=}"
: "${REQUESTER_NAME:=}"
: "${REQUESTER_EMAIL:?set REQUESTER_EMAIL to where support should reply}"
# One key per failure: the handler's own run id is a good one.
: "${IDEMPOTENCY_KEY:=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || date +%s%N)}"

# A JSON string: backslashes, quotes, tabs and carriage returns escaped,
# lines joined with \n.
tab=$(printf '\t')
cr=$(printf '\r')
json() {
    printf '%s' "$1" |
        sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" -e "s/$cr/\\\\r/g" |
        awk 'BEGIN { printf "\"" } NR > 1 { printf "\\n" } { printf "%s", $0 } END { printf "\"" }'
}

body=$(cat <<JSON
{
  "error_code": $(json "$ERROR_CODE"),
  "message": $(json "$ERROR_MESSAGE"),
  "endpoint": $(json "$ENDPOINT"),
  "method": $(json "$METHOD"),
  "occurred_at": $(json "$OCCURRED_AT"),
  "tool": $(json "$TOOL"),
  "environment": $(json "$ENVIRONMENT"),
  "recent_changes": $(json "$RECENT_CHANGES"),
  "name": $(json "$REQUESTER_NAME"),
  "email": $(json "$REQUESTER_EMAIL")
}
JSON
)

answer=$(mktemp)
trap 'rm -f "$answer"' EXIT
status=$(curl -sS -o "$answer" -w '%{http_code}' \
    -H "Authorization: Bearer $APIDESK_TOKEN" \
    -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $IDEMPOTENCY_KEY" \
    --data-binary "$body" \
    "$APIDESK_URL/api/v1/tickets") || exit 2
cat "$answer"
echo
[ "$status" = 201 ]  || exit 1
