//! Named crash points for the crash-safety harness (`crates/cli/tests/crash/`). Built only
//! with the `crash-points` feature, which only tests enable: there, a process started with
//! `DIGIGATE_CRASH_AT=<name>` kills itself with SIGKILL the first time it reaches that point,
//! as a power cut or the kernel's OOM killer would, so nothing after the point runs. In every
//! other build [`point`] is empty.

/// A place in a session's life where the harness kills the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// The session and its audit line were committed by init.
    AfterInit,
    /// The callback consumed `state` (session `authorized`, code kept, fetch job enqueued).
    AfterCallback,
    /// The code was taken for its exchange, which is about to be sent: a restart cannot know
    /// whether DigiLocker saw it.
    BeforeExchange,
    /// The code exchange's token was stored.
    AfterExchangeStored,
    /// The first document was fetched and sealed; documents are stored together with the
    /// session's success, so this is the last moment before they are.
    AfterFirstDocument,
    /// The session's success (documents, profile, data key) was committed.
    AfterSuccess,
    /// A webhook delivery was sent and its outcome not yet recorded (for the webhook outbox).
    DuringWebhookDelivery,
}

impl CrashPoint {
    /// Every point, in the order a journey reaches them.
    pub const ALL: [CrashPoint; 7] = [
        CrashPoint::AfterInit,
        CrashPoint::AfterCallback,
        CrashPoint::BeforeExchange,
        CrashPoint::AfterExchangeStored,
        CrashPoint::AfterFirstDocument,
        CrashPoint::AfterSuccess,
        CrashPoint::DuringWebhookDelivery,
    ];

    /// The name `DIGIGATE_CRASH_AT` takes.
    pub fn name(self) -> &'static str {
        match self {
            CrashPoint::AfterInit => "after-init",
            CrashPoint::AfterCallback => "after-callback",
            CrashPoint::BeforeExchange => "before-exchange",
            CrashPoint::AfterExchangeStored => "after-exchange-stored",
            CrashPoint::AfterFirstDocument => "after-first-document",
            CrashPoint::AfterSuccess => "after-success",
            CrashPoint::DuringWebhookDelivery => "during-webhook-delivery",
        }
    }
}

/// The environment variable naming the point to crash at.
pub const CRASH_AT_VAR: &str = "DIGIGATE_CRASH_AT";

/// Kills this process at once (SIGKILL) if it was told to crash at `at`; nothing otherwise.
#[cfg(feature = "crash-points")]
pub fn point(at: CrashPoint) {
    if std::env::var(CRASH_AT_VAR).ok().as_deref() != Some(at.name()) {
        return;
    }
    eprintln!("crash point reached: {}", at.name());
    // SIGKILL rather than abort(): no handler, no unwinding, no flush, as in a real crash.
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &std::process::id().to_string()])
        .status();
    // `kill` is gone or failed: end as abruptly as the standard library allows.
    std::process::abort();
}

/// Kills this process at once if it was told to crash at `at` (only with `crash-points`).
#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub fn point(_at: CrashPoint) {}
