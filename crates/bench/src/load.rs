//! A closed-loop HTTP/1.1 load generator: `connections` keep-alive connections, each sending one
//! fixed request, waiting for the whole answer and sending the next, for a fixed time.
//!
//! It runs on its own runtime and threads, as `wrk -t2` would in another process, and does no
//! more per request than `wrk` does (write the bytes, read the head, skip the body by its
//! `Content-Length`), so the same generator can measure a hello-world handler and the gateway in
//! one run and the ratio between them is fair.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one load run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Non-2xx answers and broken connections.
    pub errors: u64,
    /// The measured time.
    pub elapsed: Duration,
    /// The latency of every 2xx answer.
    pub latencies: Vec<Duration>,
}

impl LoadResult {
    fn empty() -> LoadResult {
        LoadResult {
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
        }
    }

    /// 2xx answers per second.
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// A request as bytes on the wire.
pub fn request<N: AsRef<str>, V: AsRef<str>>(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(N, V)],
    body: &str,
) -> Arc<[u8]> {
    let mut text = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{}: {}\r\n", name.as_ref(), value.as_ref()));
    }
    if !body.is_empty() || method == "POST" {
        text.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text.into_bytes().into()
}

/// Sends `request` to `addr` over `connections` connections for `duration` (run it on a runtime
/// of its own).
pub async fn run(
    addr: SocketAddr,
    request: Arc<[u8]>,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    {
        let started = Instant::now();
        let deadline = started + duration;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..connections {
            tasks.spawn(connection(addr, request.clone(), deadline));
        }
        let mut total = LoadResult::empty();
        while let Some(done) = tasks.join_next().await {
            let one = done.expect("a load connection panicked");
            total.ok += one.ok;
            total.errors += one.errors;
            total.latencies.extend(one.latencies);
        }
        total.elapsed = started.elapsed();
        total
    }
}

/// Sends `request` once on a new connection; returns the status and the body of the answer
/// (which must carry a `Content-Length`).
pub async fn once(addr: SocketAddr, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    let mut buf = vec![0u8; 256 * 1024];
    let broken = || std::io::Error::other("the answer could not be read");
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Err(broken());
        }
        filled += n;
        let Some(end) = find(&buf[..filled], b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buf[..end]).map_err(|_| broken())?;
        let status: u16 = head
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(broken)?;
        let length = content_length(head).ok_or_else(broken)?;
        while filled < end + 4 + length {
            let n = stream.read(&mut buf[filled..]).await?;
            if n == 0 {
                return Err(broken());
            }
            filled += n;
        }
        return Ok((status, buf[end + 4..end + 4 + length].to_vec()));
    }
}

/// The `Content-Length` of a response head.
fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// One connection's loop; reconnects after an error.
async fn connection(addr: SocketAddr, request: Arc<[u8]>, deadline: Instant) -> LoadResult {
    let mut result = LoadResult::empty();
    let mut buf = vec![0u8; 64 * 1024];
    'connect: while Instant::now() < deadline {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            result.errors += 1;
            continue;
        };
        let _ = stream.set_nodelay(true);
        while Instant::now() < deadline {
            let sent = Instant::now();
            if stream.write_all(&request).await.is_err() {
                result.errors += 1;
                continue 'connect;
            }
            match read_answer(&mut stream, &mut buf).await {
                Some(status) if (200..300).contains(&status) => {
                    result.ok += 1;
                    result.latencies.push(sent.elapsed());
                }
                Some(_) => result.errors += 1,
                None => {
                    result.errors += 1;
                    continue 'connect;
                }
            }
        }
    }
    result
}

/// Reads one whole answer (head and `Content-Length` body); returns its status, or `None` if
/// the connection broke or the answer cannot be framed.
async fn read_answer(stream: &mut TcpStream, buf: &mut [u8]) -> Option<u16> {
    let mut filled = 0;
    let head_end = loop {
        let n = stream.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(end) = find(&buf[..filled], b"\r\n\r\n") {
            break end + 4;
        }
        if filled == buf.len() {
            return None;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let status: u16 = head.get(9..12)?.parse().ok()?;
    let length = content_length(head).unwrap_or(0);
    let mut remaining = (head_end + length).saturating_sub(filled);
    while remaining > 0 {
        let chunk = remaining.min(buf.len());
        let n = stream.read(&mut buf[..chunk]).await.ok()?;
        if n == 0 {
            return None;
        }
        remaining -= n;
    }
    Some(status)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
