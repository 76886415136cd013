//! The simulator's in-memory state: sign-in requests in progress, codes, grants and tokens.
//!
//! Every method takes `&mut self` under one mutex held by [`crate::Simulator`]; "consume once"
//! operations (codes, refresh tokens) remove the entry in the same step that checks it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::ids::{new_token, random_hex};
use crate::issued::DocType;

/// How long a sign-in request may sit unfinished before it is forgotten.
const PENDING_TTL: Duration = Duration::from_secs(30 * 60);

pub(crate) use digigate_core::Flow;

/// The validated authorize request a sign-in journey works for.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    /// Where the person is sent back: the `redirect_uri` sent (exactly as registered), or the
    /// client's only registered URI when none was sent.
    pub redirect_uri: String,
    /// Whether `redirect_uri` was sent: only then must the token request repeat it
    /// (RFC 6749 §4.1.3, as DigiLocker's OAuth library stores only a supplied URI).
    pub redirect_uri_supplied: bool,
    /// Echoed back unchanged.
    pub state: String,
    /// The S256 PKCE challenge.
    pub code_challenge: String,
    /// Sign-in or sign-up.
    pub flow: Flow,
    /// `req_doctype` parsed; `None` when absent (every held document is offered).
    pub requested: Option<Vec<DocType>>,
    /// `consent_valid_till` in epoch seconds, when given and numeric.
    pub consent_valid_till: Option<i64>,
    /// `purpose`, shown on the consent page.
    pub purpose: String,
    /// `service_name`, shown as the requester's name.
    pub service_name: String,
    /// `pla=Y`: no PIN step on sign-in.
    pub pinless: bool,
    /// `plsignup=Y`: no PIN set-up on sign-up.
    pub pinless_signup: bool,
    /// `verified_mobile` on sign-up: the partner vouches for it, so its OTP is skipped.
    pub verified_mobile: Option<String>,
    /// `login_hint`, pre-filled on the first page.
    pub login_hint: Option<String>,
    /// `scope` contained `openid`: the grant is echoed with it and `/oauth2/2/token` adds an
    /// `id_token`.
    pub openid: bool,
    /// `nonce`, copied into the first `id_token`.
    pub nonce: Option<String>,
}

/// Where a person is in the journey; the server, not the form, decides what a POST means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Enter mobile or Aadhaar number.
    LoginId,
    /// Enter the OTP.
    Otp,
    /// Enter the security PIN.
    Pin,
    /// Sign-up only: confirm the details and set a PIN.
    CreateAccount,
    /// Tick documents, allow or deny.
    Consent,
}

/// A sign-in journey in progress, keyed by its unguessable request id.
#[derive(Debug, Clone)]
pub(crate) struct SignIn {
    /// When the authorize request arrived.
    pub started: Instant,
    /// What the partner asked for.
    pub request: AuthorizeRequest,
    /// The current step.
    pub step: Step,
    /// The persona (index into the configured list) once identified.
    pub persona: Option<usize>,
    /// Whether this journey created the account.
    pub new_account: bool,
}

/// What a consented journey hands to the token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Consent {
    /// Index of the persona.
    pub persona: usize,
    /// The documents ticked.
    pub docs: Vec<DocType>,
    /// Epoch seconds.
    pub consent_valid_till: i64,
    /// Whether the account was created in this journey.
    pub new_account: bool,
    /// Whether `openid` was requested (see [`AuthorizeRequest::openid`]).
    pub openid: bool,
    /// The authorize request's `nonce`, if any.
    pub nonce: Option<String>,
    /// When the person authenticated, epoch seconds (`auth_time`).
    pub auth_time: i64,
    /// An id for the authentication (`auth_txn`).
    pub auth_txn: String,
    /// How the person authenticated (`auth_mode`), e.g. `DL_MOBILE_PIN`.
    pub auth_mode: &'static str,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    /// When it was issued.
    pub issued: Instant,
    /// The redirect URI the authorize request sent, which the token request must repeat;
    /// `None` when the authorize request relied on the registered URI.
    pub redirect_uri: Option<String>,
    /// The PKCE challenge.
    pub code_challenge: String,
    /// What the person agreed to.
    pub consent: Consent,
}

/// The access a person granted, shared by every token issued from one code.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// What the person agreed to.
    pub consent: Consent,
}

/// A freshly issued pair of tokens.
#[derive(Debug, Clone)]
pub(crate) struct TokenPair {
    /// The 40-hex access token.
    pub access_token: String,
    /// The 40-hex refresh token.
    pub refresh_token: String,
    /// The grant they belong to.
    pub grant: Grant,
}

#[derive(Debug)]
struct AccessEntry {
    grant: u64,
    expires: Instant,
}

