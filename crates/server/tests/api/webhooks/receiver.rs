//! A webhook receiver for the tests: a real HTTP server on 127.0.0.1:0 that records every
//! request and answers as its script says (500, a redirect, slowly), then 200.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// The three Standard Webhooks headers, as the reference library takes them.
    pub fn headers(&self) -> serde_json::Value {
        serde_json::json!({
            "webhook-id": self.id, "webhook-timestamp": self.timestamp,
            "webhook-signature": self.signature,
        })
    }
}

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 500.
    Fail,
    /// 302 to another path of the receiver (which answers 200 if asked).
    Redirect,
    /// 200, after this long.
    Slow(Duration),
}

#[derive(Clone, Default)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    redirected_to: Arc<Mutex<usize>>,
}

/// The running receiver.
pub struct Receiver {
    /// Where to point an endpoint (`http://127.0.0.1:port/hook`).
    pub url: String,
    inbox: Inbox,
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    inbox.got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    inbox.arrived.notify_waiters();
    let answer = inbox.script.lock().unwrap().pop_front();
    match answer {
        None => StatusCode::OK.into_response(),
        Some(Answer::Fail) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Some(Answer::Redirect) => (StatusCode::FOUND, [("location", "/elsewhere")]).into_response(),
        Some(Answer::Slow(wait)) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
    }
}

async fn elsewhere(State(inbox): State<Inbox>) -> StatusCode {
    *inbox.redirected_to.lock().unwrap() += 1;
    StatusCode::OK
}

impl Receiver {
    /// Starts a receiver failing its first `failures` requests.
    pub async fn start(failures: usize) -> Receiver {
        Receiver::answering(vec![Answer::Fail; failures]).await
    }

    /// Starts a receiver answering its first requests as `script` says, then 200.
    pub async fn answering(script: Vec<Answer>) -> Receiver {
        let inbox = Inbox::default();
        *inbox.script.lock().unwrap() = script.into();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .route("/elsewhere", axum::routing::any(elsewhere))
            .with_state(inbox.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inbox }
    }

    /// How many requests followed a redirect to `/elsewhere`.
    pub fn redirects_followed(&self) -> usize {
        *self.inbox.redirected_to.lock().unwrap()
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.got.lock().unwrap().clone()
    }

    /// Waits (at most 30 s) until `n` requests have arrived; answers them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let waiting = async {
            loop {
                let arrived = self.inbox.arrived.notified();
                let got = self.received();
                if got.len() >= n {
                    return got;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), waiting)
            .await
            .unwrap_or_else(|_| panic!("{n} webhooks arrived: got {:?}", self.received()))
    }
}
