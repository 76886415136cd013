//! `digigate-bench`: starts the real gateway and the simulator in this process, runs whole consent
//! journeys through `digigate-client`, and prints how long they took. A program that prints
//! figures, not a timed test; build it with `--release` for meaningful numbers.

mod journey;
mod stack;
mod stats;

use anyhow::Context;
use clap::Parser;
use digigate_client::DigigateClient;
use secrecy::SecretString;
use stack::Stack;
use stats::Summary;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Measures whole DigiLocker consent journeys through digigate.
#[derive(Parser)]
#[command(name = "digigate-bench", version)]
struct Args {
    /// How many measured journeys to run.
    #[arg(long, short = 'n', default_value_t = 100)]
    journeys: usize,
    /// How many journeys run at a time.
    #[arg(long, short = 'c', default_value_t = 1)]
    concurrency: usize,
    /// Journeys run first and left out of the figures (connections, caches, the first token).
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// The simulator persona who consents (its mobile number).
    #[arg(long, default_value = "9000000001")]
    persona: String,
    /// Database URL (`postgres://…`); default: SQLite in a fresh temp directory.
    #[arg(long)]
    database_url: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.journeys > 0, "--journeys must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let stack = Stack::start(args.database_url.as_deref()).await?;
    let client = DigigateClient::new(
        stack.base.clone(),
        stack.key.clone(),
        SecretString::from(stack.secret.clone()),
    )?;
    client.authenticate().await.context("authenticating")?;
    for _ in 0..args.warmup {
        journey::run(&client, &args.persona)
            .await
            .context("warm-up journey")?;
    }

    let started = Instant::now();
    let times = run_all(&client, &args).await?;
    let wall = started.elapsed();
    let summary = Summary::of(&times).context("no journeys ran")?;

    println!(
        "digigate-bench: {} journeys (+{} warm-up), concurrency {}, persona {}, {}, {} {} build",
        args.journeys,
        args.warmup,
        args.concurrency,
        args.persona,
        stack.database,
        std::env::consts::ARCH,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    println!(
        "journey = init -> link -> simulator pages -> callback -> status -> 3 documents -> 3 downloads (rate limit off)"
    );
    println!(
        "whole-journey wall time (ms): count {}  median {:.2}  p90 {:.2}  p99 {:.2}  min {:.2}  max {:.2}",
        summary.count,
        summary.median_ms,
        summary.p90_ms,
        summary.p99_ms,
        summary.min_ms,
        summary.max_ms
    );
    println!(
        "throughput: {:.1} journeys/s ({} journeys in {:.2} s)",
        args.journeys as f64 / wall.as_secs_f64(),
        args.journeys,
        wall.as_secs_f64()
    );
    Ok(())
}

/// Runs `args.journeys` journeys, `args.concurrency` at a time; returns each one's wall time.
async fn run_all(client: &DigigateClient, args: &Args) -> anyhow::Result<Vec<Duration>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency.min(args.journeys) {
        let (client, next, persona, total) = (
            client.clone(),
            next.clone(),
            args.persona.clone(),
            args.journeys,
        );
        workers.spawn(async move {
            let mut times = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                times.push(journey::run(&client, &persona).await?);
            }
            anyhow::Ok(times)
        });
    }
    let mut all = Vec::with_capacity(args.journeys);
    while let Some(done) = workers.join_next().await {
        all.extend(done.context("a worker panicked")??);
    }
    Ok(all)
}
