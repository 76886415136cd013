"""Schemathesis hooks for scripts/schemathesis.sh.

Two init fields have rules a static schema cannot say: `consent_expiry` must lie one hour to
365 days ahead of the moment the request arrives, and `expected.date_of_birth` / `.gender` must
be dates and genders in the formats the description lists. Any value schemathesis generates for
them with the right JSON type is replaced by one that follows those rules, so valid bodies stay
valid and invalid ones stay invalid for their own reason. Values of the wrong type are left
alone: they are negative cases on purpose.
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
        expected = body.get("expected")
        if isinstance(expected, dict):
            if isinstance(expected.get("date_of_birth"), str):
                expected["date_of_birth"] = "01-01-1990"
            if isinstance(expected.get("gender"), str):
                expected["gender"] = "F"
            name = expected.get("name")
            if isinstance(name, str) and 0 < len(name) <= 200 and not name.strip():
                expected["name"] = "A Name"
    return case
