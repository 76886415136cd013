//! Helpers for tests that run the client against small local HTTP servers.

#![allow(dead_code)]

use std::time::Duration;

use digigate_digilocker::{DigiLockerClient, DigiLockerConfig};
use url::Url;

/// The client secret every test client uses.
pub const SECRET: &str = "test-client-secret";

/// Serves `router` on 127.0.0.1:0 and returns its `/public` base URL.
pub async fn serve(router: axum::Router) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("test server runs");
    });
    Url::parse(&format!("http://{addr}/public")).expect("base url")
}

/// A client for `base` with the given timeout.
pub fn client_with_timeout(base: &Url, timeout: Duration) -> DigiLockerClient {
    DigiLockerClient::new(DigiLockerConfig {
        authorize_base: base.clone(),
        api_base: base.clone(),
        client_id: "test-client".into(),
        client_secret: SECRET.into(),
        redirect_uri: Url::parse("http://127.0.0.1:9/callback").expect("url"),
        timeout,
    })
    .expect("client builds")
}

/// A client for `base` with a 5 second timeout.
pub fn client(base: &Url) -> DigiLockerClient {
    client_with_timeout(base, Duration::from_secs(5))
}
