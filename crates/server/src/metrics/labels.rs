//! The vocabularies of the metrics' labels: funnel stages, DigiLocker endpoints, outcomes, and
//! the label sets. Every value a label can take is named here or is a checked code.

use digigate_digilocker::DigiLockerError;
use prometheus_client::encoding::EncodeLabelSet;

/// The stages of the consent funnel, in the order a session passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// `POST …/sessions/init` stored a session.
    Created,
    /// The person opened a link that names a session (every opening: a reload counts again, and
    /// so does a late one that then sees "link expired").
    LinkOpened,
    /// The person was sent on to DigiLocker's authorize page.
    SentToDigilocker,
    /// DigiLocker sent the person back and the `state` was consumed (consented or not).
    Returned,
    /// At least one consented document was fetched and examined.
    DocumentsFetched,
    /// Everything was stored; the session is `succeeded`.
    Succeeded,
}

impl Stage {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Stage::Created => "created",
            Stage::LinkOpened => "link_opened",
            Stage::SentToDigilocker => "sent_to_digilocker",
            Stage::Returned => "returned",
            Stage::DocumentsFetched => "documents_fetched",
            Stage::Succeeded => "succeeded",
        }
    }
}

/// The DigiLocker endpoints the gateway calls, as the `endpoint` label names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// The authorization code exchanged for a token.
    Token,
    /// The user's details.
    User,
    /// The list of issued documents.
    IssuedFiles,
    /// The e-Aadhaar XML.
    Eaadhaar,
    /// One issued document by its URI.
    File,
    /// The token revoked.
    Revoke,
    /// The account lookup behind `/kyc/digilocker/user/verify`.
    Account,
}

impl Upstream {
    /// Every endpoint: the account lookup, then the others in the order a journey calls them.
    pub const ALL: [Upstream; 7] = [
        Upstream::Account,
        Upstream::Token,
        Upstream::User,
        Upstream::IssuedFiles,
        Upstream::Eaadhaar,
        Upstream::File,
        Upstream::Revoke,
    ];

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Upstream::Token => "token",
            Upstream::User => "user",
            Upstream::IssuedFiles => "issued_files",
            Upstream::Eaadhaar => "eaadhaar",
            Upstream::File => "file",
            Upstream::Revoke => "revoke",
            Upstream::Account => "account",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    pub(super) route: String,
    pub(super) method: String,
    pub(super) status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct TransitionLabels {
    pub(super) to: String,
    pub(super) reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct StageLabels {
    pub(super) stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct UpstreamLabels {
    pub(super) endpoint: String,
    pub(super) outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct EndpointLabels {
    pub(super) endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct SignatureLabels {
    pub(super) doc_type: String,
    pub(super) status: String,
    pub(super) reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct ErasureLabels {
    pub(super) cause: String,
}

/// A webhook attempt: `result` is `delivered`, `retrying` or `abandoned`; `error` is the
/// attempt's error class (a fixed word of the deliverer, `none` for a 2xx).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct WebhookLabels {
    pub(super) result: String,
    pub(super) error: String,
}

/// Every value of the upstream `outcome` label: `ok`, then what [`upstream_outcome`] answers.
pub(super) const UPSTREAM_OUTCOMES: [&str; 6] = [
    "ok",
    "server_error",
    "refused",
    "timeout",
    "unreachable",
    "bad_answer",
];

/// How a failed DigiLocker call ended, in a few words that alerting can group by.
pub(super) fn upstream_outcome(e: &DigiLockerError) -> &'static str {
    match e {
        DigiLockerError::Api { status, .. } | DigiLockerError::UnexpectedStatus { status }
            if *status >= 500 =>
        {
            "server_error"
        }
        DigiLockerError::Api { .. } | DigiLockerError::UnexpectedStatus { .. } => "refused",
        DigiLockerError::Timeout => "timeout",
        DigiLockerError::Transport(_) => "unreachable",
        _ => "bad_answer",
    }
}

/// A reason code as a label value: snake_case codes pass, anything else (which no code path
/// should produce) becomes `other`, so free text can never reach a label.
pub(super) fn code_label(code: &str) -> String {
    let is_code = !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if is_code { code } else { "other" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_a_failed_call_can_have_is_listed_for_the_operator_page() {
        let errors = [
            DigiLockerError::Timeout,
            DigiLockerError::Transport("reset".to_owned()),
            DigiLockerError::UnexpectedStatus { status: 503 },
            DigiLockerError::UnexpectedStatus { status: 404 },
            DigiLockerError::Decode("not json".to_owned()),
            DigiLockerError::HmacMismatch,
        ];
        for e in &errors {
            assert!(UPSTREAM_OUTCOMES.contains(&upstream_outcome(e)), "{e:?}");
        }
    }
}
