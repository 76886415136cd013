//! A raw HTTP/1.1 client: the request bytes go on the wire exactly as written, so paths are not
//! normalised (`/files/../..`), headers can be duplicated or carry any byte, and bodies can lie
//! about their type or size.

use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request, written as is.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The request target, sent without any normalisation or encoding.
    pub target: String,
    /// Headers in order; a name may repeat. `host`, `connection` and `content-length` are added.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
    /// A `content-length` to announce instead of the body's length.
    pub announced_length: Option<u64>,
}

impl RawRequest {
    /// A request without headers or body.
    pub fn new(method: &'static str, target: impl Into<String>) -> Self {
        RawRequest {
            method,
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            announced_length: None,
        }
    }

    /// Adds a header (repeating a name adds a second line).
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// Removes every header called `name`.
    pub fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// Replaces every header called `name` with one line.
    pub fn set(self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.without(name).header(name, value)
    }

    /// Sets the body and its content type.
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let mut r = self.set("content-type", content_type);
        r.body = body.into();
        r
    }

    /// Sets a JSON body.
    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", body.to_string())
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        out.extend_from_slice(b"host: localhost\r\nconnection: close\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let length = self.announced_length.unwrap_or(self.body.len() as u64);
        if length > 0 || self.method == "POST" {
            out.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header called `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `req` to `addr` and reads the whole answer (the connection is closed after it). The
/// body is written while the answer is read, so a server that answers early (413) is seen.
pub async fn send(addr: SocketAddr, req: &RawRequest) -> RawResponse {
    let limit = std::time::Duration::from_secs(30);
    tokio::time::timeout(limit, exchange(addr, req))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "no answer within {limit:?} to {} {}",
                req.method, req.target
            )
        })
}

async fn exchange(addr: SocketAddr, req: &RawRequest) -> RawResponse {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let bytes = req.bytes();
    let writer = tokio::spawn(async move {
        // The server may close before reading everything; that is its right.
        let _ = wr.write_all(&bytes).await;
        let _ = wr.flush().await;
        wr
    });
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match rd.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            // A reset after the answer arrived (unread request body) ends the read.
            Err(_) if !buf.is_empty() => break,
            Err(e) => panic!("reading the answer to {} {}: {e}", req.method, req.target),
        }
    }
    drop(writer.await);
    parse(&buf).unwrap_or_else(|| {
        panic!(
            "unparseable answer to {} {}: {:?}",
            req.method,
            req.target,
            String::from_utf8_lossy(&buf)
        )
    })
}

fn parse(buf: &[u8]) -> Option<RawResponse> {
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let raw = &buf[split + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Some(RawResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}
