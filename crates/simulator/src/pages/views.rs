//! The HTML of each step, as maud templates (every spliced value is escaped).

use maud::{html, Markup};

use crate::html::{csp_source, Page};
use crate::issued::{Issuance, IssuedDoc};
use crate::ledger::{Flow, SignIn, Step};
use crate::personas::Persona;
use crate::Simulator;

/// The page for the journey's current step, with an optional error above the form.
pub(super) fn step_page(sim: &Simulator, id: &str, sign_in: &SignIn, error: Option<&str>) -> Page {
    let persona = sign_in.persona.and_then(|i| sim.persona(i));
    let requester = if sign_in.request.service_name.is_empty() {
        sim.config().client_id.as_str()
    } else {
        sign_in.request.service_name.as_str()
    };
    let (title, fields) = match (sign_in.step, persona) {
        (Step::Otp, Some(p)) => ("Verify OTP", otp(p)),
        (Step::Pin, Some(_)) => ("Enter your PIN", pin()),
        (Step::CreateAccount, Some(p)) => (
            "Create your account",
            create_account(p, sign_in.request.pinless_signup),
        ),
        (Step::Consent, Some(p)) => ("Share documents", consent(sim, sign_in, p, requester)),
        _ => match sign_in.request.flow {
            Flow::Signin => ("Sign in to your account", login(sign_in, requester)),
            Flow::Signup => ("Create your DigiLocker account", login(sign_in, requester)),
        },
    };
    let body = html! {
        h1 { (title) }
        @if let Some(error) = error {
            div.error role="alert" { (error) }
        }
        (form(id, fields))
    };
    let mut page = Page::new(title, body);
    page.redirect_source = csp_source(&sign_in.request.redirect_uri);
    page
}

/// The page for an unknown, finished or timed-out `request_id`.
pub(super) fn expired() -> Page {
    Page::error(
        "Session expired",
        "This sign-in request has expired or is not valid.",
    )
}

/// The documents the consent page lists: requested (`req_doctype`, or all) and held by the persona.
pub(super) fn offered(sim: &Simulator, sign_in: &SignIn) -> Vec<IssuedDoc> {
    let Some(persona) = sign_in.persona.and_then(|i| sim.persona(i)) else {
        return Vec::new();
    };
    persona
        .issued_documents()
        .into_iter()
        .filter(|doc| {
            sign_in
                .request
                .requested
                .as_ref()
                .is_none_or(|wanted| wanted.contains(&doc.kind))
        })
        .collect()
}

/// Wraps step fields in the page's single form, with the hidden journey id.
fn form(id: &str, fields: Markup) -> Markup {
    html! {
        form method="post" action="authorize" {
            input type="hidden" name="request_id" value=(id);
            (fields)
        }
    }
}

fn login(sign_in: &SignIn, requester: &str) -> Markup {
    let (lead, button) = match sign_in.request.flow {
        Flow::Signin => ("Sign in to continue to", "Sign in"),
        Flow::Signup => ("Create a DigiLocker account to continue to", "Continue"),
    };
    let prefill = sign_in
        .request
        .verified_mobile
        .as_deref()
        .or(sign_in.request.login_hint.as_deref())
        .unwrap_or_default();
    html! {
        p.lead { (lead) " " strong { (requester) } "." }
        label for="login_id" { "Mobile or Aadhaar number" }
        input type="text" id="login_id" name="login_id" inputmode="numeric"
            autocomplete="username" maxlength="14" value=(prefill) required autofocus;
        p.hint {
            "Simulator: use a persona's mobile or Aadhaar number (see docs/simulator.md)."
        }
        div.actions { button.primary type="submit" { (button) } }
    }
}

fn otp(persona: &Persona) -> Markup {
    html! {
        p.lead {
            "Enter the 6-digit OTP sent to the mobile number XXXXXX"
            (persona.mobile.get(6..).unwrap_or_default()) "."
        }
        label for="otp" { "OTP" }
        input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code"
            maxlength="6" required autofocus;
        p.hint { "Simulator: the OTP is always 123456." }
        div.actions { button.primary type="submit" { "Verify" } }
    }
}

fn pin() -> Markup {
    html! {
        p.lead { "Enter your 6-digit DigiLocker security PIN." }
        label for="pin" { "Security PIN" }
        input type="password" id="pin" name="pin" inputmode="numeric"
            autocomplete="current-password" maxlength="6" required autofocus;
        p.hint { "Simulator: the PIN is always 123456." }
        div.actions { button.primary type="submit" { "Sign in" } }
    }
}

fn create_account(persona: &Persona, pinless: bool) -> Markup {
    let aadhaar_last = persona.aadhaar.as_ref().and_then(|a| a.number.get(8..));
    html! {
        p.lead { "Check the details fetched for your new DigiLocker account." }
        dl {
            dt { "Name" } dd { (persona.name) }
            dt { "Date of birth" } dd { (persona.dob) }
            dt { "Gender" } dd { (persona.gender.code()) }
            dt { "Mobile" } dd { (persona.mobile) }
            @if let Some(last) = aadhaar_last {
                dt { "Aadhaar" } dd { "XXXX XXXX " (last) }
            }
        }
        @if !pinless {
            label for="pin" { "Set a 6-digit security PIN" }
            input type="password" id="pin" name="pin" inputmode="numeric"
                autocomplete="new-password" maxlength="6" required autofocus;
            p.hint { "Simulator: the PIN is always 123456." }
        }
        div.actions { button.primary type="submit" { "Create account" } }
    }
}

fn consent(sim: &Simulator, sign_in: &SignIn, persona: &Persona, requester: &str) -> Markup {
    let docs = offered(sim, sign_in);
    let purpose = &sign_in.request.purpose;
    let till = sign_in
        .request
        .consent_valid_till
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .zip(chrono::FixedOffset::east_opt(5 * 3600 + 1800))
        .map(|(t, ist)| {
            t.with_timezone(&ist)
                .format("%d %b %Y, %H:%M IST")
                .to_string()
        });
    html! {
        p.lead {
            strong { (requester) }
            " is requesting access to the following from your DigiLocker account."
        }
        dl {
            @if !purpose.is_empty() {
                dt { "Purpose" } dd { (purpose) }
            }
            @if let Some(till) = till {
                dt { "Valid till" } dd { (till) }
            }
        }
        @if docs.is_empty() {
            div.notice {
                "None of the requested documents are in this DigiLocker account."
            }
        }
        ul.docs {
            li {
                label {
                    span.tick { "✓" }
                    span {
                        "Profile"
                        span.sub { "Name, date of birth, gender and photo of " (persona.name) }
                    }
                }
            }
            @for doc in &docs {
                li {
                    label {
                        input type="checkbox" name="doc" value=(doc.kind.digilocker_code()) checked;
                        " "
                        span { (doc.kind.name()) span.sub { (doc.kind.issuer()) } }
                    }
                }
            }
        }
        div.actions {
            button.secondary type="submit" name="decision" value="deny" { "Deny" }
            button.primary type="submit" name="decision" value="allow" { "Allow" }
        }
    }
}
