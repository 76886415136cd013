//! `digigate serve`: the gateway (and, on request, a simulated DigiLocker) from flags and environment.

use crate::secrets::{configured_secret, load_or_create_key};
use crate::storage::StorageArgs;
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use digigate_core::KeyEnvironment;
use digigate_digilocker::{DigiLockerClient, DigiLockerConfig};
use digigate_server::{auth, Gateway, GatewayConfig};
use digigate_simulator::{Simulator, SimulatorConfig};
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Which DigiLocker the gateway talks to.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Upstream {
    /// The built-in simulator, mounted at `/simulator` in this process.
    Simulator,
    /// A real DigiLocker partner API (or a simulator run on its own) at `--digilocker-url`.
    Digilocker,
}

/// Development or production behaviour.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Generated keys, a test API key on first start, http localhost redirect URLs allowed.
    Development,
    /// Every key must be configured; the simulator cannot be the upstream.
    Production,
}

/// Flags of `digigate serve`.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Address to listen on.
    #[arg(long, env = "DIGIGATE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Public base URL of this gateway (default: http://<listen>).
    #[arg(long, env = "DIGIGATE_PUBLIC_URL")]
    public_url: Option<Url>,
    /// Development or production.
    #[arg(long, env = "DIGIGATE_MODE", value_enum, default_value = "development")]
    mode: Mode,
    /// Which DigiLocker to use.
    #[arg(
        long,
        env = "DIGIGATE_UPSTREAM",
        value_enum,
        default_value = "simulator"
    )]
    upstream: Upstream,
    /// Base URL of the DigiLocker partner API.
    #[arg(
        long,
        env = "DIGIGATE_DIGILOCKER_URL",
        default_value = "https://digilocker.meripehchaan.gov.in/public"
    )]
    digilocker_url: Url,
    /// DigiLocker partner client id.
    #[arg(long, env = "DIGIGATE_DIGILOCKER_CLIENT_ID")]
    digilocker_client_id: Option<String>,
    /// DigiLocker partner client secret (prefer the environment variable, or
    /// `DIGIGATE_DIGILOCKER_CLIENT_SECRET_FILE` naming a file holding it).
    #[arg(
        long,
        env = "DIGIGATE_DIGILOCKER_CLIENT_SECRET",
        hide_env_values = true
    )]
    digilocker_client_secret: Option<String>,
    /// Key-encryption key, base64 of 32 bytes (generated into the data directory in development;
    /// `DIGIGATE_MASTER_KEY_FILE` names a file holding it instead).
    #[arg(long, env = "DIGIGATE_MASTER_KEY", hide_env_values = true)]
    master_key: Option<String>,
    /// Access-token signing key, base64 of 32 bytes (generated in development;
    /// `DIGIGATE_JWT_SECRET_FILE` names a file holding it instead).
    #[arg(long, env = "DIGIGATE_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Access token lifetime in seconds.
    #[arg(long, env = "DIGIGATE_TOKEN_TTL_SECS", default_value_t = 86_400)]
    token_ttl_secs: u64,
    /// The access tokens' `iss` claim. Sandbox's official Node SDK re-authenticates by itself
    /// only when it contains `sandbox.co.in` (docs/compatibility.md).
    #[arg(long, env = "DIGIGATE_JWT_ISSUER", default_value = "digigate",
          value_parser = clap::builder::NonEmptyStringValueParser::new())]
    jwt_issuer: String,
    /// Lifetime of a session's link in seconds.
    #[arg(long, env = "DIGIGATE_LINK_TTL_SECS", default_value_t = 600)]
    link_ttl_secs: u64,
    /// Lifetime of document download links in seconds.
    #[arg(long, env = "DIGIGATE_DOWNLOAD_TTL_SECS", default_value_t = 300)]
    download_ttl_secs: u64,
    /// How long documents are kept after a session succeeds, in hours.
    #[arg(long, env = "DIGIGATE_RETENTION_HOURS", default_value_t = 24)]
    retention_hours: u64,
    /// API requests per minute allowed per API key.
    #[arg(long, env = "DIGIGATE_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    rate_limit_per_minute: u32,
    /// `/authenticate` attempts per minute per key id and per source address.
    #[arg(long, env = "DIGIGATE_AUTH_ATTEMPTS_PER_MINUTE", default_value_t = 30)]
    auth_attempts_per_minute: u32,
    /// PEM file of a root CA that DigiLocker's document signers chain to (repeatable); replaces
    /// the shipped CCA India roots. With the built-in simulator its own root is trusted
    /// automatically.
    #[arg(long = "trust-pem", env = "DIGIGATE_TRUST_PEM", value_delimiter = ',')]
    trust_pem: Vec<PathBuf>,
    /// Run with no trust anchors at all: every document is stored `unverified`, parsed
    /// anyway, and served with `verified: false` and a warning. Never for real KYC.
    #[arg(
        long,
        env = "DIGIGATE_ALLOW_UNVERIFIED_DOCUMENTS",
        conflicts_with = "trust_pem"
    )]
    allow_unverified_documents: bool,
    /// Expected document signer `TYPES|ORGANIZATION|ISSUER_CN_CONTAINS` (repeatable), e.g.
    /// `pan|DIGITAL INDIA CORPORATION|Sub CA`; replaces the default, DigiLocker's NeGD document
    /// signer for every type (`*|NATIONAL E-GOVERNANCE DIVISION|Document Signer`).
    #[arg(
        long = "signer-rule",
        env = "DIGIGATE_SIGNER_RULES",
        value_delimiter = ';'
    )]
    signer_rules: Vec<digigate_documents::signature::SignerRule>,
    /// Refuse documents DigiLocker sends without its `hmac` header (they are stored as `failed`,
    /// `hmac_missing`); by default they are accepted and the report says `hmac_header: missing`.
    #[arg(long, env = "DIGIGATE_REQUIRE_HMAC")]
    require_hmac: bool,
    /// Signature algorithm of the built-in simulator's documents.
    #[arg(long, value_enum, default_value = "rsa-sha1")]
    simulator_signature_method: crate::simulator::SignatureMethodArg,
    /// A reverse proxy whose X-Forwarded-For is believed for per-address limits (repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "DIGIGATE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, env = "DIGIGATE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Deliver webhooks to private, link-local, unique-local and CGNAT addresses (cloud
    /// metadata addresses stay refused); by default only public addresses, and loopback in
    /// development mode.
    #[arg(long, env = "DIGIGATE_ALLOW_PRIVATE_WEBHOOK_TARGETS")]
    allow_private_webhook_targets: bool,
    /// Timeout of each DigiLocker call in seconds.
    #[arg(long, env = "DIGIGATE_DIGILOCKER_TIMEOUT_SECS", default_value_t = 20)]
    digilocker_timeout_secs: u64,
    /// Serve Prometheus metrics at `/metrics` on this address, e.g. `127.0.0.1:9464` (off by
    /// default). It has no authentication: bind it where only the scraper can reach it.
    #[arg(long, env = "DIGIGATE_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// File holding the operator token (at least 32 characters, e.g. `openssl rand -hex 32`):
    /// enables the operator page at `/operator`, where signing in takes this token. Off (a 404)
    /// when unset. The token is not an API key and opens nothing else.
    #[arg(long, env = "DIGIGATE_OPERATOR_TOKEN_FILE")]
    operator_token_file: Option<PathBuf>,
    /// How long a background job (the fetch after a callback) stays claimed by this instance
    /// without renewal: after a crash, its jobs are picked up again this long later.
    #[arg(long, env = "DIGIGATE_JOB_LEASE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    job_lease_secs: u64,
    /// How long a claimed webhook delivery stays with this instance: after a crash mid-delivery
    /// it is sent again (same `webhook-id`) this long later. Keep it above the 10 s an attempt
    /// may take, or a slow receiver is sent the event twice.
    #[arg(long, env = "DIGIGATE_WEBHOOK_LEASE_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    webhook_lease_secs: u64,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let development = args.mode == Mode::Development;
    if !development && args.upstream == Upstream::Simulator {
        bail!("production mode needs the real DigiLocker: pass --upstream digilocker with its client id and secret");
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let local = listener.local_addr()?;
    let metrics_listener = match &args.metrics_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding the metrics listener {addr}"))?,
        ),
        None => None,
    };
    let public_url = match &args.public_url {
        Some(u) => u.clone(),
        None => Url::parse(&format!("http://{local}"))?,
    };
    if !development && public_url.scheme() != "https" {
        bail!("production mode needs an https --public-url");
    }
    let store = args.storage.open_store().await?;
    let dir = &args.storage.data_dir;
    if crate::secrets::staged_master_key(dir).exists() {
        bail!("{} exists: a `digigate keys rotate-master` was interrupted; run it again to finish before serving", crate::secrets::staged_master_key(dir).display());
    }
    let master = load_or_create_key(
        "DIGIGATE_MASTER_KEY",
        configured_secret("DIGIGATE_MASTER_KEY", args.master_key.clone())?.as_ref(),
        &dir.join("master.key"),
        development,
    )?;
    let jwt = load_or_create_key(
        "DIGIGATE_JWT_SECRET",
        configured_secret("DIGIGATE_JWT_SECRET", args.jwt_secret.clone())?.as_ref(),
        &dir.join("jwt.key"),
        development,
    )?;

    let mut config = GatewayConfig::new(public_url.clone(), master, jwt);
    config.development = development;
    config.token_ttl = Duration::from_secs(args.token_ttl_secs);
    config.issuer = args.jwt_issuer.clone();
    config.link_ttl = Duration::from_secs(args.link_ttl_secs);
    config.download_ttl = Duration::from_secs(args.download_ttl_secs);
    config.retention = Duration::from_secs(
        args.retention_hours
            .checked_mul(3600)
            .context("--retention-hours is too large")?,
    );
    config.rate_limit_per_minute = args.rate_limit_per_minute;
    config.auth_attempts_per_minute = args.auth_attempts_per_minute;
    config.max_body_bytes = args.max_body_bytes;
    config.trusted_proxies = args.trusted_proxies.clone();
    config.require_hmac = args.require_hmac;
    config.operator_token = match &args.operator_token_file {
        Some(path) => Some(read_operator_token(path)?),
        None => None,
    };
    if config.operator_token.is_some() {
        tracing::info!(at = %config.public_link("/operator"), "operator page enabled");
    }
    config.webhooks.allow_private_targets = args.allow_private_webhook_targets;
    config.webhooks.lease = Duration::from_secs(args.webhook_lease_secs);
    let mut trust = crate::trust::anchors(
        &args.trust_pem,
        args.allow_unverified_documents || args.upstream == Upstream::Simulator,
    )?;
    if !args.signer_rules.is_empty() {
        trust.set_signer_rules(args.signer_rules.clone());
    }
    let callback = Url::parse(&config.public_link("/callbacks/digilocker"))?;
    let timeout = Duration::from_secs(args.digilocker_timeout_secs);

    let (digilocker, simulator) = match args.upstream {
        Upstream::Simulator => {
            let secret = crate::simulator::random_secret();
            let mut sim_config = SimulatorConfig::new(
                "digigate-simulator".to_owned(),
                SecretString::from(secret.clone()),
                vec![callback.to_string()],
            );
            let (identity, root) =
                crate::simulator::load_or_create_pki(&dir.join("simulator-pki"))?;
            sim_config.signing = Some(identity);
            sim_config.signature_method = args.simulator_signature_method.into();
            // The simulator's root is trusted only while the simulator is the upstream.
            if !args.allow_unverified_documents {
                trust
                    .add_pem(&root)
                    .context("trusting the simulator's root CA")?;
            }
            let sim = Simulator::new(sim_config);
            let loopback = if local.ip().is_unspecified() {
                format!("127.0.0.1:{}", local.port())
            } else {
                local.to_string()
            };
            let client = DigiLockerClient::new(DigiLockerConfig {
                authorize_base: Url::parse(&config.public_link("/simulator/public"))?,
                api_base: Url::parse(&format!("http://{loopback}/simulator/public"))?,
                client_id: "digigate-simulator".to_owned(),
                client_secret: SecretString::from(secret),
                redirect_uri: callback,
                timeout,
            })?;
            (client, Some(sim))
        }
        Upstream::Digilocker => {
            let secret = configured_secret(
                "DIGIGATE_DIGILOCKER_CLIENT_SECRET",
                args.digilocker_client_secret.clone(),
            )?;
            let (Some(id), Some(secret)) = (args.digilocker_client_id.clone(), secret) else {
                bail!("--upstream digilocker needs DIGIGATE_DIGILOCKER_CLIENT_ID and DIGIGATE_DIGILOCKER_CLIENT_SECRET (or DIGIGATE_DIGILOCKER_CLIENT_SECRET_FILE)");
            };
            let secret = secret.value;
            let client = DigiLockerClient::new(DigiLockerConfig {
                authorize_base: args.digilocker_url.clone(),
                api_base: args.digilocker_url.clone(),
                client_id: id,
                client_secret: SecretString::from(secret),
                redirect_uri: callback,
                timeout,
            })?;
            (client, None)
        }
    };
    crate::trust::refuse_without_anchors(&trust, args.allow_unverified_documents)?;
    if args.allow_unverified_documents {
        tracing::warn!(
            "--allow-unverified-documents: no trust anchors; every document is stored unverified"
        );
    } else {
        tracing::info!(
            anchors = trust.len(),
            signer_rules = ?trust.signer_rules().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "document trust configured"
        );
    }
    config.trust_store = Arc::new(trust);
    let gateway = Gateway::new(config, store.clone(), digilocker);
    if development && store.list_api_keys().await?.is_empty() {
        let vault = digigate_server::vault::Vault::new(&secrecy::SecretBox::new(Box::new(master)));
        let created = auth::create_api_key(
            store.as_ref(),
            &auth::SecretHasher::new(1),
            Some(&vault),
            "development",
            KeyEnvironment::Test,
            Vec::new(),
            chrono::Utc::now().timestamp_millis(),
        )
        .await?;
        let (id, secret) = (created.id, created.secret);
        let redirect = created.redirect_secret.unwrap_or_default();
        println!("Created a development API key (shown once):\n  api key:         {id}\n  api secret:      {secret}\n  redirect secret: {redirect}\n");
        println!(
            "Try it:\n  curl -s -X POST {}/authenticate -H 'x-api-key: {id}' -H 'x-api-secret: {secret}'\n",
            public_url.as_str().trim_end_matches('/')
        );
    }
    gateway.spawn_retention_sweeper(Duration::from_secs(60));
    let jobs = digigate_server::jobs::JobSettings {
        lease: Duration::from_secs(args.job_lease_secs),
        ..Default::default()
    };
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = gateway.spawn_job_runner(jobs, async {
        let _ = jobs_stopped.await;
    });
    gateway.spawn_webhook_deliverer();
    let mut router = gateway.router();
    if let Some(sim) = simulator {
        router = router.nest("/simulator", sim.router());
    }
    if let Some(metrics) = metrics_listener {
        tracing::info!(addr = %metrics.local_addr()?, "metrics listening at /metrics");
        let router = gateway.metrics_router();
        tokio::spawn(digigate_server::serve(
            metrics,
            router,
            crate::shutdown_signal(),
        ));
    }
    tracing::info!(%local, public_url = %public_url, "digigate listening");
    let served = digigate_server::serve(listener, router, crate::shutdown_signal()).await;
    // Running jobs finish (or are left to their leases) before the process ends.
    let _ = stop_jobs.send(());
    if let Err(e) = runner.await {
        tracing::error!(error = %e, "the job runner ended abnormally");
    }
    served?;
    Ok(())
}

