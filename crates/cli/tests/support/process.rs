//! The digigate processes a test runs: spawned from the built binary with a clean environment,
//! their logs collected, waited on by polling, killed on drop; and the ports they listen on.
//! Every CLI test that starts a server includes this module (`#[path]`), so ports are chosen in
//! one place.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a process may take to become ready (the machine is shared and may be busy).
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A port nothing listens on right now, for a process to bind later.
///
/// A port taken with `bind(127.0.0.1:0)` and released comes from the kernel's ephemeral range,
/// the same range every outgoing connection (the tests' HTTP clients, the gateways' PostgreSQL
/// pools) and every other `bind(0)` draws its local port from; between the release and the
/// child's bind one of those often took it ("Address already in use"). So the port is drawn at
/// random from below that range, where the kernel never assigns one by itself, is checked to
/// bind now, and is never handed out twice by one test binary. The tests need the port before
/// the process starts (it goes into the callback URL the simulator accepts, and a restarted
/// gateway must come back on it), so `--listen 127.0.0.1:0` is no way out here.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let (low, high) = below_ephemeral_range();
    let mut handed_out = HANDED_OUT.lock().unwrap();
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    for _ in 0..1000 {
        let port = rand::Rng::gen_range(&mut rand::thread_rng(), low..high);
        if !handed_out.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.insert(port);
            return port;
        }
    }
    panic!("no free port in {low}..{high} after 1000 tries");
}

/// The ports this machine's kernel never picks by itself: from 10000 (above the usual fixed
/// services such as 5432 or 8080) to the start of the ephemeral range.
fn below_ephemeral_range() -> (u16, u16) {
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    assert!(
        ephemeral_start > 11000,
        "the ephemeral range starts at {ephemeral_start}: too low to keep test ports out of it"
    );
    (10000, ephemeral_start)
}

pub fn digigate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_digigate"));
    // Plain logs, so a test can read them.
    cmd.env_clear().env("NO_COLOR", "1");
    cmd
}

/// A running digigate process whose log (stderr) is collected; killed on drop.
pub struct Process {
    name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Process {
    pub fn spawn(name: impl Into<String>, mut cmd: Command) -> Process {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the digigate binary starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Process {
            name: name.into(),
            child,
            log,
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Polls `ready` until it holds; panics with the log if the process exits first or it takes
    /// longer than [`READY_WITHIN`].
    pub fn wait_until(&mut self, what: &str, mut ready: impl FnMut(&Process) -> bool) {
        let deadline = Instant::now() + READY_WITHIN;
        while !ready(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "{} exited ({status}) before {what}:\n{}",
                    self.name,
                    self.log()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{} did not get to {what} in time:\n{}",
                    self.name,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the process ends by itself (a crash test's kill), at most `within`; answers
    /// how it ended.
    #[allow(dead_code)] // used by `tests/crash`, which includes this module
    pub fn wait_for_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} is still running:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the port accepts connections (the simulator binds it once its keys are ready).
    pub fn wait_for_port(&mut self, port: u16) {
        self.wait_until("accepting connections", |_| {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    /// Waits until `GET /health` answers 200 `ok`.
    pub fn wait_for_health(&mut self, port: u16) {
        self.wait_until("answering /health", |_| healthy(port));
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /health` over a plain socket (the readiness probe a load balancer would send).
fn healthy(port: u16) -> bool {
    http_get(port, "/health")
        .is_some_and(|answer| answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"))
}

/// Waits until a server the test spawned itself (not as a [`Process`]) answers `/health`.
#[allow(dead_code)] // used by the tests that read the server's own output
pub fn wait_for_health_of(port: u16) {
    let deadline = Instant::now() + READY_WITHIN;
    while !healthy(port) {
        assert!(Instant::now() < deadline, "serve never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 request on a fresh connection (`head` with its blank line); the whole answer,
/// or `None` if nobody listens.
pub fn http(port: u16, head: &str) -> Option<String> {
    let mut socket = TcpStream::connect(("127.0.0.1", port)).ok()?;
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    socket.write_all(head.as_bytes()).ok()?;
    let mut answer = String::new();
    socket.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// `GET path` with [`http`].
pub fn http_get(port: u16, path: &str) -> Option<String> {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    )
}
