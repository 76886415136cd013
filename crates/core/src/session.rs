//! The consent session's life cycle, in Sandbox's words.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a consent session is in its life cycle:
/// `created` → `initialized` → `authorized` → `succeeded` | `failed` | `expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SessionStatus {
    /// Init was called; the person has not opened the link yet.
    Created,
    /// The person opened the link and was sent to DigiLocker.
    Initialized,
    /// DigiLocker sent the person back with a code; documents are being fetched.
    Authorized,
    /// Documents were fetched and stored.
    Succeeded,
    /// The journey ended without documents; see [`FailureReason`].
    Failed,
    /// The link or the consent window lapsed before the journey finished.
    Expired,
}

impl SessionStatus {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Created => "created",
            SessionStatus::Initialized => "initialized",
            SessionStatus::Authorized => "authorized",
            SessionStatus::Succeeded => "succeeded",
            SessionStatus::Failed => "failed",
            SessionStatus::Expired => "expired",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Initialized,
            Self::Authorized,
            Self::Succeeded,
            Self::Failed,
            Self::Expired,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Whether the session can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Expired)
    }

    /// The states a session may move to `next` from. Storage uses this as the guard of its
    /// conditional update, so an illegal transition is never written.
    pub fn allowed_predecessors(next: SessionStatus) -> &'static [SessionStatus] {
        use SessionStatus::*;
        match next {
            Created => &[],
            // Opening the link again before the callback starts a fresh authorization.
            Initialized => &[Created, Initialized],
            Authorized => &[Initialized],
            Succeeded => &[Authorized],
            Failed => &[Initialized, Authorized],
            Expired => &[Created, Initialized, Authorized],
        }
    }

    /// Whether moving from `self` to `next` is legal.
    pub fn can_become(self, next: SessionStatus) -> bool {
        Self::allowed_predecessors(next).contains(&self)
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a session failed, as a stable machine-readable word returned in `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FailureReason {
    /// The person pressed Deny on DigiLocker's consent page.
    ConsentDenied,
    /// DigiLocker answered the callback with an error other than a denial.
    UpstreamAuthorizationError,
    /// The authorization code could not be exchanged for a token.
    TokenExchangeFailed,
    /// DigiLocker's document repository kept failing.
    RepositoryUnavailable,
    /// DigiLocker could not be reached or answered something unreadable.
    UpstreamUnavailable,
    /// A document failed its integrity check (the `hmac` header did not match).
    DocumentIntegrity,
    /// None of the requested documents could be fetched.
    NoDocuments,
    /// The gateway stopped after it had sent the code exchange and before it stored the
    /// answer. DigiLocker's code works once, so the exchange cannot be sent again.
    FetchInterrupted,
    /// DigiLocker had kept failing for everyone (timeouts, 5xx), so the gateway's circuit
    /// breaker was open and the journey stopped without waiting on it; a new session once
    /// `/readyz` says the upstream is `ok` again may succeed.
    UpstreamCircuitOpen,
}

impl FailureReason {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureReason::ConsentDenied => "consent_denied",
            FailureReason::UpstreamAuthorizationError => "upstream_authorization_error",
            FailureReason::TokenExchangeFailed => "token_exchange_failed",
            FailureReason::RepositoryUnavailable => "repository_unavailable",
            FailureReason::UpstreamUnavailable => "upstream_unavailable",
            FailureReason::DocumentIntegrity => "document_integrity",
            FailureReason::NoDocuments => "no_documents",
            FailureReason::FetchInterrupted => "fetch_interrupted",
            FailureReason::UpstreamCircuitOpen => "upstream_circuit_open",
        }
    }

    /// Every reason, in the order `docs/lifecycle.md` lists them.
    pub const ALL: [FailureReason; 9] = [
        FailureReason::ConsentDenied,
        FailureReason::UpstreamAuthorizationError,
        FailureReason::TokenExchangeFailed,
        FailureReason::RepositoryUnavailable,
        FailureReason::UpstreamUnavailable,
        FailureReason::DocumentIntegrity,
        FailureReason::NoDocuments,
        FailureReason::FetchInterrupted,
        FailureReason::UpstreamCircuitOpen,
    ];

    /// Whether a business that starts a new session for the same person may expect a
    /// different outcome (answered as `retryable` in the status). Failures of DigiLocker or of
    /// the gateway are passing, and a person who denied consent may consent next time; a
    /// document that fails its integrity check or documents the person does not hold will be
    /// the same next time, so sending the person round again only costs them a journey.
    pub fn is_retryable(self) -> bool {
        match self {
            FailureReason::ConsentDenied
            | FailureReason::UpstreamAuthorizationError
            | FailureReason::TokenExchangeFailed
            | FailureReason::RepositoryUnavailable
            | FailureReason::UpstreamUnavailable
            | FailureReason::FetchInterrupted
            | FailureReason::UpstreamCircuitOpen => true,
            FailureReason::DocumentIntegrity | FailureReason::NoDocuments => false,
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What happened to a session, as the `type` of its event (history, and later webhooks).
/// Every status change writes exactly one, in the transaction that makes the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SessionEventType {
    /// The person opened the link and was sent to DigiLocker (`created` → `initialized`).
    #[serde(rename = "session.initialized")]
    Initialized,
    /// DigiLocker sent the person back with a code (`initialized` → `authorized`).
    #[serde(rename = "session.authorized")]
    Authorized,
    /// The documents were fetched and stored.
    #[serde(rename = "session.succeeded")]
    Succeeded,
    /// The journey ended without documents; the event carries the reason.
    #[serde(rename = "session.failed")]
    Failed,
    /// The link or the consent window lapsed first.
    #[serde(rename = "session.expired")]
    Expired,
    /// The session's documents, profile and data key were erased (on request or by retention);
    /// its status does not change.
    #[serde(rename = "session.erased")]
    Erased,
}

impl SessionEventType {
    /// Every event type, in the order a session may see them.
    pub const ALL: [SessionEventType; 6] = [
        Self::Initialized,
        Self::Authorized,
        Self::Succeeded,
        Self::Failed,
        Self::Expired,
        Self::Erased,
    ];

    /// The wire and storage name (`session.…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initialized => "session.initialized",
            Self::Authorized => "session.authorized",
            Self::Succeeded => "session.succeeded",
            Self::Failed => "session.failed",
            Self::Expired => "session.expired",
            Self::Erased => "session.erased",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The event a move to `status` writes; `created` is no move (a session is born with it).
    pub fn on_entering(status: SessionStatus) -> Option<Self> {
        match status {
            SessionStatus::Created => None,
            SessionStatus::Initialized => Some(Self::Initialized),
            SessionStatus::Authorized => Some(Self::Authorized),
            SessionStatus::Succeeded => Some(Self::Succeeded),
            SessionStatus::Failed => Some(Self::Failed),
            SessionStatus::Expired => Some(Self::Expired),
        }
    }
}

