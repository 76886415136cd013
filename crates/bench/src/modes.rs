//! Each measuring mode: what it starts, what load it drives, and the figures it reports.

use crate::load::{self, LoadResult};
use crate::report::{Figures, Report};
use crate::stack::Stack;
use crate::stats::Summary;
use crate::{cpu, journey, probe, Args, Mode, Runtimes};
use anyhow::{ensure, Context};
use digigate_client::DigigateClient;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs one mode and returns its figures (ratios against the modes already in `report`).
pub fn measure(
    mode: Mode,
    args: &Args,
    rt: &Runtimes,
    stack: &Stack,
    report: &Report,
) -> anyhow::Result<Figures> {
    let duration = Duration::from_secs(args.duration_secs);
    let gateway = stack.addr()?;
    match mode {
        Mode::Hello => {
            let addr = rt.gateway.block_on(hello_world())?;
            let request = load::request::<&str, &str>("GET", addr, "/hello", &[], "");
            let result = rt
                .driver
                .block_on(load::run(addr, request, args.connections, duration));
            Ok(Figures::of_load("hello", &result, report))
        }
        Mode::Commit => {
            let rate = rt.gateway.block_on(async {
                match &stack.temp_dir {
                    Some(dir) => probe::sqlite(dir, duration.min(Duration::from_secs(5))).await,
                    None if stack.database_url.starts_with("postgres") => {
                        probe::postgres(&stack.database_url, duration.min(Duration::from_secs(5)))
                            .await
                    }
                    None => {
                        anyhow::bail!("the commit probe needs the default SQLite or PostgreSQL")
                    }
                }
            })?;
            Ok(Figures::of_rate("commit", "commits/s", rate))
        }
        Mode::Status => {
            let token = rt.driver.block_on(authenticate(gateway, stack))?;
            let session = rt.driver.block_on(init_once(gateway, stack, &token))?;
            let path = format!("/kyc/digilocker/sessions/{session}/status");
            let request = load::request("GET", gateway, &path, &credentials(stack, &token), "");
            let result =
                rt.driver
                    .block_on(load::run(gateway, request, args.connections, duration));
            Ok(Figures::of_load("status", &result, report))
        }
        Mode::Init => {
            let token = rt.driver.block_on(authenticate(gateway, stack))?;
            let mut headers = credentials(stack, &token);
            headers.push(("content-type", "application/json".to_owned()));
            let request = load::request(
                "POST",
                gateway,
                "/kyc/digilocker/sessions/init",
                &headers,
                INIT_BODY,
            );
            let result =
                rt.driver
                    .block_on(load::run(gateway, request, args.connections, duration));
            Ok(Figures::of_load("init", &result, report))
        }
        Mode::Journeys => journeys(args, rt, stack),
        Mode::Footprint => {
            let binary = crate::footprint::binary(args.digigate.as_deref())?;
            let journeys = args.journeys.max(crate::footprint::IN_FLIGHT);
            let measured =
                rt.driver
                    .block_on(crate::footprint::measure(&binary, journeys, &args.persona))?;
            let summary = Summary::of(&measured.times).context("no journeys ran")?;
            Ok(Figures {
                mode: "footprint".into(),
                unit: "journeys/s",
                throughput: measured.throughput,
                p50_ms: Some(summary.median_ms),
                p90_ms: Some(summary.p90_ms),
                p99_ms: Some(summary.p99_ms),
                gateway_peak_rss_bytes: Some(measured.peak_rss_bytes),
                ready_existing_ms: Some(measured.ready_existing.as_secs_f64() * 1000.0),
                ..Figures::of_rate("footprint", "journeys/s", measured.throughput)
            })
        }
    }
}

/// The init body of the load: all three documents, returning to a fixed page.
const INIT_BODY: &str = r#"{"@entity":"in.co.sandbox.kyc.digilocker.session.request","flow":"signin","redirect_url":"https://business.example/kyc/done","doc_types":["aadhaar","pan","driving_license"]}"#;

/// A hello-world handler returning a small JSON body, on the gateway's own listener code.
async fn hello_world() -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new().route(
        "/hello",
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({ "message": "hello, world" }))
        }),
    );
    tokio::spawn(digigate_server::serve(
        listener,
        router,
        std::future::pending(),
    ));
    Ok(addr)
}

/// The API headers of every load request.
fn credentials(stack: &Stack, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("x-api-key", stack.key.clone()),
        ("authorization", token.to_owned()),
        ("x-api-version", "1.0.0".to_owned()),
    ]
}

