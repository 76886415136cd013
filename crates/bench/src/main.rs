//! `digigate-bench`: the measuring program. It starts the real gateway (and the simulator, on a
//! runtime of its own) in this process and measures, in one run so that the noise of a shared
//! machine cancels in the ratios:
//!
//! - `hello`: a hello-world handler on the same listener code and runtime: the HTTP ceiling;
//! - `commit`: single-row durable commits back to back on the same disk or database;
//! - `status`: `GET …/sessions/{id}/status`, as a business polls it;
//! - `init`: `POST …/sessions/init`;
//! - `journeys`: whole consent journeys through the simulator, with the CPU each one cost the
//!   gateway and the simulator;
//! - `footprint`: `digigate serve` as a child process, its peak memory with 64 journeys in
//!   flight and its start on an existing data directory.
//!
//! A program that prints figures, not a timed test; build it with `--release`.

mod cpu;
mod footprint;
mod journey;
mod load;
mod modes;
mod probe;
mod report;
mod stack;
mod stats;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use cpu::ThreadGroup;
use report::Report;
use stack::Stack;

/// What to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A hello-world handler on the gateway's listener code.
    Hello,
    /// Durable single-row commits on the gateway's database.
    Commit,
    /// Session status reads.
    Status,
    /// Session inits.
    Init,
    /// Whole consent journeys.
    Journeys,
    /// `digigate serve` as a child: peak memory with 64 journeys in flight, start on an
    /// existing data directory.
    Footprint,
}

/// Measures digigate against the HTTP ceiling and the disk, in one run.
#[derive(Parser, Clone)]
#[command(name = "digigate-bench", version)]
pub struct Args {
    /// What to measure, in order (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "hello,commit,status,init,journeys,footprint"
    )]
    pub modes: Vec<Mode>,
    /// Seconds each load mode runs.
    #[arg(long, default_value_t = 10)]
    pub duration_secs: u64,
    /// Keep-alive connections of the load modes (like `wrk -c`).
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// How many measured journeys to run.
    #[arg(long, short = 'n', default_value_t = 400)]
    pub journeys: usize,
    /// How many journeys run at a time.
    #[arg(long, short = 'c', default_value_t = 16)]
    pub concurrency: usize,
    /// Journeys run first and left out of the figures (connections, caches, the first token).
    #[arg(long, default_value_t = 4)]
    pub warmup: usize,
    /// The simulator persona who consents (its mobile number).
    #[arg(long, default_value = "9000000001")]
    pub persona: String,
    /// Database URL (`postgres://…`); default: SQLite in a fresh temp directory.
    #[arg(long)]
    pub database_url: Option<String>,
    /// The `digigate` binary the footprint mode runs; default: the one beside this program
    /// (the mode is skipped, with a note, when there is none).
    #[arg(long)]
    pub digigate: Option<std::path::PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The runtimes the run uses: the gateway's, the simulator's and the load generator's, each on
/// its own threads so their CPU can be told apart.
pub struct Runtimes {
    /// The gateway (and the hello-world handler), two workers like the machine's cores.
    pub gateway: tokio::runtime::Runtime,
    /// The simulator.
    pub simulator: tokio::runtime::Runtime,
    /// The threads of the simulator's runtime.
    pub simulator_threads: ThreadGroup,
    /// The journey driver (the business's client and the person's browser).
    pub driver: tokio::runtime::Runtime,
    /// The threads of the driver's runtime.
    pub driver_threads: ThreadGroup,
}

fn runtime(
    name: &str,
    workers: usize,
    group: Option<&ThreadGroup>,
) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder
        .worker_threads(workers)
        .thread_name(name)
        .enable_all();
    if let Some(group) = group {
        let group = group.clone();
        builder.on_thread_start(move || group.register());
    }
    builder.build()
}

/// mimalloc rather than glibc's malloc, whose arena lock the runtime's workers contend for
/// (see `docs/performance.md`); the same as `digigate serve`, so the bench measures it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.journeys > 0, "--journeys must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.connections > 0, "--connections must be at least 1");
    let (simulator_threads, driver_threads) = (ThreadGroup::default(), ThreadGroup::default());
    let runtimes = Runtimes {
        gateway: runtime("gateway", 2, None)?,
        simulator: runtime("simulator", 2, Some(&simulator_threads))?,
        simulator_threads,
        driver: runtime("driver", 2, Some(&driver_threads))?,
        driver_threads,
    };
    let started = std::time::Instant::now();
    let stack = runtimes
        .gateway
        .block_on(Stack::start(
            args.database_url.as_deref(),
            runtimes.simulator.handle(),
        ))
        .context("starting the gateway")?;
    let ready = started.elapsed();
    let mut report = Report::new(&args, &stack, ready);
    for mode in &args.modes {
        if *mode == Mode::Footprint {
            if let Err(e) = footprint::binary(args.digigate.as_deref()) {
                eprintln!("digigate-bench: skipping footprint: {e}");
                continue;
            }
        }
        let figures = modes::measure(*mode, &args, &runtimes, &stack, &report)
            .with_context(|| format!("measuring {mode:?}"))?;
        if !args.json {
            report::print_mode(&figures, &report);
        }
        report.modes.push(figures);
    }
    report.resident_bytes = cpu::resident_bytes();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report::print_footer(&report);
    }
    Ok(())
}
