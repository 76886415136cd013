//! Test harness: the shared stack of `digigate_server::testing` (the real gateway on
//! 127.0.0.1:0 over a fresh SQLite file or PostgreSQL database, the simulator on its own port,
//! an API key), and a `DigigateClient` for it.
#![allow(dead_code)]

use digigate_client::DigigateClient;
use digigate_server::testing::TestStack;
use digigate_store::testing::TestDatabase;
use digigate_store::Store;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use url::Url;

pub use digigate_server::testing::Backend;

/// Where the business sends people back to in these tests.
pub const REDIRECT: &str = "https://business.example/kyc/done";

/// One running gateway with its simulator and a key.
pub struct TestApp {
    pub base: Url,
    pub addr: SocketAddr,
    pub key: String,
    pub secret: String,
    pub store: Arc<dyn Store>,
    stack: TestStack,
    jwt_secret: [u8; 32],
    _db: TestDatabase,
}

/// Starts a simulator and a gateway on a fresh database, and creates an API key.
pub async fn spawn(backend: Backend) -> TestApp {
    let db = backend.database().await;
    let store = digigate_store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let stack = TestStack::on_own_port(store.clone(), |_| {}).await;
    let (key, secret) = stack.create_api_key(Vec::new()).await;
    TestApp {
        base: stack.base.clone(),
        addr: stack.addr,
        key,
        secret,
        store,
        stack,
        jwt_secret: [2; 32],
        _db: db,
    }
}

impl TestApp {
    /// Restarts the gateway on the same address and database with a new token-signing key, so
    /// every access token issued before is refused with 401.
    pub async fn restart_with_a_new_signing_key(&mut self) {
        self.jwt_secret = [self.jwt_secret[0].wrapping_add(1); 32];
        self.stack.restart([1; 32], self.jwt_secret, |_| {}).await;
    }

    /// Creates another API key; returns (key, secret).
    pub async fn create_key(&self) -> (String, String) {
        self.stack.create_api_key(Vec::new()).await
    }

    /// A client with this app's key.
    pub fn client(&self) -> DigigateClient {
        self.client_with(&self.key, &self.secret)
    }

    /// A client with other credentials.
    pub fn client_with(&self, key: &str, secret: &str) -> DigigateClient {
        DigigateClient::new(
            self.base.clone(),
            key.to_owned(),
            SecretString::from(secret.to_owned()),
        )
        .unwrap()
    }
}
