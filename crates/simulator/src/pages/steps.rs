//! What each POST does, by the journey's current step.

use std::time::Instant;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::views;
use crate::form::Fields;
use crate::html::insert_common;
use crate::ids::random_hex;
use crate::issued::DocType;
use crate::ledger::{Consent, Flow, Ledger, PendingCode, SignIn, Step};
use crate::{verhoeff, Simulator};

/// The OTP every persona receives.
const OTP: &str = "123456";
/// The security PIN of every persona.
const PIN: &str = "123456";
/// Consent lifetime when the partner sends no `consent_valid_till`.
const DEFAULT_CONSENT_SECS: i64 = 30 * 24 * 3600;

/// Applies one form submission to its journey and answers with the next page or the redirect.
pub(super) fn advance(sim: &Simulator, fields: &Fields) -> Response {
    let Some(id) = fields.get("request_id") else {
        return views::expired().into_response();
    };
    let now = Instant::now();
    let mut ledger = sim.ledger();
    let Some(step) = ledger.sign_in_mut(id, now).map(|j| j.step) else {
        return views::expired().into_response();
    };
    let outcome = match step {
        Step::LoginId => login_id(sim, &mut ledger, id, fields),
        Step::Otp => code_entry(sign_in_of(&mut ledger, id), fields, "otp", OTP),
        Step::Pin => code_entry(sign_in_of(&mut ledger, id), fields, "pin", PIN),
        Step::CreateAccount => create_account(&mut ledger, id, fields),
        Step::Consent => return consent(sim, &mut ledger, id, fields),
    };
    match (outcome, ledger.sign_in_mut(id, now)) {
        (Err(message), Some(sign_in)) => {
            views::step_page(sim, id, sign_in, Some(message)).into_response()
        }
        (Ok(()), Some(sign_in)) => views::step_page(sim, id, sign_in, None).into_response(),
        (_, None) => views::expired().into_response(),
    }
}

/// Re-borrows the journey the caller has just found.
fn sign_in_of<'a>(ledger: &'a mut Ledger, id: &str) -> Option<&'a mut SignIn> {
    ledger.sign_in_mut(id, Instant::now())
}

/// Who is signing in: a 10-digit mobile or a 12-digit Aadhaar number (spaces allowed).
fn login_id(
    sim: &Simulator,
    ledger: &mut Ledger,
    id: &str,
    fields: &Fields,
) -> Result<(), &'static str> {
    let raw: String = fields
        .get("login_id")
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let all_digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    let personas = &sim.config().personas;
    let found = match raw.len() {
        10 if all_digits => personas.iter().position(|p| p.mobile == raw),
        12 if all_digits => {
            if !verhoeff::is_valid_aadhaar(&raw) {
                return Err("Enter a valid Aadhaar number.");
            }
            personas
                .iter()
                .position(|p| p.aadhaar.as_ref().is_some_and(|a| a.number == raw))
        }
        _ => return Err("Enter a valid 10-digit mobile number or 12-digit Aadhaar number."),
    };
    let registered = found.is_some_and(|i| ledger.registered.get(i) == Some(&true));
    let Some(sign_in) = sign_in_of(ledger, id) else {
        return Ok(());
    };
    let Some(index) = found else {
        return Err(match sign_in.request.flow {
            Flow::Signin => "No DigiLocker account exists for this mobile or Aadhaar number. Please sign up first.",
            Flow::Signup => "The simulator can only sign up one of its personas (for example 9000000005).",
        });
    };
    if sign_in.request.flow == Flow::Signin && !registered {
        return Err(
            "No DigiLocker account exists for this mobile or Aadhaar number. Please sign up first.",
        );
    }
    sign_in.persona = Some(index);
    sign_in.new_account = !registered;
    // A partner-verified mobile skips the OTP on sign-up, as DigiLocker trusts `verified_mobile`.
    let vouched = sign_in.request.verified_mobile.as_deref() == Some(raw.as_str());
    sign_in.step = if vouched {
        after_otp(sign_in)
    } else {
        Step::Otp
    };
    Ok(())
}

