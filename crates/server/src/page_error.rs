//! The one place where failures of the browser-facing endpoints (connect, callback) become
//! pages, as [`crate::ApiError`] is for the API: each variant is one page (status, title,
//! message), and an internal cause is logged once, never shown.

use crate::error::error_chain;
use crate::html;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use digigate_store::StoreError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A failure answered to the person's browser with an HTML page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The link id names no session.
    #[error("link not found")]
    LinkNotFound,
    /// The link (or the authorization it would start) has lapsed.
    #[error("link expired")]
    LinkExpired,
    /// The session behind the link has already been completed.
    #[error("link already used")]
    AlreadyUsed,
    /// The callback's `state` is unknown, used, expired or bound to another browser.
    #[error("callback rejected")]
    CallbackRejected,
    /// The business's return address cannot be sent to a browser.
    #[error("invalid return address")]
    InvalidReturnAddress,
    /// An internal failure before the journey started; `context` says where, for the log.
    #[error("{context}")]
    Internal {
        /// What was being done, for the log.
        context: &'static str,
        /// Why it failed (logged, never shown).
        #[source]
        cause: Cause,
    },
    /// The database is away (connection refused, or none had within the pool's timeout):
    /// nothing was changed, and the same address works again once it is back, so the person
    /// is asked to try again in a moment rather than told something broke.
    #[error("{context}: the database is unreachable")]
    StorageUnreachable {
        /// What was being done, for the log.
        context: &'static str,
        /// Why it failed (logged, never shown).
        #[source]
        cause: Cause,
    },
    /// The journey after a consumed callback failed; the session id goes to the log.
    #[error("journey could not be completed")]
    JourneyFailed {
        /// The session whose journey failed.
        session_id: String,
        /// Why it failed (logged, never shown).
        #[source]
        cause: Cause,
    },
}

impl PageError {
    /// Wraps a failure that happened while doing `context`: [`PageError::StorageUnreachable`]
    /// when a [`StoreError`] in its chain says the database is away, else
    /// [`PageError::Internal`]. Every page handler's store failure passes through here, so
    /// none can forget the outage page.
    pub fn internal(
        context: &'static str,
        e: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let cause: Cause = Box::new(e);
        if storage_unreachable(cause.as_ref()) {
            PageError::StorageUnreachable { context, cause }
        } else {
            PageError::Internal { context, cause }
        }
    }

    /// The status, title and message of the page shown for this error.
    fn page(&self) -> (StatusCode, &'static str, &'static str) {
        const WRONG: &str = "Something went wrong";
        match self {
            PageError::LinkNotFound => (
                StatusCode::NOT_FOUND,
                "Link not found",
                "This verification link is not valid.",
            ),
            PageError::LinkExpired => (
                StatusCode::GONE,
                "Link expired",
                "This verification link has expired. Please ask for a new one.",
            ),
            PageError::AlreadyUsed => (
                StatusCode::CONFLICT,
                "Already used",
                "This verification has already been completed.",
            ),
            PageError::CallbackRejected => (
                StatusCode::BAD_REQUEST,
                "This sign-in could not be completed",
                "The link is invalid, was already used, or was opened in another browser. Please start again from the business's website.",
            ),
            PageError::InvalidReturnAddress => (
                StatusCode::BAD_REQUEST,
                WRONG,
                "The return address is invalid.",
            ),
            PageError::Internal { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                WRONG,
                "Please try again in a moment.",
            ),
            PageError::StorageUnreachable { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Please try again in a moment",
                "This service is briefly unavailable. Nothing was lost: reload this page in a \
                 moment to carry on.",
            ),
            PageError::JourneyFailed { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                WRONG,
                "Your verification could not be completed. Please try again later.",
            ),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match &self {
            PageError::Internal { context, cause } => {
                tracing::error!(error = %error_chain(cause.as_ref()), "{context}");
            }
            PageError::JourneyFailed { session_id, cause } => {
                tracing::error!(
                    error = %error_chain(cause.as_ref()),
                    session_id = %session_id,
                    "journey could not be completed"
                );
            }
            PageError::StorageUnreachable { context, cause } => {
                tracing::warn!(error = %error_chain(cause.as_ref()), "{context}");
            }
            _ => {}
        }
        let (status, title, message) = self.page();
        let mut res = html::page(status, title, message);
        if matches!(self, PageError::StorageUnreachable { .. }) {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        res
    }
}

/// What a browser (or a person) is told to wait before reloading a page the database's
/// absence refused; the API's `Retry-After` for the same outage is the same.
const RETRY_AFTER_SECS: &str = "5";

/// Whether a [`StoreError`] anywhere in `e`'s chain (an audit or journey error wraps one)
/// says the database could not be reached.
fn storage_unreachable(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(store) = err.downcast_ref::<StoreError>() {
            return store.is_unreachable();
        }
        current = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_failures_show_a_generic_page_without_the_cause() {
        let cause = std::io::Error::other("secret detail");
        let res = PageError::internal("could not do it", cause).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(res.headers().get(header::RETRY_AFTER).is_none());
    }

    /// Every failure page, byte for byte: what the person reads and the status with it.
    #[test]
    fn each_failure_is_one_exact_page() {
        let cause = || -> Cause { Box::new(std::io::Error::other("secret detail")) };
        let errors = [
            ("link_not_found", PageError::LinkNotFound),
            ("link_expired", PageError::LinkExpired),
            ("already_used", PageError::AlreadyUsed),
            ("callback_rejected", PageError::CallbackRejected),
            ("invalid_return_address", PageError::InvalidReturnAddress),
            (
                "internal",
                PageError::Internal {
                    context: "reading",
                    cause: cause(),
                },
            ),
            (
                "storage_unreachable",
                PageError::StorageUnreachable {
                    context: "reading",
                    cause: cause(),
                },
            ),
            (
                "journey_failed",
                PageError::JourneyFailed {
                    session_id: "ses_1".into(),
                    cause: cause(),
                },
            ),
        ];
        for (name, error) in errors {
            let (status, title, message) = error.page();
            let page = html::message(title, message).into_string();
            assert!(!page.contains("secret detail") && !page.contains("ses_1"));
            insta::assert_snapshot!(name, format!("{status}\n{page}"));
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("could not write the audit line")]
    struct Wrapping(#[source] StoreError);

    #[test]
    fn an_unreachable_database_deep_in_the_chain_is_a_503_page_with_retry_after() {
        let gone = || StoreError::Unavailable(sqlx::Error::PoolTimedOut);
        let res = PageError::internal("reading", Wrapping(gone())).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
        let direct = PageError::internal("reading", gone());
        assert!(matches!(direct, PageError::StorageUnreachable { .. }));
        let other = PageError::internal("reading", StoreError::Corrupt("column".into()));
        assert!(matches!(other, PageError::Internal { .. }));
    }
}
