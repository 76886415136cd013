//! The HTML of each step. Every interpolated value goes through `escape`.

use crate::escape::escape;
use crate::html::{csp_source, Page};
use crate::issued::{Issuance, IssuedDoc};
use crate::ledger::{Flow, SignIn, Step};
use crate::personas::Persona;
use crate::Simulator;

/// The page for the journey's current step, with an optional error above the form.
pub(super) fn step_page(sim: &Simulator, id: &str, sign_in: &SignIn, error: Option<&str>) -> Page {
    let persona = sign_in.persona.and_then(|i| sim.persona(i));
    let alert = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", escape(e)))
        .unwrap_or_default();
    let requester = if sign_in.request.service_name.is_empty() {
        sim.config().client_id.as_str()
    } else {
        sign_in.request.service_name.as_str()
    };
    let (title, body) = match (sign_in.step, persona) {
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
    let mut page = Page::new(title, format!("{alert}{}", form(id, &body)));
    page.body = format!("<h1>{}</h1>{}", escape(title), page.body);
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
fn form(id: &str, inner: &str) -> String {
    format!(
        "<form method=\"post\" action=\"authorize\">\
         <input type=\"hidden\" name=\"request_id\" value=\"{}\">{inner}</form>",
        escape(id)
    )
}

fn login(sign_in: &SignIn, requester: &str) -> String {
    let (lead, button) = match sign_in.request.flow {
        Flow::Signin => ("to continue to", "Sign in"),
        Flow::Signup => ("Create a DigiLocker account to continue to", "Continue"),
    };
    let lead = match sign_in.request.flow {
        Flow::Signin => format!("Sign in {lead} <strong>{}</strong>.", escape(requester)),
        Flow::Signup => format!("{lead} <strong>{}</strong>.", escape(requester)),
    };
    let prefill = sign_in
        .request
        .verified_mobile
        .as_deref()
        .or(sign_in.request.login_hint.as_deref())
        .unwrap_or_default();
    format!(
        "<p class=\"lead\">{lead}</p>\
         <label for=\"login_id\">Mobile or Aadhaar number</label>\
         <input type=\"text\" id=\"login_id\" name=\"login_id\" inputmode=\"numeric\" autocomplete=\"username\" maxlength=\"14\" value=\"{}\" required autofocus>\
         <p class=\"hint\">Simulator: use a persona's mobile or Aadhaar number (see docs/simulator.md).</p>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\">{button}</button></div>",
        escape(prefill)
    )
}

fn otp(persona: &Persona) -> String {
    format!(
        "<p class=\"lead\">Enter the 6-digit OTP sent to the mobile number XXXXXX{}.</p>\
         <label for=\"otp\">OTP</label>\
         <input type=\"text\" id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required autofocus>\
         <p class=\"hint\">Simulator: the OTP is always 123456.</p>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\">Verify</button></div>",
        escape(persona.mobile.get(6..).unwrap_or_default())
    )
}

fn pin() -> String {
    "<p class=\"lead\">Enter your 6-digit DigiLocker security PIN.</p>\
     <label for=\"pin\">Security PIN</label>\
     <input type=\"password\" id=\"pin\" name=\"pin\" inputmode=\"numeric\" autocomplete=\"current-password\" maxlength=\"6\" required autofocus>\
     <p class=\"hint\">Simulator: the PIN is always 123456.</p>\
     <div class=\"actions\"><button class=\"primary\" type=\"submit\">Sign in</button></div>"
        .to_owned()
}

fn create_account(persona: &Persona, pinless: bool) -> String {
    let aadhaar = persona
        .aadhaar
        .as_ref()
        .and_then(|a| a.number.get(8..))
        .map(|last| format!("<dt>Aadhaar</dt><dd>XXXX XXXX {}</dd>", escape(last)))
        .unwrap_or_default();
    let pin = if pinless {
        String::new()
    } else {
        "<label for=\"pin\">Set a 6-digit security PIN</label>\
         <input type=\"password\" id=\"pin\" name=\"pin\" inputmode=\"numeric\" autocomplete=\"new-password\" maxlength=\"6\" required autofocus>\
         <p class=\"hint\">Simulator: the PIN is always 123456.</p>"
            .to_owned()
    };
    format!(
        "<p class=\"lead\">Check the details fetched for your new DigiLocker account.</p>\
         <dl><dt>Name</dt><dd>{}</dd><dt>Date of birth</dt><dd>{}</dd><dt>Gender</dt><dd>{}</dd>\
         <dt>Mobile</dt><dd>{}</dd>{aadhaar}</dl>{pin}\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\">Create account</button></div>",
        escape(&persona.name),
        escape(&persona.dob),
        escape(persona.gender.code()),
        escape(&persona.mobile),
    )
}

fn consent(sim: &Simulator, sign_in: &SignIn, persona: &Persona, requester: &str) -> String {
    let mut items = format!(
        "<li><label><span class=\"tick\">&#10003;</span><span>Profile<span class=\"sub\">Name, date of birth, gender and photo of {}</span></span></label></li>",
        escape(&persona.name)
    );
    let docs = offered(sim, sign_in);
    for doc in &docs {
        items.push_str(&format!(
            "<li><label><input type=\"checkbox\" name=\"doc\" value=\"{code}\" checked> \
             <span>{name}<span class=\"sub\">{issuer}</span></span></label></li>",
            code = escape(doc.kind.digilocker_code()),
            name = escape(doc.kind.name()),
            issuer = escape(doc.kind.issuer()),
        ));
    }
    let none = if docs.is_empty() {
        "<div class=\"notice\">None of the requested documents are in this DigiLocker account.</div>"
    } else {
        ""
    };
    let purpose = if sign_in.request.purpose.is_empty() {
        String::new()
    } else {
        format!(
            "<dt>Purpose</dt><dd>{}</dd>",
            escape(&sign_in.request.purpose)
        )
    };
    let till = sign_in
        .request
        .consent_valid_till
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .zip(chrono::FixedOffset::east_opt(5 * 3600 + 1800))
        .map(|(t, ist)| {
            format!(
                "<dt>Valid till</dt><dd>{}</dd>",
                escape(
                    &t.with_timezone(&ist)
                        .format("%d %b %Y, %H:%M IST")
                        .to_string()
                )
            )
        })
        .unwrap_or_default();
    format!(
        "<p class=\"lead\"><strong>{}</strong> is requesting access to the following from your DigiLocker account.</p>\
         <dl>{purpose}{till}</dl>{none}<ul class=\"docs\">{items}</ul>\
         <div class=\"actions\"><button class=\"secondary\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
         <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></div>",
        escape(requester)
    )
}
