//! The job runner: takes durable jobs from the store (see `digigate_store`'s `jobs.rs`) and
//! runs them, and on each tick moves lapsed sessions to `expired`. Every instance runs one;
//! they share the jobs through the database, and a job whose instance died is claimed again
//! once its lease lapses, so work resumes after a crash or on another instance.
//!
//! The callback's transaction stores its fetch job already claimed by this instance and hands
//! it to the runner ([`Handoff`]), which starts it at once with no claim of its own; jobs
//! enqueued by other instances, or due for a retry, are claimed at the next poll (asked on the
//! read pool first, so an idle poll takes no write). A running job renews its lease every third
//! of it, so a slow fetch keeps its job while a dead one loses it within one lease.

use crate::envelope::now_ms;
use crate::error::error_chain;
use crate::journey;
use crate::AppState;
use digigate_store::{JobOutcome, JobRecord, FETCH_JOB};
use rand::Rng;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How the runner paces itself.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// How long a claim holds a job without being renewed; after a crash, how long its jobs
    /// wait before another run picks them up.
    pub lease: Duration,
    /// How often the store is asked for due jobs when nothing woke the runner.
    pub poll_every: Duration,
    /// How often lapsed sessions are moved to `expired`.
    pub expiry_every: Duration,
    /// How many jobs run at once in this instance.
    pub concurrency: usize,
    /// How long shutdown waits for running jobs before abandoning them to their leases.
    pub shutdown_grace: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            lease: Duration::from_secs(30),
            poll_every: Duration::from_millis(500),
            expiry_every: Duration::from_secs(5),
            concurrency: 32,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Attempts after which a job that keeps failing on storage is given up.
const MAX_ATTEMPTS: i64 = 20;
/// The first retry's delay; each further one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest delay between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Wakes a background loop of this instance at once: the job runner when this instance
/// enqueued a job, the webhook deliverer when it committed an event. Work of other instances
/// still waits for the loop's poll.
#[derive(Debug, Default)]
pub struct Wakeup(Notify);

impl Wakeup {
    /// Wakes the loop (a wake while it is busy is kept for its next wait).
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Resolves at the next wake (or at once, for a wake kept while the loop was busy).
    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

/// This instance's job runner as the code that causes jobs sees it: jobs stored already
/// claimed for it (by the callback's transaction) are handed over here, and it is woken.
#[derive(Debug, Default)]
pub struct Handoff {
    wakeup: Wakeup,
    handed: Mutex<Vec<JobRecord>>,
    /// The running runner's lease in milliseconds; 0 while no runner runs, when nothing may be
    /// claimed for it.
    lease_ms: AtomicI64,
}

impl Handoff {
    /// The lease to store a job claimed for this instance's runner with; `None` when no runner
    /// runs here (the job is then left to any runner's claim).
    pub fn lease_ms(&self) -> Option<i64> {
        Some(self.lease_ms.load(Ordering::Acquire)).filter(|ms| *ms > 0)
    }

    /// Gives the runner a job stored claimed for it (with [`Handoff::lease_ms`]); it starts at
    /// once. A job handed while the runner stops is left to its lease, as after a crash.
    pub fn hand(&self, job: JobRecord) {
        self.handed.lock().expect("handoff lock").push(job);
        self.wakeup.wake();
    }

    /// Wakes the runner to claim (a job was stored unclaimed).
    pub fn wake(&self) {
        self.wakeup.wake();
    }

    fn take(&self) -> Vec<JobRecord> {
        std::mem::take(&mut *self.handed.lock().expect("handoff lock"))
    }
}

/// The delay before attempt `attempts + 1`: exponential from [`FIRST_BACKOFF`], capped at
/// [`MAX_BACKOFF`], with "equal jitter" (between half and all of it) so that jobs failing
/// together do not retry together.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 16) - 1).unwrap_or(0);
    let full = FIRST_BACKOFF.saturating_mul(1 << exp).min(MAX_BACKOFF);
    let half = full / 2;
    half + half.mul_f64(rand::thread_rng().gen_range(0.0..=1.0))
}

