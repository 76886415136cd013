//! The run's figures, as text for people or one JSON object for machines.

use crate::stack::Stack;
use crate::Args;
use serde::Serialize;
use std::time::Duration;

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `release` or `debug`.
    pub build: &'static str,
    /// The database, as the stack describes it.
    pub database: String,
    /// Keep-alive connections of the load modes.
    pub connections: usize,
    /// Seconds each load mode ran.
    pub duration_secs: u64,
    /// Journeys at a time in the journeys mode.
    pub journey_concurrency: usize,
    /// From the start of the program until the gateway served (database opened, migrated, a key
    /// created).
    pub ready_ms: f64,
    /// Each mode's figures, in the order run.
    pub modes: Vec<Figures>,
    /// Resident memory of the whole process (gateway, simulator and load) at the end.
    pub resident_bytes: Option<u64>,
}

/// One mode's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// `hello`, `commit`, `status`, `init` or `journeys`.
    pub mode: String,
    /// What `throughput` counts per second.
    pub unit: &'static str,
    /// Completed operations per second.
    pub throughput: f64,
    /// Median latency.
    pub p50_ms: Option<f64>,
    /// 90th percentile latency.
    pub p90_ms: Option<f64>,
    /// 99th percentile latency.
    pub p99_ms: Option<f64>,
    /// Non-2xx answers and broken connections.
    pub errors: u64,
    /// Throughput over hello-world's in the same run.
    pub ratio_to_hello: Option<f64>,
    /// Throughput over the durable-commit probe's in the same run (init only).
    pub ratio_to_commit: Option<f64>,
    /// CPU the gateway spent per journey (the process less the simulator and the driver).
    pub gateway_cpu_ms_per_journey: Option<f64>,
    /// CPU the simulator spent per journey (signing: test-harness cost).
    pub simulator_cpu_ms_per_journey: Option<f64>,
    /// Peak resident memory of `digigate serve` run as a child (footprint only).
    pub gateway_peak_rss_bytes: Option<u64>,
    /// From starting `digigate serve` on an existing data directory until it was ready
    /// (footprint only).
    pub ready_existing_ms: Option<f64>,
}

impl Report {
    /// An empty report for this run.
    pub fn new(args: &Args, stack: &Stack, ready: Duration) -> Report {
        Report {
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
            database: stack.database.clone(),
            connections: args.connections,
            duration_secs: args.duration_secs,
            journey_concurrency: args.concurrency,
            ready_ms: ready.as_secs_f64() * 1000.0,
            modes: Vec::new(),
            resident_bytes: None,
        }
    }

    /// The throughput of `mode`, if it ran.
    pub fn throughput_of(&self, mode: &str) -> Option<f64> {
        self.modes
            .iter()
            .find(|f| f.mode == mode)
            .map(|f| f.throughput)
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

/// Prints one mode's line.
pub fn print_mode(f: &Figures, report: &Report) {
    if report.modes.is_empty() {
        println!(
            "digigate-bench: {} build, {}, {} connections x {} s, journeys at concurrency {}; gateway ready in {:.0} ms",
            report.build,
            report.database,
            report.connections,
            report.duration_secs,
            report.journey_concurrency,
            report.ready_ms
        );
    }
    let mut line = format!(
        "{:<9} {:>10.1} {:<10} p50 {:>7} ms  p90 {:>7} ms  p99 {:>7} ms  errors {}",
        f.mode,
        f.throughput,
        f.unit,
        opt(f.p50_ms),
        opt(f.p90_ms),
        opt(f.p99_ms),
        f.errors
    );
    if let Some(r) = f.ratio_to_hello {
        line.push_str(&format!("  {r:.3}x hello"));
    }
    if let Some(r) = f.ratio_to_commit {
        line.push_str(&format!("  {r:.3}x commit"));
    }
    if let (Some(g), Some(s)) = (f.gateway_cpu_ms_per_journey, f.simulator_cpu_ms_per_journey) {
        line.push_str(&format!(
            "  CPU/journey: gateway {g:.2} ms, simulator {s:.2} ms"
        ));
    }
    if let (Some(rss), Some(ready)) = (f.gateway_peak_rss_bytes, f.ready_existing_ms) {
        line.push_str(&format!(
            "  digigate serve: peak RSS {:.1} MB, ready on an existing data dir in {ready:.0} ms",
            rss as f64 / 1e6
        ));
    }
    println!("{line}");
}

/// Prints what follows the modes.
pub fn print_footer(report: &Report) {
    if let Some(rss) = report.resident_bytes {
        println!(
            "resident memory of the process at the end: {:.1} MB",
            rss as f64 / 1e6
        );
    }
}