impl fmt::Display for SessionEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a consented or requested document is missing from a succeeded session, as the word
/// returned in `documents_missing[].reason`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MissingReason {
    /// Aadhaar was requested but the person's DigiLocker has no linked Aadhaar to offer.
    AadhaarNotLinked,
    /// The person's DigiLocker holds no such document, so it was never offered or fetched.
    NotIssued,
    /// DigiLocker refused the document with one of its own `aadhaar_not_*` words, passed on.
    Upstream(String),
}

impl MissingReason {
    /// The wire and storage word.
    pub fn as_str(&self) -> &str {
        match self {
            MissingReason::AadhaarNotLinked => "aadhaar_not_linked",
            MissingReason::NotIssued => "not_issued",
            MissingReason::Upstream(word) => word,
        }
    }
}

impl fmt::Display for MissingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MissingReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionStatus::*;

    #[test]
    fn missing_reasons_serialise_to_their_words() {
        assert_eq!(MissingReason::NotIssued.to_string(), "not_issued");
        assert_eq!(
            serde_json::to_value(MissingReason::AadhaarNotLinked).unwrap(),
            "aadhaar_not_linked"
        );
        assert_eq!(
            MissingReason::Upstream("aadhaar_not_verified".into()).as_str(),
            "aadhaar_not_verified"
        );
    }

    #[test]
    fn the_happy_path_is_legal_and_terminal_states_are_final() {
        assert!(Created.can_become(Initialized));
        assert!(Initialized.can_become(Authorized));
        assert!(Authorized.can_become(Succeeded));
        for terminal in [Succeeded, Failed, Expired] {
            assert!(terminal.is_terminal());
            for next in [Created, Initialized, Authorized, Succeeded, Failed, Expired] {
                assert!(!terminal.can_become(next), "{terminal} -> {next}");
            }
        }
    }

    #[test]
    fn a_session_cannot_skip_the_callback() {
        assert!(!Created.can_become(Succeeded));
        assert!(!Created.can_become(Authorized));
        assert!(!Initialized.can_become(Succeeded));
    }

    #[test]
    fn names_round_trip() {
        for s in [Created, Initialized, Authorized, Succeeded, Failed, Expired] {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            FailureReason::parse("consent_denied"),
            Some(FailureReason::ConsentDenied)
        );
        assert_eq!(SessionStatus::parse("done"), None);
        for reason in FailureReason::ALL {
            assert_eq!(FailureReason::parse(reason.as_str()), Some(reason));
        }
        for event in SessionEventType::ALL {
            assert_eq!(SessionEventType::parse(event.as_str()), Some(event));
            assert_eq!(
                serde_json::to_value(event).unwrap(),
                serde_json::Value::String(event.as_str().to_owned())
            );
        }
    }

    #[test]
    fn every_move_but_birth_has_its_event() {
        assert_eq!(SessionEventType::on_entering(Created), None);
        for status in [Initialized, Authorized, Succeeded, Failed, Expired] {
            let event = SessionEventType::on_entering(status).unwrap();
            assert_eq!(event.as_str(), format!("session.{status}"));
        }
    }

    #[test]
    fn passing_failures_are_retryable_and_lasting_ones_are_not() {
        assert!(FailureReason::RepositoryUnavailable.is_retryable());
        assert!(FailureReason::ConsentDenied.is_retryable());
        assert!(FailureReason::FetchInterrupted.is_retryable());
        assert!(!FailureReason::NoDocuments.is_retryable());
        assert!(!FailureReason::DocumentIntegrity.is_retryable());
    }
}