/// Runs jobs until `shutdown` resolves, then waits up to the grace for running jobs.
pub async fn run(state: AppState, settings: JobSettings, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let handoff = &state.inner.jobs;
    let lease_ms = settings.lease.as_millis() as i64;
    handoff.lease_ms.store(lease_ms, Ordering::Release);
    let mut running = JoinSet::new();
    let mut next_expiry = Instant::now();
    loop {
        if Instant::now() >= next_expiry {
            match crate::expiry::expire_lapsed(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired lapsed sessions"),
                Err(e) => {
                    tracing::warn!(error = %error_chain(&e), "could not expire lapsed sessions")
                }
            }
            next_expiry = Instant::now() + settings.expiry_every;
        }
        while let Some(done) = running.try_join_next() {
            if let Err(e) = done {
                tracing::error!(error = %e, "a job task ended abnormally");
            }
        }
        // Handed jobs are already claimed for this runner: they run even beyond
        // `concurrency`, which bounds only what it claims from the table.
        for job in handoff.take() {
            running.spawn(run_one(state.clone(), job, settings.lease));
        }
        let free = settings.concurrency.saturating_sub(running.len());
        if free > 0 {
            match state
                .inner
                .store
                .claim_jobs(now_ms(), lease_ms, free as i64)
                .await
            {
                Ok(jobs) => {
                    for job in jobs {
                        running.spawn(run_one(state.clone(), job, settings.lease));
                    }
                }
                Err(e) => tracing::warn!(error = %error_chain(&e), "could not claim jobs"),
            }
        }
        tokio::select! {
            _ = handoff.wakeup.woken() => {}
            _ = tokio::time::sleep(settings.poll_every) => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = &mut shutdown => break,
        }
    }
    handoff.lease_ms.store(0, Ordering::Release);
    let drained = tokio::time::timeout(settings.shutdown_grace, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            jobs = running.len(),
            "jobs still running at shutdown are left to their leases"
        );
        running.abort_all();
    }
}

/// Runs one claimed job, renewing its lease while it runs, and records how it ended.
async fn run_one(state: AppState, job: JobRecord, lease: Duration) {
    let store = state.inner.store.clone();
    // The renewals run in a task of their own: awaiting the store there must not stop the job
    // (on SQLite both need the one writer connection, which the job may be holding).
    let mut renewals = tokio::spawn(renew_while_held(
        store.clone(),
        job.id.clone(),
        job.attempts,
        lease,
    ));
    let result = tokio::select! {
        result = work(&state, &job) => result,
        _ = &mut renewals => {
            // Another run holds the job now: let it finish; stop here.
            return tracing::warn!(job_id = %job.id, "lost the lease of a running job");
        }
    };
    renewals.abort();
    let outcome = match result {
        Ok(()) => JobOutcome::Done,
        Err(error) if job.attempts >= MAX_ATTEMPTS => {
            tracing::error!(job_id = %job.id, %error, "giving up a job");
            JobOutcome::GiveUp { error }
        }
        Err(error) => {
            tracing::warn!(job_id = %job.id, attempts = job.attempts, %error, "job failed; retrying");
            let run_at_ms = now_ms() + backoff(job.attempts).as_millis() as i64;
            JobOutcome::Retry { run_at_ms, error }
        }
    };
    if let Err(e) = store
        .finish_job(&job.id, job.attempts, &outcome, now_ms())
        .await
    {
        // The lease lapses and the job runs again; every job's work may be repeated.
        tracing::warn!(error = %error_chain(&e), job_id = %job.id, "could not record a job's outcome");
    }
}

/// Renews a running job's lease every third of it; returns once the claim no longer holds.
async fn renew_while_held(
    store: std::sync::Arc<dyn digigate_store::Store>,
    id: String,
    attempt: i64,
    lease: Duration,
) {
    let mut every = tokio::time::interval(lease / 3);
    every.tick().await;
    loop {
        every.tick().await;
        let until = now_ms() + lease.as_millis() as i64;
        match store.renew_job_lease(&id, attempt, until).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), job_id = %id, "could not renew a job's lease")
            }
        }
    }
}

/// What a job does; `Err` is a failure to retry, as a sentence without personal data.
async fn work(state: &AppState, job: &JobRecord) -> Result<(), String> {
    match (job.kind.as_str(), job.session_id.as_deref()) {
        (FETCH_JOB, Some(session_id)) => journey::run_fetch(state, session_id)
            .await
            .map_err(|e| error_chain(&e)),
        _ => Err(format!("unknown job kind {:?}", job.kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_a_minute() {
        for attempts in 1..=20 {
            let full = FIRST_BACKOFF
                .saturating_mul(1 << (attempts.min(16) - 1))
                .min(MAX_BACKOFF);
            let d = backoff(attempts);
            assert!(d >= full / 2 && d <= full, "attempt {attempts}: {d:?}");
        }
        assert!(backoff(1) <= Duration::from_secs(1));
        assert!(backoff(30) >= Duration::from_secs(30));
    }
}
