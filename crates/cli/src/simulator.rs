//! `digigate simulator`: the DigiLocker simulator on its own.

use anyhow::Context;
use clap::Args;
use digigate_documents::signature::{SignatureMethod, SignerRule, SigningIdentity, ROOT_CA_FILE};
use digigate_simulator::{Persona, Simulator, SimulatorConfig};
use rand::distributions::{Alphanumeric, DistString};
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;

/// Flags of `digigate simulator`.
#[derive(Args)]
pub struct SimulatorArgs {
    /// Address to listen on; the API is under `/public`.
    #[arg(
        long,
        env = "DIGIGATE_SIMULATOR_LISTEN",
        default_value = "127.0.0.1:9090"
    )]
    listen: String,
    /// Client id partners must use.
    #[arg(
        long,
        env = "DIGIGATE_SIMULATOR_CLIENT_ID",
        default_value = "digigate-simulator"
    )]
    client_id: String,
    /// Client secret partners must use (default: a random one, printed at start).
    #[arg(long, env = "DIGIGATE_SIMULATOR_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Registered redirect URI (repeatable; exact match).
    #[arg(
        long = "redirect-uri",
        default_value = "http://127.0.0.1:8080/callbacks/digilocker"
    )]
    redirect_uris: Vec<String>,
    /// Directory holding the simulator's document-signing keys (generated on first start).
    #[arg(
        long,
        env = "DIGIGATE_SIMULATOR_PKI_DIR",
        default_value = "./digigate-data/simulator-pki"
    )]
    pki_dir: PathBuf,
    /// Signature algorithm of the served XML documents.
    #[arg(long, value_enum, default_value = "rsa-sha1")]
    signature_method: SignatureMethodArg,
    /// A JSON file of extra personas.
    #[arg(long, env = "DIGIGATE_SIMULATOR_PERSONAS")]
    personas: Option<PathBuf>,
    /// How long each document fetch of a `slow_repository` persona (built-in 9000000006)
    /// takes, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    slow_repository_delay_ms: u64,
}

/// A random client secret for a simulator whose secret was not configured.
pub fn random_secret() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

pub async fn run(args: SimulatorArgs) -> anyhow::Result<()> {
    let secret = match args.client_secret {
        Some(s) => s,
        None => {
            let s = random_secret();
            println!("simulator client secret: {s}");
            s
        }
    };
    let mut config = SimulatorConfig::new(
        args.client_id,
        SecretString::from(secret),
        args.redirect_uris,
    );
    let (identity, _) = load_or_create_pki(&args.pki_dir)?;
    config.signing = Some(identity);
    config.signature_method = args.signature_method.into();
    config.slow_repository_delay = std::time::Duration::from_millis(args.slow_repository_delay_ms);
    if let Some(path) = &args.personas {
        // A loaded persona replaces a built-in one with the same mobile number.
        let loaded = Persona::load_file(path).context("loading personas")?;
        config
            .personas
            .retain(|p| loaded.iter().all(|l| l.mobile != p.mobile));
        config.personas.extend(loaded);
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "DigiLocker simulator listening; base URL /public");
    digigate_simulator::serve(listener, Simulator::new(config), crate::shutdown_signal()).await?;
    Ok(())
}

/// The simulator's signing identity and the PEM of its root CA, from `dir`, generated there
/// (a root CA, a document-signer sub-CA and a signer, valid from 2010 to five years ahead) on
/// first use.
pub fn load_or_create_pki(
    dir: &std::path::Path,
) -> anyhow::Result<(Arc<SigningIdentity>, Vec<u8>)> {
    let root_file = dir.join(ROOT_CA_FILE);
    if root_file.exists() {
        let identity =
            SigningIdentity::from_pem_files(dir).context("loading the simulator's signing keys")?;
        // A PKI made before signers had to match DigiLocker's shape would make every simulated
        // document fail as `unexpected_signer`: make a new one.
        if identity.satisfies(&SignerRule::digilocker_defaults()) {
            let root = std::fs::read(&root_file).context("reading the simulator's root CA")?;
            return Ok((Arc::new(identity), root));
        }
        tracing::info!(dir = %dir.display(), "the simulator's signer lacks DigiLocker's signer shape; regenerating");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let now = chrono::Utc::now();
    // Valid from 2010 like the committed test PKI; the simulator dates every e-Aadhaar at the
    // fetch, so only the upper bound matters for its documents.
    let since = chrono::DateTime::parse_from_rfc3339("2010-01-01T00:00:00Z")
        .expect("a valid constant")
        .with_timezone(&chrono::Utc);
    let (identity, root) = SigningIdentity::generate_test_pki(
        "DIGIGATE",
        since,
        now + chrono::Duration::days(5 * 365),
    )
    .context("generating the simulator's signing keys")?;
    identity
        .to_pem_files(dir)
        .context("writing the simulator's signing keys")?;
    let pem = root.to_pem().context("encoding the simulator's root CA")?;
    std::fs::write(&root_file, &pem).context("writing the simulator's root CA")?;
    tracing::info!(dir = %dir.display(), "generated the simulator's document-signing PKI");
    Ok((Arc::new(identity), pem.into_bytes()))
}

/// How the simulator signs documents.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SignatureMethodArg {
    /// RSA-SHA1, as DigiLocker signs today.
    RsaSha1,
    /// RSA-SHA256.
    RsaSha256,
}

impl From<SignatureMethodArg> for SignatureMethod {
    fn from(m: SignatureMethodArg) -> Self {
        match m {
            SignatureMethodArg::RsaSha1 => SignatureMethod::RsaSha1,
            SignatureMethodArg::RsaSha256 => SignatureMethod::RsaSha256,
        }
    }
}
