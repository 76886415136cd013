//! `digigate documents verify`: re-checks a stored document's signature for an auditor and
//! prints the verification report as JSON.

use crate::session::parse_doc_type;
use anyhow::Context;
use clap::{Args, Subcommand};
use digigate_core::DocType;
use digigate_documents::model::DocTypeCode;
use digigate_documents::signature::{verify_received, Received, SignerRule, TrustStore};
use std::path::PathBuf;

/// `digigate documents …`
#[derive(Subcommand)]
pub enum DocumentsCommand {
    /// Verify a document's signature and print the report as JSON (exit status 1 unless
    /// verified).
    Verify(VerifyArgs),
}

/// Flags of `digigate documents verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The document file, exactly as DigiLocker served it.
    file: PathBuf,
    /// PEM file of trust anchors (repeatable); default: the shipped CCA India roots.
    #[arg(long = "trust-pem", value_delimiter = ',')]
    trust_pem: Vec<PathBuf>,
    /// Expected signer `TYPES|ORGANIZATION|ISSUER_CN_CONTAINS` (repeatable); default:
    /// DigiLocker's NeGD document signer for every type.
    #[arg(long = "signer-rule")]
    signer_rules: Vec<SignerRule>,
    /// The document type it was fetched as (`aadhaar`, `pan`, `driving_license`, as on the
    /// API); default: what the document declares.
    #[arg(long, value_parser = parse_doc_type())]
    doc_type: Option<DocType>,
    /// When the document was fetched from DigiLocker (RFC 3339, e.g. the report's
    /// `fetched_at`); default: now.
    #[arg(long)]
    fetched_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// Runs the subcommand; `Ok(false)` when the document did not verify.
pub fn run(cmd: DocumentsCommand) -> anyhow::Result<bool> {
    let DocumentsCommand::Verify(args) = cmd;
    let mut trust = if args.trust_pem.is_empty() {
        TrustStore::digilocker().context("loading the shipped trust anchors")?
    } else {
        TrustStore::from_pem_files(&args.trust_pem).context("loading --trust-pem")?
    };
    if !args.signer_rules.is_empty() {
        trust.set_signer_rules(args.signer_rules);
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let received = Received {
        doc_type: args.doc_type.map(DocTypeCode::from),
        at: args
            .fetched_at
            .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc)),
    };
    let verification = verify_received(&bytes, &trust, received);
    println!("{}", serde_json::to_string_pretty(&verification.report)?);
    Ok(verification.is_verified())
}
