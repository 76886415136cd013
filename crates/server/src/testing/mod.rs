//! The stack the tests and the benchmark run (feature `testing`): a simulator, the DigiLocker
//! client configuration that reaches it, the real gateway on 127.0.0.1:0 over a given store,
//! and API keys. Written once so that every suite starts the gateway the way `digigate serve`
//! does, and differs only where it says so.

mod simulator;
mod stack;

pub use simulator::{simulator_trust, TestSimulator, Topology};
pub use stack::{create_api_key, test_job_settings, TestStack};

use digigate_store::testing::TestDatabase;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// A SQLite file in a fresh temp directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `digigate_store::testing`.
    Postgres,
}

impl Backend {
    /// A fresh, throw-away database of this kind.
    pub async fn database(self) -> TestDatabase {
        match self {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres().await,
        }
    }
}

/// Defines `sqlite::<name>` and `postgres::<name>` tests, each running `<name>(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::testing::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::testing::Backend::Postgres).await })*
        }
    };
}

pub use crate::on_both_backends;
