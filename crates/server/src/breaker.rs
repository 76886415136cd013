//! The circuit breaker in front of DigiLocker, one per class of endpoint, shared by every
//! request of the process.
//!
//! When DigiLocker itself is down (timeouts, refused connections, 5xx that are not an issuer's
//! `repository_service_*` answer), waiting out three attempts per read for every person only
//! holds browsers and adds load to a service that is struggling. After `failures_to_open`
//! such failures in a row, none older than `window`, the class's circuit opens: journeys that
//! need it fail at once with `upstream_circuit_open`. After `cool_down` one call is let
//! through (half-open); its success closes the circuit, its failure opens it again. Any answer
//! that shows DigiLocker is up (a 4xx, a repository failure, a success) resets the count.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// When a circuit opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive upstream failures that open the circuit (default 5).
    pub failures_to_open: u32,
    /// The failures must all fall within this span (default 60 s); an older run starts over.
    pub window: Duration,
    /// How long an open circuit refuses calls before one probe is let through (default 30 s).
    pub cool_down: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        BreakerPolicy {
            failures_to_open: 5,
            window: Duration::from_secs(60),
            cool_down: Duration::from_secs(30),
        }
    }
}

/// The classes of DigiLocker endpoint with a circuit each: one failing does not stop the
/// others being tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamClass {
    /// The token endpoint (code exchange, refresh).
    Token,
    /// The account reads: user details and the issued-documents list.
    Account,
    /// The document reads (xml, file, e-Aadhaar).
    Documents,
}

impl UpstreamClass {
    /// Every class, in the order `/readyz` lists them.
    pub const ALL: [UpstreamClass; 3] = [
        UpstreamClass::Token,
        UpstreamClass::Account,
        UpstreamClass::Documents,
    ];

    /// The name `/readyz` and the logs use.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamClass::Token => "token",
            UpstreamClass::Account => "account",
            UpstreamClass::Documents => "documents",
        }
    }

    fn index(self) -> usize {
        match self {
            UpstreamClass::Token => 0,
            UpstreamClass::Account => 1,
            UpstreamClass::Documents => 2,
        }
    }
}

/// A circuit's state as `/readyz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Circuit {
    /// Calls go through.
    Closed,
    /// The cool-down is over: the next call is a probe.
    HalfOpen,
    /// Calls are refused until the cool-down ends.
    Open,
}

impl Circuit {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Circuit::Closed => "closed",
            Circuit::HalfOpen => "half_open",
            Circuit::Open => "open",
        }
    }
}

/// A new journey was refused because a circuit it needs is open; it may be asked for again
/// after the given wait (when the circuit lets a probe through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a circuit to DigiLocker is open for {0:?} more")]
pub struct JourneysRefused(pub Duration);

impl From<JourneysRefused> for crate::error::ApiError {
    fn from(refused: JourneysRefused) -> Self {
        crate::error::ApiError::UpstreamCircuitOpen(refused.0)
    }
}

/// The call was refused because the class's circuit is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {} circuit to DigiLocker is open", .0.as_str())]
pub struct CircuitOpen(pub UpstreamClass);

#[derive(Debug, Default)]
struct State {
    /// Failures in the current run, and when the run began.
    failures: u32,
    run_started: Option<Instant>,
    /// When the circuit last opened; `None` while closed.
    opened_at: Option<Instant>,
    /// When the half-open probe was let through; a probe whose outcome never arrives (its
    /// task was dropped) stops counting after another cool-down.
    probe_started: Option<Instant>,
}

/// The circuits of one process.
#[derive(Debug)]
pub struct Breakers {
    policy: BreakerPolicy,
    states: [Mutex<State>; 3],
}

impl Breakers {
    /// Closed circuits under `policy`.
    pub fn new(policy: BreakerPolicy) -> Self {
        Breakers {
            policy,
            states: Default::default(),
        }
    }

