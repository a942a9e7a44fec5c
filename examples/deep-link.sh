#!/bin/sh
# Prints a link to apidesk's ticket form, pre-filled with what failed, for
# an integration to show a person (an email, a chat message, a log line):
# they check it, add what only they know, and send it.
#
#   APIDESK_URL=http://127.0.0.1:3000 ERROR_CODE=404 \
#   ERROR_MESSAGE='HTTP GET failed: not found (404)' \
#   ENDPOINT='https://go.trackvia.com/openapi/views/12/records/7' METHOD=GET \
#   TOOL=workato sh examples/deep-link.sh
set -eu

: "${APIDESK_URL:=http://127.0.0.1:3000}"
: "${ERROR_CODE:?set ERROR_CODE, e.g. 401, 404 or timeout}"
: "${ERROR_MESSAGE:=}"
: "${ENDPOINT:=}"
: "${METHOD:=}"
: "${OCCURRED_AT:=$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
: "${TIME_ZONE:=}"
: "${TOOL:=}"

# Percent-encodes everything but the unreserved characters (RFC 3986).
urlencode() {
    printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' | awk '{
        for (i = 1; i <= NF; i++) {
            c = $i
            n = index("0123456789abcdef", substr(c, 1, 1)) * 16 - 16 + index("0123456789abcdef", substr(c, 2, 1)) - 1
            if ((n >= 48 && n <= 57) || (n >= 65 && n <= 90) || (n >= 97 && n <= 122) || n == 45 || n == 46 || n == 95 || n == 126)
                printf "%c", n
            else
                printf "%%%s", toupper(c)
        }
    }'
}

link="$APIDESK_URL/tickets/new?error_code=$(urlencode "$ERROR_CODE")"
for pair in "message=$ERROR_MESSAGE" "endpoint=$ENDPOINT" "method=$METHOD" \
    "occurred_at=$OCCURRED_AT" "time_zone=$TIME_ZONE" "tool=$TOOL"; do
    key=${pair%%=*}
    value=${pair#*=}
    [ -n "$value" ] && link="$link&$key=$(urlencode "$value")"
done
printf '%s\n' "$link"