/// The OTP and PIN steps: the submitted `field` must equal `expected`.
fn code_entry(
    sign_in: Option<&mut SignIn>,
    fields: &Fields,
    field: &str,
    expected: &str,
) -> Result<(), &'static str> {
    let Some(sign_in) = sign_in else {
        return Ok(());
    };
    if fields.get(field).map(str::trim) != Some(expected) {
        return Err(if field == "otp" {
            "The OTP you entered is incorrect. Please try again."
        } else {
            "The security PIN you entered is incorrect. Please try again."
        });
    }
    sign_in.step = if sign_in.step == Step::Otp {
        after_otp(sign_in)
    } else {
        Step::Consent
    };
    Ok(())
}

/// The step after a correct OTP: account creation, the PIN, or straight to consent (`pla=Y`).
fn after_otp(sign_in: &SignIn) -> Step {
    if sign_in.new_account {
        Step::CreateAccount
    } else if sign_in.request.pinless {
        Step::Consent
    } else {
        Step::Pin
    }
}

/// Sign-up's last step: create the account, setting the PIN unless `plsignup=Y`.
fn create_account(ledger: &mut Ledger, id: &str, fields: &Fields) -> Result<(), &'static str> {
    let Some(sign_in) = sign_in_of(ledger, id) else {
        return Ok(());
    };
    if !sign_in.request.pinless_signup && fields.get("pin").map(str::trim) != Some(PIN) {
        return Err("Set a 6-digit security PIN. The simulator only accepts 123456.");
    }
    let Some(index) = sign_in.persona else {
        return Ok(());
    };
    sign_in.step = Step::Consent;
    if let Some(flag) = ledger.registered.get_mut(index) {
        *flag = true;
    }
    tracing::info!("simulator account created by sign-up");
    Ok(())
}

/// Allow or deny: ends the journey with a redirect to the partner.
fn consent(sim: &Simulator, ledger: &mut Ledger, id: &str, fields: &Fields) -> Response {
    let Some(sign_in) = sign_in_of(ledger, id) else {
        return views::expired().into_response();
    };
    let decision = match fields.get("decision") {
        Some(decision @ ("allow" | "deny")) => decision,
        _ => {
            return views::step_page(sim, id, sign_in, Some("Choose Allow or Deny."))
                .into_response()
        }
    };
    let offered: Vec<DocType> = views::offered(sim, sign_in)
        .into_iter()
        .map(|d| d.kind)
        .collect();
    let Some(sign_in) = ledger.finish_sign_in(id) else {
        return views::expired().into_response();
    };
    let request = &sign_in.request;
    let mut target = match url::Url::parse(&request.redirect_uri) {
        Ok(url) => url,
        Err(_) => return views::expired().into_response(),
    };
    if decision == "deny" {
        target
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "The user denied access to your application",
            )
            .append_pair("state", &request.state);
        return redirect(target.as_str());
    }
    let Some(persona) = sign_in.persona else {
        return views::expired().into_response();
    };
    let docs: Vec<DocType> = offered
        .into_iter()
        .filter(|kind| fields.all("doc").any(|d| d == kind.digilocker_code()))
        .collect();
    let now_epoch = chrono::Utc::now().timestamp();
    let consent = Consent {
        persona,
        docs,
        consent_valid_till: request
            .consent_valid_till
            .unwrap_or(now_epoch + DEFAULT_CONSENT_SECS),
        new_account: sign_in.new_account,
        openid: request.openid,
        nonce: request.nonce.clone(),
        auth_time: now_epoch,
        auth_txn: random_hex(16),
        auth_mode: auth_mode(&sign_in),
    };
    let code = ledger.issue_code(PendingCode {
        issued: Instant::now(),
        redirect_uri: request
            .redirect_uri_supplied
            .then(|| request.redirect_uri.clone()),
        code_challenge: request.code_challenge.clone(),
        consent,
    });
    tracing::info!("simulator issued an authorization code");
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &request.state);
    redirect(target.as_str())
}

/// The `auth_mode` an `id_token` reports: whether the journey ended with the PIN or the OTP.
fn auth_mode(sign_in: &SignIn) -> &'static str {
    let pinless = if sign_in.new_account {
        sign_in.request.pinless_signup
    } else {
        sign_in.request.pinless
    };
    if pinless {
        "DL_MOBILE_OTP"
    } else {
        "DL_MOBILE_PIN"
    }
}

/// 303 to the partner, with no-store and no-referrer so the code leaks nowhere.
fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, value);
    }
    insert_common(h);
    response
}
