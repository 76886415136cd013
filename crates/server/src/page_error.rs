//! The one place where failures of the browser-facing endpoints (connect, callback) become
//! pages, as [`crate::ApiError`] is for the API: each variant is one page (status, title,
//! message), and an internal cause is logged once, never shown.

use crate::error::error_chain;
use crate::html;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    /// Wraps an internal failure that happened while doing `context`.
    pub fn internal(
        context: &'static str,
        e: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        PageError::Internal {
            context,
            cause: Box::new(e),
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
            _ => {}
        }
        let (status, title, message) = self.page();
        html::page(status, title, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_failures_show_a_generic_page_without_the_cause() {
        let cause = std::io::Error::other("secret detail");
        let res = PageError::internal("could not do it", cause).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
