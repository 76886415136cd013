#!/usr/bin/env bash
# Plays the person in the built-in DigiLocker simulator, with curl only: opens a session's
# authorization_url, signs in, enters the OTP and PIN, consents, and follows the callback.
# Prints the URL the person is finally sent to (the business's redirect_url with session_id,
# status and, when the key has a redirect secret, ts and sig).
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
    # The gateway's callback answers a waiting page that reloads itself (Refresh: 1;url=…) while
    # the documents are fetched, then a page that forwards the person to the business at once
    # (Refresh: 0;url=…): follow the first, print the address of the second.
    next=${out#* }
    for _ in $(seq 90); do
      refresh=$(c -o /dev/null -D - "$next" | tr -d '\r' | sed -n 's/^[Rr]efresh: *//p')
      [ -n "$refresh" ] || { echo "the gateway's page did not move on: $next" >&2; exit 1; }
      delay=${refresh%%;*}
      target=$(sed 's/^[^;]*; *url=//' <<<"$refresh")
      if [ "$delay" = 0 ]; then
        echo "$target"
        exit 0
      fi
      # The waiting page's address is a path on the gateway.
      case $target in /*) target=$(grep -o '^https\?://[^/]*' <<<"$next")$target ;; esac
      sleep "$delay"
      next=$target
    done
    echo "the documents were not fetched within 90 s" >&2
    exit 1
  fi
  if grep -q 'role="alert"' "$page"; then
    grep -o 'role="alert">[^<]*' "$page" | sed 's/role="alert">//' >&2
    exit 1
  fi
done
echo "the simulator journey did not finish" >&2
exit 1
