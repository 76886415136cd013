//! What the operator page reports for a window: the funnel per API key, the failures by
//! reason, and DigiLocker's health, gathered from the store and this process's metrics.

use super::upstream::{upstream_health, EndpointHealth};
use crate::envelope::now_ms;
use crate::AppState;
use digigate_store::{FailureSummary, FunnelQuery, KeyFunnel, StoreError};
use std::time::Duration;

/// The windows the page offers, as `?window=` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// The last hour.
    Hour,
    /// The last 24 hours (the default).
    Day,
    /// The last 7 days.
    Week,
}

impl Window {
    /// Every window, in the order the page offers them.
    pub(crate) const ALL: [Window; 3] = [Window::Hour, Window::Day, Window::Week];

    /// The `?window=` value: absent is the day; anything unknown is `None`.
    pub(crate) fn parse(query: Option<&str>) -> Option<Window> {
        match query {
            None => Some(Window::Day),
            Some(name) => Self::ALL.into_iter().find(|w| w.name() == name),
        }
    }

    /// The `?window=` value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Window::Hour => "hour",
            Window::Day => "day",
            Window::Week => "week",
        }
    }

    /// How the page says it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Window::Hour => "Last hour",
            Window::Day => "Last 24 hours",
            Window::Week => "Last 7 days",
        }
    }

    fn length(self) -> Duration {
        let hour = Duration::from_secs(3600);
        match self {
            Window::Hour => hour,
            Window::Day => 24 * hour,
            Window::Week => 7 * 24 * hour,
        }
    }
}

/// How many recent failures the page lists one by one.
const RECENT_FAILURES: i64 = 20;

/// Everything the page shows for one window.
pub(crate) struct Report {
    /// The window reported on.
    pub window: Window,
    /// When the window began, epoch milliseconds.
    pub since_ms: i64,
    /// When the report was made, epoch milliseconds.
    pub now_ms: i64,
    /// The funnel per key, most sessions first, each with the key's name when it still exists.
    pub funnels: Vec<(KeyFunnel, Option<String>)>,
    /// The sessions that ended without documents in the window.
    pub failures: FailureSummary,
    /// DigiLocker's health since this process started.
    pub upstream: Vec<EndpointHealth>,
}

impl Report {
    /// Reads the report for `window` as of now.
    pub(crate) async fn gather(state: &AppState, window: Window) -> Result<Report, StoreError> {
        let store = &state.inner.store;
        let now_ms = now_ms();
        let since_ms = now_ms - window.length().as_millis() as i64;
        let query = FunnelQuery {
            since_ms,
            now_ms,
            authorization_ttl_ms: state.inner.config.authorization_ttl.as_millis() as i64,
        };
        let keys = store.list_api_keys().await?;
        let funnels = store
            .funnel(query)
            .await?
            .into_iter()
            .map(|f| {
                let name = keys
                    .iter()
                    .find(|k| k.id == f.api_key_id)
                    .map(|k| k.name.clone());
                (f, name)
            })
            .collect();
        let failures = store.failures(since_ms, RECENT_FAILURES).await?;
        Ok(Report {
            window,
            since_ms,
            now_ms,
            funnels,
            failures,
            upstream: upstream_health(state),
        })
    }
}