    fn lock(&self, class: UpstreamClass) -> MutexGuard<'_, State> {
        // The state is a few counters: one a panic left behind is still usable.
        self.states[class.index()]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks to call `class` at `now`: refused while the circuit is open, and while a probe of
    /// a half-open circuit is out.
    pub fn admit(&self, class: UpstreamClass, now: Instant) -> Result<(), CircuitOpen> {
        let mut s = self.lock(class);
        let Some(opened_at) = s.opened_at else {
            return Ok(());
        };
        if now.saturating_duration_since(opened_at) < self.policy.cool_down {
            return Err(CircuitOpen(class));
        }
        let probe_out = s
            .probe_started
            .is_some_and(|at| now.saturating_duration_since(at) < self.policy.cool_down);
        if probe_out {
            return Err(CircuitOpen(class));
        }
        s.probe_started = Some(now);
        tracing::info!(
            upstream = class.as_str(),
            "circuit half-open: probing DigiLocker"
        );
        Ok(())
    }

    /// Records that DigiLocker answered a call of `class` in a way that shows it is up.
    pub fn record_success(&self, class: UpstreamClass) {
        let mut s = self.lock(class);
        if s.opened_at.is_some() {
            tracing::info!(
                upstream = class.as_str(),
                "circuit closed: DigiLocker answers"
            );
        }
        *s = State::default();
    }

    /// Records a failure of DigiLocker itself on a call of `class` at `now`.
    pub fn record_failure(&self, class: UpstreamClass, now: Instant) {
        let mut s = self.lock(class);
        if s.opened_at.is_some() {
            // A failed probe (or a call admitted before the circuit opened): open afresh.
            s.opened_at = Some(now);
            s.probe_started = None;
            return;
        }
        let fresh = s
            .run_started
            .is_none_or(|at| now.saturating_duration_since(at) > self.policy.window);
        if fresh {
            s.failures = 0;
            s.run_started = Some(now);
        }
        s.failures += 1;
        if s.failures >= self.policy.failures_to_open {
            tracing::warn!(
                upstream = class.as_str(),
                failures = s.failures,
                "circuit opened: DigiLocker keeps failing"
            );
            s.opened_at = Some(now);
            s.probe_started = None;
        }
    }

    /// Whether a new session may start at `now`. Every journey needs all three classes (the
    /// code exchange, the account reads, the documents), so while any circuit is open one
    /// started now would send the person through DigiLocker's pages only to fail at the
    /// callback; it is refused, with the time until the last open circuit lets a probe through
    /// (in whole seconds, rounded up). A half-open circuit admits: that journey may be the probe.
    pub fn journeys_can_start(&self, now: Instant) -> Result<(), JourneysRefused> {
        let wait = UpstreamClass::ALL
            .into_iter()
            .filter_map(|class| {
                let opened_at = self.lock(class).opened_at?;
                let open_for = now.saturating_duration_since(opened_at);
                self.policy.cool_down.checked_sub(open_for)
            })
            .filter(|left| !left.is_zero())
            .max();
        match wait {
            None => Ok(()),
            // Whole seconds, rounded up: `Retry-After` counts seconds, and a client that
            // waits what it is told must find the circuit half-open.
            Some(left) => Err(JourneysRefused(Duration::from_secs(
                left.as_secs() + u64::from(left.subsec_nanos() > 0),
            ))),
        }
    }

