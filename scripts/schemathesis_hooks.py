"""Schemathesis hooks for scripts/schemathesis.sh.

`consent_expiry` of an init body must lie one hour to 365 days ahead of the moment the request
arrives, which a static schema cannot say. Any integer schemathesis generates for it (schema-valid
by type) is moved into that window, so valid bodies stay valid and invalid ones stay invalid
for their own reason. Non-integer values are left alone: they are negative cases on purpose.
"""

import time

import schemathesis


@schemathesis.hook
def map_case(context, case):
    operation = context.operation
    if operation is None or operation.path != "/kyc/digilocker/sessions/init":
        return case
    body = case.body
    if isinstance(body, dict):
        expiry = body.get("consent_expiry")
        if isinstance(expiry, int) and not isinstance(expiry, bool):
            body["consent_expiry"] = int(time.time() * 1000) + 2 * 3600 * 1000
    return case
