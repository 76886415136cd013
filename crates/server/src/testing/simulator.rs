//! The simulated DigiLocker of the test stack, and where it sits relative to the gateway.

use axum::Router;
use digigate_digilocker::DigiLockerConfig;
use digigate_documents::signature::{CaCertificate, SigningIdentity, TrustStore};
use digigate_simulator::{Simulator, SimulatorConfig};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The partner client id the simulator knows the gateway by.
const CLIENT_ID: &str = "test-client";
/// The partner client secret the simulator and the gateway share.
const CLIENT_SECRET: &str = "simulator-secret-for-tests";

/// Where DigiLocker (the simulator) sits relative to the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// On its own port of 127.0.0.1 (the default of the tests).
    OwnPort,
    /// On its own port, and reached by the browser as `localhost`: another site than the
    /// gateway's 127.0.0.1, as the real DigiLocker is (cookies' SameSite rules apply).
    OwnOrigin,
    /// Mounted at `/simulator` on the gateway's own origin, as `digigate serve` runs it.
    Mounted,
}

/// A trust store holding the test simulator's root CA.
pub fn simulator_trust() -> TrustStore {
    let mut trust = TrustStore::new();
    let root = CaCertificate::simulator_test_root().expect("the test root CA loads");
    trust
        .add_pem(root.to_pem().expect("the test root CA encodes").as_bytes())
        .expect("the test root CA is trusted");
    trust
}

/// A simulator serving on its own port of 127.0.0.1 for the gateway at `gateway`, signing
/// documents with the fixed test PKI (crates/documents/testdata/pki: no key generation per test).
#[derive(Clone)]
pub struct TestSimulator {
    /// The simulator itself, to count what the gateway asked of it.
    pub simulator: Simulator,
    /// The port it serves on.
    pub addr: SocketAddr,
    /// Where the gateway and the browser reach it.
    pub topology: Topology,
    gateway: Url,
}

impl TestSimulator {
    /// Starts a simulator on `runtime` that sends people back to the gateway at `gateway`.
    pub fn start(
        gateway: &Url,
        topology: Topology,
        runtime: &tokio::runtime::Handle,
    ) -> std::io::Result<TestSimulator> {
        let mut config = SimulatorConfig::new(
            CLIENT_ID.to_owned(),
            SecretString::from(CLIENT_SECRET),
            vec![callback(gateway).to_string()],
        );
        config.signing = Some(Arc::new(
            SigningIdentity::simulator_test_identity().map_err(std::io::Error::other)?,
        ));
        let simulator = Simulator::new(config);
        // Bound here with std so that the socket can be handed to another runtime's reactor.
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let serving = simulator.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            digigate_simulator::serve(listener, serving, std::future::pending()).await
        });
        Ok(TestSimulator {
            simulator,
            addr,
            topology,
            gateway: gateway.clone(),
        })
    }

    /// The base URL of its partner API on its own port.
    pub fn base(&self) -> String {
        format!("http://{}/public", self.addr)
    }

    /// The DigiLocker client configuration with which the gateway reaches this simulator.
    pub fn digilocker_config(&self) -> DigiLockerConfig {
        let api_base = match self.topology {
            Topology::Mounted => self
                .gateway
                .join("/simulator/public")
                .expect("a valid path"),
            Topology::OwnPort | Topology::OwnOrigin => {
                Url::parse(&self.base()).expect("a valid URL")
            }
        };
        let mut authorize_base = api_base.clone();
        if self.topology == Topology::OwnOrigin {
            authorize_base
                .set_host(Some("localhost"))
                .expect("localhost is a host");
        }
        DigiLockerConfig {
            authorize_base,
            api_base,
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            redirect_uri: callback(&self.gateway),
            timeout: Duration::from_secs(10),
        }
    }

    /// `router` with the simulator nested at `/simulator` when it is mounted on the gateway.
    pub fn mount(&self, router: Router) -> Router {
        match self.topology {
            Topology::Mounted => router.nest("/simulator", self.simulator.router()),
            Topology::OwnPort | Topology::OwnOrigin => router,
        }
    }
}

fn callback(gateway: &Url) -> Url {
    gateway.join("/callbacks/digilocker").expect("a valid path")
}