    /// The state of `class`'s circuit at `now`.
    pub fn state(&self, class: UpstreamClass, now: Instant) -> Circuit {
        match self.lock(class).opened_at {
            None => Circuit::Closed,
            Some(at) if now.saturating_duration_since(at) < self.policy.cool_down => Circuit::Open,
            Some(_) => Circuit::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASS: UpstreamClass = UpstreamClass::Documents;

    fn breakers() -> Breakers {
        Breakers::new(BreakerPolicy {
            failures_to_open: 3,
            window: Duration::from_secs(60),
            cool_down: Duration::from_secs(30),
        })
    }

    #[test]
    fn consecutive_failures_open_the_circuit_and_only_that_class() {
        let b = breakers();
        let t = Instant::now();
        for _ in 0..2 {
            b.record_failure(CLASS, t);
        }
        assert_eq!(b.admit(CLASS, t), Ok(()));
        b.record_failure(CLASS, t);
        assert_eq!(b.state(CLASS, t), Circuit::Open);
        assert_eq!(b.admit(CLASS, t), Err(CircuitOpen(CLASS)));
        assert_eq!(b.admit(UpstreamClass::Token, t), Ok(()));
    }

    #[test]
    fn a_success_between_failures_resets_the_count() {
        let b = breakers();
        let t = Instant::now();
        b.record_failure(CLASS, t);
        b.record_failure(CLASS, t);
        b.record_success(CLASS);
        b.record_failure(CLASS, t);
        b.record_failure(CLASS, t);
        assert_eq!(b.state(CLASS, t), Circuit::Closed);
    }

    #[test]
    fn failures_spread_wider_than_the_window_do_not_open_it() {
        let b = breakers();
        let t = Instant::now();
        b.record_failure(CLASS, t);
        b.record_failure(CLASS, t + Duration::from_secs(30));
        b.record_failure(CLASS, t + Duration::from_secs(61));
        assert_eq!(b.state(CLASS, t + Duration::from_secs(61)), Circuit::Closed);
    }

    #[test]
    fn after_the_cool_down_one_probe_goes_through_and_its_outcome_decides() {
        let b = breakers();
        let t = Instant::now();
        for _ in 0..3 {
            b.record_failure(CLASS, t);
        }
        let later = t + Duration::from_secs(31);
        assert_eq!(b.state(CLASS, later), Circuit::HalfOpen);
        assert_eq!(b.admit(CLASS, later), Ok(()), "the probe");
        assert_eq!(
            b.admit(CLASS, later),
            Err(CircuitOpen(CLASS)),
            "one probe at a time"
        );
        b.record_failure(CLASS, later);
        assert_eq!(
            b.state(CLASS, later),
            Circuit::Open,
            "a failed probe reopens"
        );
        let much_later = later + Duration::from_secs(31);
        assert_eq!(b.admit(CLASS, much_later), Ok(()));
        b.record_success(CLASS);
        assert_eq!(b.state(CLASS, much_later), Circuit::Closed);
        assert_eq!(b.admit(CLASS, much_later), Ok(()));
    }

    #[test]
    fn new_journeys_wait_out_the_longest_open_circuit_and_start_once_it_is_half_open() {
        let b = breakers();
        let t = Instant::now();
        assert_eq!(b.journeys_can_start(t), Ok(()));
        for _ in 0..3 {
            b.record_failure(UpstreamClass::Token, t);
        }
        let later = t + Duration::from_secs(10);
        for _ in 0..3 {
            b.record_failure(CLASS, later);
        }
        assert_eq!(
            b.journeys_can_start(later),
            Err(JourneysRefused(Duration::from_secs(30))),
            "the documents circuit opened last"
        );
        let almost = t + Duration::from_millis(39_900);
        assert_eq!(
            b.journeys_can_start(almost),
            Err(JourneysRefused(Duration::from_secs(1))),
            "rounded up to whole seconds"
        );
        assert_eq!(b.journeys_can_start(t + Duration::from_secs(40)), Ok(()));
    }

    #[test]
    fn a_probe_that_never_reports_back_is_replaced_after_another_cool_down() {
        let b = breakers();
        let t = Instant::now();
        for _ in 0..3 {
            b.record_failure(CLASS, t);
        }
        let probe = t + Duration::from_secs(31);
        assert_eq!(b.admit(CLASS, probe), Ok(()));
        assert_eq!(
            b.admit(CLASS, probe + Duration::from_secs(31)),
            Ok(()),
            "a new probe"
        );
    }
}
