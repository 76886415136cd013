#!/usr/bin/env bash
# Plays the person in the built-in DigiLocker simulator, with curl only: opens a session's
# authorization_url, signs in, enters the OTP and PIN, consents, and follows the callback.
# Prints the URL the person is finally sent to (the business's redirect_url with session_id
# and status).
#
# usage: scripts/simulator-consent.sh AUTHORIZATION_URL [LOGIN_ID] [allow|deny]
#   LOGIN_ID   a persona's mobile or Aadhaar number (default 9000000001)
set -euo pipefail
link=$1
login=${2:-9000000001}
decision=${3:-allow}
jar=$(mktemp)
page=$(mktemp)
trap 'rm -f "$jar" "$page"' EXIT
c() { curl -sS -b "$jar" -c "$jar" "$@"; }

# The gateway's link redirects to the simulator's authorize page.
authorize=$(c -o /dev/null -w '%{redirect_url}' "$link")
[ -n "$authorize" ] || { echo "the link did not redirect (expired or already used?)" >&2; exit 1; }
c -o "$page" "$authorize"
action=${authorize%%\?*}

for _ in 1 2 3 4 5 6; do
  rid=$(grep -o 'name="request_id" value="[^"]*"' "$page" | sed 's/.*value="//; s/"$//')
  args=(--data-urlencode "request_id=$rid")
  grep -q 'name="login_id"' "$page" && args+=(--data-urlencode "login_id=$login")
  grep -q 'name="otp"' "$page" && args+=(-d otp=123456)
  grep -q 'name="pin"' "$page" && args+=(-d pin=123456)
  if grep -q 'name="decision"' "$page"; then
    for doc in $(grep -o '<input[^>]*name="doc"[^>]*checked[^>]*>' "$page" | grep -o 'value="[A-Z]*"' | sed 's/value="//; s/"//'); do
      args+=(-d "doc=$doc")
    done
    args+=(-d "decision=$decision")
  fi
  out=$(c -o "$page" -w '%{http_code} %{redirect_url}' "$action" "${args[@]}")
  if [ "${out%% *}" = 303 ] || [ "${out%% *}" = 302 ]; then
    callback=${out#* }
    # The gateway's callback stores the documents and answers a page that forwards the person to
    # the business at once (Refresh: 0;url=…); print that address.
    c -o /dev/null -D - "$callback" | tr -d '\r' | sed -n 's/^[Rr]efresh: *0; *url=//p'
    exit 0
  fi
  if grep -q 'role="alert"' "$page"; then
    grep -o 'role="alert">[^<]*' "$page" | sed 's/role="alert">//' >&2
    exit 1
  fi
done
echo "the simulator journey did not finish" >&2
exit 1