/// `POST /authenticate` once; returns the access token.
async fn authenticate(addr: SocketAddr, stack: &Stack) -> anyhow::Result<String> {
    let request = load::request(
        "POST",
        addr,
        "/authenticate",
        &[("x-api-key", &stack.key), ("x-api-secret", &stack.secret)],
        "",
    );
    let (status, body) = load::once(addr, &request).await?;
    ensure!(status == 200, "authenticate answered {status}");
    let body: serde_json::Value = serde_json::from_slice(&body)?;
    body["data"]["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access token")
}

/// Inits one session; returns its id.
async fn init_once(addr: SocketAddr, stack: &Stack, token: &str) -> anyhow::Result<String> {
    let mut headers = credentials(stack, token);
    headers.push(("content-type", "application/json".to_owned()));
    let request = load::request(
        "POST",
        addr,
        "/kyc/digilocker/sessions/init",
        &headers,
        INIT_BODY,
    );
    let (status, body) = load::once(addr, &request).await?;
    ensure!(status == 200, "init answered {status}");
    let body: serde_json::Value = serde_json::from_slice(&body)?;
    body["data"]["session_id"]
        .as_str()
        .map(str::to_owned)
        .context("no session id")
}

/// Whole journeys, `args.concurrency` at a time, with the CPU they cost each side.
fn journeys(args: &Args, rt: &Runtimes, stack: &Stack) -> anyhow::Result<Figures> {
    let client = DigigateClient::new(
        stack.base.clone(),
        stack.key.clone(),
        SecretString::from(stack.secret.clone()),
    )?;
    rt.driver.block_on(async {
        client.authenticate().await.context("authenticating")?;
        for _ in 0..args.warmup {
            journey::run(&client, &args.persona)
                .await
                .context("warm-up journey")?;
        }
        anyhow::Ok(())
    })?;
    let cpu_before = (
        cpu::process_cpu_seconds(),
        rt.simulator_threads.cpu_seconds(),
        rt.driver_threads.cpu_seconds(),
    );
    let started = Instant::now();
    let times = rt.driver.block_on(run_all(&client, args))?;
    let wall = started.elapsed();
    let (total, simulator, driver) = (
        cpu::process_cpu_seconds() - cpu_before.0,
        rt.simulator_threads.cpu_seconds() - cpu_before.1,
        rt.driver_threads.cpu_seconds() - cpu_before.2,
    );
    let summary = Summary::of(&times).context("no journeys ran")?;
    let n = times.len() as f64;
    Ok(Figures {
        mode: "journeys".into(),
        unit: "journeys/s",
        throughput: n / wall.as_secs_f64(),
        p50_ms: Some(summary.median_ms),
        p90_ms: Some(summary.p90_ms),
        p99_ms: Some(summary.p99_ms),
        errors: 0,
        ratio_to_hello: None,
        ratio_to_commit: None,
        gateway_cpu_ms_per_journey: Some((total - simulator - driver) * 1000.0 / n),
        simulator_cpu_ms_per_journey: Some(simulator * 1000.0 / n),
        gateway_peak_rss_bytes: None,
        ready_existing_ms: None,
    })
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

impl Figures {
    /// The figures of a load run, with its ratios to `hello` and `commit` when those ran.
    pub fn of_load(mode: &str, result: &LoadResult, report: &Report) -> Figures {
        let summary = Summary::of(&result.latencies);
        let throughput = result.throughput();
        let ratio = |base: &str| report.throughput_of(base).map(|b| throughput / b);
        Figures {
            mode: mode.into(),
            unit: "req/s",
            throughput,
            p50_ms: summary.as_ref().map(|s| s.median_ms),
            p90_ms: summary.as_ref().map(|s| s.p90_ms),
            p99_ms: summary.as_ref().map(|s| s.p99_ms),
            errors: result.errors,
            ratio_to_hello: (mode != "hello").then(|| ratio("hello")).flatten(),
            ratio_to_commit: (mode == "init").then(|| ratio("commit")).flatten(),
            gateway_cpu_ms_per_journey: None,
            simulator_cpu_ms_per_journey: None,
            gateway_peak_rss_bytes: None,
            ready_existing_ms: None,
        }
    }

    /// The figures of a rate without latencies (the commit probe).
    pub fn of_rate(mode: &str, unit: &'static str, rate: f64) -> Figures {
        Figures {
            mode: mode.into(),
            unit,
            throughput: rate,
            p50_ms: None,
            p90_ms: None,
            p99_ms: None,
            errors: 0,
            ratio_to_hello: None,
            ratio_to_commit: None,
            gateway_cpu_ms_per_journey: None,
            simulator_cpu_ms_per_journey: None,
            gateway_peak_rss_bytes: None,
            ready_existing_ms: None,
        }
    }
}