/// All mutable simulator state.
#[derive(Debug)]
pub(crate) struct Ledger {
    sign_ins: HashMap<String, SignIn>,
    codes: HashMap<String, PendingCode>,
    grants: HashMap<u64, Grant>,
    access: HashMap<String, AccessEntry>,
    refresh: HashMap<String, u64>,
    /// Per persona: whether an account exists (sign-up flips it).
    pub registered: Vec<bool>,
    next_grant: u64,
}

impl Ledger {
    /// An empty store; `registered` comes from the personas.
    pub(crate) fn new(registered: Vec<bool>) -> Self {
        Self {
            sign_ins: HashMap::new(),
            codes: HashMap::new(),
            grants: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            registered,
            next_grant: 1,
        }
    }

    /// Starts a journey and returns its request id (128 random bits, hex).
    pub(crate) fn start_sign_in(&mut self, request: AuthorizeRequest, now: Instant) -> String {
        self.sign_ins
            .retain(|_, j| now.saturating_duration_since(j.started) < PENDING_TTL);
        let id = random_hex(16);
        let step = Step::LoginId;
        let sign_in = SignIn {
            started: now,
            request,
            step,
            persona: None,
            new_account: false,
        };
        self.sign_ins.insert(id.clone(), sign_in);
        id
    }

    /// The journey with this id, if it exists and has not timed out.
    pub(crate) fn sign_in_mut(&mut self, id: &str, now: Instant) -> Option<&mut SignIn> {
        self.sign_ins
            .get_mut(id)
            .filter(|j| now.saturating_duration_since(j.started) < PENDING_TTL)
    }

    /// Ends a journey (allowed or denied).
    pub(crate) fn finish_sign_in(&mut self, id: &str) -> Option<SignIn> {
        self.sign_ins.remove(id)
    }

    /// Stores a new authorization code and returns it.
    pub(crate) fn issue_code(&mut self, code: PendingCode) -> String {
        let value = new_token();
        self.codes.insert(value.clone(), code);
        value
    }

    /// Looks a code up without consuming it (checks may still fail).
    pub(crate) fn code(&self, code: &str) -> Option<&PendingCode> {
        self.codes.get(code)
    }

    /// Removes a code: it was exchanged or it expired.
    pub(crate) fn remove_code(&mut self, code: &str) -> Option<PendingCode> {
        self.codes.remove(code)
    }

    /// Creates a grant and its first token pair.
    pub(crate) fn create_grant(
        &mut self,
        consent: Consent,
        now: Instant,
        ttl: Duration,
    ) -> TokenPair {
        let id = self.next_grant;
        self.next_grant += 1;
        let grant = Grant { consent };
        self.grants.insert(id, grant.clone());
        self.issue_pair(id, grant, now, ttl)
    }

    /// Swaps a refresh token for a new pair, invalidating the grant's older tokens.
    pub(crate) fn rotate(
        &mut self,
        refresh_token: &str,
        now: Instant,
        ttl: Duration,
    ) -> Option<TokenPair> {
        let id = *self.refresh.get(refresh_token)?;
        let grant = self.grants.get(&id)?.clone();
        self.refresh.remove(refresh_token);
        self.access.retain(|_, a| a.grant != id);
        Some(self.issue_pair(id, grant, now, ttl))
    }

    /// The grant a refresh token belongs to, without consuming it.
    pub(crate) fn refresh_grant(&self, refresh_token: &str) -> Option<&Grant> {
        self.refresh
            .get(refresh_token)
            .and_then(|g| self.grants.get(g))
    }

    fn issue_pair(&mut self, id: u64, grant: Grant, now: Instant, ttl: Duration) -> TokenPair {
        let access_token = new_token();
        let refresh_token = new_token();
        let expires = now.checked_add(ttl).unwrap_or(now);
        self.access
            .insert(access_token.clone(), AccessEntry { grant: id, expires });
        self.refresh.insert(refresh_token.clone(), id);
        TokenPair {
            access_token,
            refresh_token,
            grant,
        }
    }

    /// The grant behind a live access token.
    pub(crate) fn authenticate(&self, access_token: &str, now: Instant) -> Option<&Grant> {
        let entry = self.access.get(access_token)?;
        if now >= entry.expires {
            return None;
        }
        self.grants.get(&entry.grant)
    }

    /// Makes a live access token expire at `now`, as if its hour were up; the grant and its
    /// refresh token are untouched (fault injection: an access token that expires mid-fetch).
    pub(crate) fn expire_access_token(&mut self, access_token: &str, now: Instant) {
        if let Some(entry) = self.access.get_mut(access_token) {
            entry.expires = entry.expires.min(now);
        }
    }

    /// Revokes the grant an access or refresh token belongs to, with every token issued for it.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        let grant = match self.access.get(token) {
            Some(entry) => entry.grant,
            None => match self.refresh.get(token) {
                Some(grant) => *grant,
                None => return false,
            },
        };
        self.access.retain(|_, a| a.grant != grant);
        self.refresh.retain(|_, g| *g != grant);
        self.grants.remove(&grant);
        true
    }
}
