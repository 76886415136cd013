//! The `footprint` mode: the gateway's own memory and start-up, which the in-process stack
//! cannot tell apart from the simulator's and the load generator's. It runs `digigate serve`
//! (development mode, the built-in simulator as upstream, a SQLite file in a fresh data
//! directory) as a child process, drives journeys against it 64 at a time from this process,
//! and reads the child's peak resident memory (`VmHWM` in `/proc/<pid>/status`). The child's
//! figure includes the built-in simulator's memory (its keys and the documents it signs), so
//! the gateway's own is at most that. Then it stops the child and starts it again on the same,
//! now filled, data directory, timing the start until `/readyz` answers 200.

use crate::journey;
use anyhow::{bail, ensure, Context};
use digigate_client::DigigateClient;
use secrecy::SecretString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// Journeys in flight while the memory is watched (the figure).
pub const IN_FLIGHT: usize = 64;

/// What the mode measured.
pub struct Footprint {
    /// Journeys completed per second with [`IN_FLIGHT`] at a time.
    pub throughput: f64,
    /// Each journey's wall time.
    pub times: Vec<Duration>,
    /// The child's peak resident memory, bytes.
    pub peak_rss_bytes: u64,
    /// From spawning the child on the filled data directory until `/readyz` answered 200.
    pub ready_existing: Duration,
}

/// The `digigate` binary: `--digigate`, or the one built beside this program.
pub fn binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()?
            .parent()
            .context("the bench's directory")?
            .join("digigate"),
    };
    ensure!(
        path.exists(),
        "{} not found: build it with `cargo build --release -p digigate` or pass --digigate",
        path.display()
    );
    Ok(path)
}

/// A running `digigate serve`, killed when dropped.
struct Gateway {
    child: Child,
    base: Url,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    /// Starts `digigate serve` on `data_dir`; its output is kept for [`Gateway::development_key`]
    /// when `first`, else discarded.
    fn spawn(binary: &Path, data_dir: &Path, first: bool) -> anyhow::Result<Gateway> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(binary)
            .args(["serve", "--mode", "development", "--upstream", "simulator"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--rate-limit-per-minute", "100000000"])
            .arg("--data-dir")
            .arg(data_dir)
            .env("DIGIGATE_LOG", "warn")
            .stdout(if first { Stdio::piped() } else { Stdio::null() })
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let base = Url::parse(&format!("http://127.0.0.1:{port}/"))?;
        Ok(Gateway { child, base })
    }

    /// The development key the first start prints (`api key:` and `api secret:` lines).
    fn development_key(&mut self) -> anyhow::Result<(String, String)> {
        let stdout = self.child.stdout.take().context("the child's output")?;
        let (mut key, mut secret) = (None, None);
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let line = line?;
            let value = |prefix: &str| {
                line.trim()
                    .strip_prefix(prefix)
                    .map(|v| v.trim().to_owned())
            };
            key = key.or_else(|| value("api key:"));
            secret = secret.or_else(|| value("api secret:"));
            if let (Some(k), Some(s)) = (&key, &secret) {
                // Keep reading: a closed pipe would fail the child's next line of output.
                std::thread::spawn(move || lines.for_each(drop));
                return Ok((k.clone(), s.clone()));
            }
        }
        bail!("digigate serve printed no development key")
    }

    /// Waits until `/readyz` answers 200.
    async fn ready(&self, within: Duration) -> anyhow::Result<()> {
        let addr = format!(
            "127.0.0.1:{}",
            self.base.port().context("the child's port")?
        );
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if readyz(&addr).await.unwrap_or(false) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        bail!("digigate serve was not ready within {within:?}")
    }

    /// Peak resident memory so far (`VmHWM`), bytes.
    fn peak_rss(&self) -> Option<u64> {
        crate::cpu::status_kb(&format!("/proc/{}/status", self.child.id()), "VmHWM:")
            .map(|kb| kb * 1024)
    }
}

/// Whether `GET /readyz` on `addr` answers 200 (false while nothing listens).
async fn readyz(addr: &str) -> std::io::Result<bool> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await?;
    Ok(head.ends_with(b" 200"))
}

/// Runs the mode with `journeys` journeys, [`IN_FLIGHT`] at a time, as `persona`.
pub async fn measure(binary: &Path, journeys: usize, persona: &str) -> anyhow::Result<Footprint> {
    let dir = std::env::temp_dir().join(format!("digigate-footprint-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let outcome = measure_in(binary, &dir, journeys, persona).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

async fn measure_in(
    binary: &Path,
    dir: &Path,
    journeys: usize,
    persona: &str,
) -> anyhow::Result<Footprint> {
    let mut gateway = Gateway::spawn(binary, dir, true)?;
    let (key, secret) = gateway.development_key()?;
    gateway.ready(Duration::from_secs(30)).await?;
    let client = DigigateClient::new(gateway.base.clone(), key, SecretString::from(secret))?;
    client.authenticate().await.context("authenticating")?;
    journey::run(&client, persona)
        .await
        .context("warm-up journey")?;
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT.min(journeys) {
        let (client, next, persona) = (client.clone(), next.clone(), persona.to_owned());
        workers.spawn(async move {
            let mut times = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < journeys {
                times.push(journey::run(&client, &persona).await?);
            }
            anyhow::Ok(times)
        });
    }
    let mut times = Vec::with_capacity(journeys);
    while let Some(done) = workers.join_next().await {
        times.extend(done.context("a worker panicked")??);
    }
    let throughput = times.len() as f64 / started.elapsed().as_secs_f64();
    let peak_rss_bytes = gateway.peak_rss().context("the child's VmHWM")?;
    drop(gateway);

    let spawned = Instant::now();
    let again = Gateway::spawn(binary, dir, false)?;
    again.ready(Duration::from_secs(30)).await?;
    let ready_existing = spawned.elapsed();
    drop(again);
    Ok(Footprint {
        throughput,
        times,
        peak_rss_bytes,
        ready_existing,
    })
}