/// The operator token in `path`; the errors name the file, never what it holds.
fn read_operator_token(
    path: &std::path::Path,
) -> anyhow::Result<digigate_server::operator::OperatorToken> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the operator token file {}", path.display()))?;
    let token = digigate_server::operator::OperatorToken::parse(&text)
        .with_context(|| format!("the operator token file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %path.display(),
                "the operator token file can be read by other users; chmod 600 it"
            );
        }
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn args(extra: &[&str]) -> Result<ServeArgs, clap::Error> {
        let base = [
            "digigate",
            "--mode",
            "production",
            "--upstream",
            "digilocker",
        ];
        Cli::try_parse_from(base.iter().chain(extra)).map(|c| c.serve)
    }

    #[test]
    fn allowing_unverified_documents_and_naming_trust_anchors_contradict_each_other() {
        assert!(args(&["--allow-unverified-documents", "--trust-pem", "roots.pem"]).is_err());
    }

    #[test]
    fn configured_signer_rules_are_read_and_bad_ones_refused() {
        let a = args(&["--signer-rule", "pan|DIGITAL INDIA CORPORATION|Sub CA"]).unwrap();
        assert_eq!(a.signer_rules.len(), 1);
        assert!(args(&["--signer-rule", "NEGD"]).is_err());
    }

    #[test]
    fn an_operator_token_file_is_read_and_a_short_token_refused_without_showing_it() {
        let dir = std::env::temp_dir().join(format!("digigate-operator-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good");
        std::fs::write(&good, "0123456789abcdef0123456789abcdef\n").unwrap();
        assert!(read_operator_token(&good).is_ok());
        let short = dir.join("short");
        std::fs::write(&short, "hunter2\n").unwrap();
        let err = format!("{:#}", read_operator_token(&short).unwrap_err());
        assert!(err.contains("at least 32 characters"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(read_operator_token(&dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
