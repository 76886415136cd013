//! The configured trust anchors, and building a signer's chain to one of them.
//!
//! Certificates carried in `KeyInfo` are only candidates for intermediate links: a chain is
//! accepted when every link's signature verifies under its issuer's key and the last link is (or
//! is issued by) a certificate loaded into the [`TrustStore`], and the signer matches one of the
//! store's [`SignerRule`]s for the document's type.

use std::path::Path;

use chrono::{DateTime, Utc};
use x509_cert::der::Decode;
use x509_cert::Certificate;

use super::certificates::{
    is_ca, issued_by, load_pem_chain, rsa_key, strong_enough, summary, valid_at,
};
use super::report::CertificateSummary;
use super::signers::SignerRule;
use crate::model::DocTypeCode;

/// The public roots shipped with digigate (`crates/documents/trust/`): CCA India 2022, the
/// root of the chain DigiLocker's NeGD document signer was seen under.
const SHIPPED_ROOTS: &[(&str, &str)] = &[(
    "cca-india-2022.pem",
    include_str!("../../trust/cca-india-2022.pem"),
)];

/// The longest chain searched, anchor included.
const MAX_CHAIN_LENGTH: usize = 6;
/// Search at most this many complete chains (cross-certified CAs can make several).
const MAX_CANDIDATE_CHAINS: usize = 8;
/// At most this many issuer checks (each an RSA verification) per chain search, so that
/// crafted certificates that all "issue" each other cannot make the search exponential.
const MAX_ISSUER_CHECKS: usize = 128;

/// Why trust anchors could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A trust anchor file could not be read.
    #[error("cannot read trust anchor file {path}")]
    Read {
        /// The file that was asked for.
        path: std::path::PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// The input is not PEM-encoded X.509 certificates.
    #[error("not a PEM certificate list: {0}")]
    Pem(String),
    /// The input holds no certificate at all.
    #[error("no certificate found")]
    Empty,
}

/// The certificates a signature must chain to (the DigiLocker signing CA roots or, for the
/// simulator, its test root; never taken from a document) and the signers expected per
/// document type.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    signers: Vec<SignerRule>,
}

impl Default for TrustStore {
    fn default() -> Self {
        Self::new()
    }
}

impl TrustStore {
    /// A store without anchors (verification then reports `unverified` at best) and with
    /// DigiLocker's signer rules ([`SignerRule::digilocker_defaults`]).
    pub fn new() -> Self {
        Self {
            anchors: Vec::new(),
            signers: SignerRule::digilocker_defaults(),
        }
    }

    /// The production default: the shipped CCA India roots and DigiLocker's signer rules, so
    /// that real DigiLocker documents verify with no configuration.
    pub fn digilocker() -> Result<Self, TrustError> {
        let mut store = Self::new();
        for (_, pem) in SHIPPED_ROOTS {
            store.add_pem(pem.as_bytes())?;
        }
        Ok(store)
    }

    /// The file names of the shipped roots, for messages and documentation.
    pub fn shipped_root_names() -> Vec<&'static str> {
        SHIPPED_ROOTS.iter().map(|(name, _)| *name).collect()
    }

    /// Replaces the signer rules. With no rule, every signature fails as `unexpected_signer`.
    pub fn set_signer_rules(&mut self, rules: Vec<SignerRule>) {
        self.signers = rules;
    }

    /// The signer rules in force.
    pub fn signer_rules(&self) -> &[SignerRule] {
        &self.signers
    }

    /// The rules that apply to a document of `doc_type`.
    pub(crate) fn rules_for(&self, doc_type: Option<DocTypeCode>) -> Vec<&SignerRule> {
        self.signers
            .iter()
            .filter(|r| r.applies_to(doc_type))
            .collect()
    }

    /// Checks a signer certificate given as PEM (signer first, then any intermediates) as a
    /// document signature's `KeyInfo` would carry it: the chain to an anchor at `at`, then the
    /// signer rules of `doc_type`. Returns the chain, or the report reason.
    pub fn check_signer_pem(
        &self,
        chain_pem: &[u8],
        at: DateTime<Utc>,
        doc_type: Option<DocTypeCode>,
    ) -> Result<Vec<CertificateSummary>, &'static str> {
        let certs = load_pem_chain(chain_pem).map_err(|_| "malformed_certificate")?;
        let signer = certs.first().ok_or("missing_certificate")?;
        let chain = self.chain(signer, &certs, at)?;
        self.expected_signer(signer, doc_type)?;
        Ok(chain.iter().map(summary).collect())
    }

    /// The first rule for `doc_type` that `signer` matches, or `unexpected_signer`.
    pub(crate) fn expected_signer(
        &self,
        signer: &Certificate,
        doc_type: Option<DocTypeCode>,
    ) -> Result<&SignerRule, &'static str> {
        self.rules_for(doc_type)
            .into_iter()
            .find(|r| r.accepts(signer))
            .ok_or("unexpected_signer")
    }

    /// Adds every certificate of a PEM bundle; returns how many were added.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, TrustError> {
        let certs = load_pem_chain(pem).map_err(TrustError::Pem)?;
        if certs.is_empty() {
            return Err(TrustError::Empty);
        }
        let added = certs.len();
        self.anchors.extend(certs);
        Ok(added)
    }

    /// Adds one DER-encoded certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), TrustError> {
        let cert = Certificate::from_der(der).map_err(|e| TrustError::Pem(e.to_string()))?;
        self.anchors.push(cert);
        Ok(())
    }

    /// A store holding every certificate of every PEM file in `paths`.
    pub fn from_pem_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Self, TrustError> {
        let mut store = Self::new();
        for path in paths {
            let path = path.as_ref();
            let pem = std::fs::read(path).map_err(|source| TrustError::Read {
                path: path.to_owned(),
                source,
            })?;
            store.add_pem(&pem)?;
        }
        Ok(store)
    }

    /// Whether no anchor is configured.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// How many anchors are configured.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// The chain from `signer` to an anchor, each link checked at `at`, using `pool` (the
    /// `KeyInfo` certificates) for intermediates; otherwise the report reason.
    pub(crate) fn chain(
        &self,
        signer: &Certificate,
        pool: &[Certificate],
        at: DateTime<Utc>,
    ) -> Result<Vec<Certificate>, &'static str> {
        let mut found = Vec::new();
        let mut budget = MAX_ISSUER_CHECKS;
        self.extend(&mut vec![signer.clone()], pool, &mut found, &mut budget);
        let mut first_problem = None;
        for chain in found {
            match self.check(&chain, at) {
                Ok(()) => return Ok(chain),
                Err(reason) => {
                    first_problem.get_or_insert(reason);
                }
            }
        }
        Err(first_problem.unwrap_or("untrusted_signer"))
    }

    /// Depth-first search of issuer links; each complete chain ends with an anchor.
    fn extend(
        &self,
        path: &mut Vec<Certificate>,
        pool: &[Certificate],
        found: &mut Vec<Vec<Certificate>>,
        budget: &mut usize,
    ) {
        let Some(last) = path.last().cloned() else {
            return;
        };
        if found.len() >= MAX_CANDIDATE_CHAINS {
            return;
        }
        if self.anchors.contains(&last) {
            found.push(path.clone());
            return;
        }
        if path.len() >= MAX_CHAIN_LENGTH {
            return;
        }
        let mut issued = |issuer: &Certificate| {
            *budget = budget.saturating_sub(1);
            *budget > 0 && issued_by(&last, issuer)
        };
        for anchor in &self.anchors {
            if issued(anchor) {
                let mut chain = path.clone();
                chain.push(anchor.clone());
                found.push(chain);
            }
        }
        let next: Vec<&Certificate> = pool
            .iter()
            .filter(|c| !path.contains(c) && issued(c))
            .collect();
        for candidate in next {
            path.push(candidate.clone());
            self.extend(path, pool, found, budget);
            path.pop();
        }
    }

    /// Validity at `at`, key sizes, and the CA flag of every issuer in a complete chain.
    fn check(&self, chain: &[Certificate], at: DateTime<Utc>) -> Result<(), &'static str> {
        for (position, cert) in chain.iter().enumerate() {
            if !rsa_key(cert).is_some_and(|k| strong_enough(&k)) {
                return Err("weak_key");
            }
            valid_at(cert, at)?;
            if position > 0 {
                let anchor = self.anchors.contains(cert);
                // An anchor without basicConstraints (an old v1 root) is trusted as configured.
                let ca = match is_ca(cert) {
                    Some(ca) => ca,
                    None => anchor,
                };
                if !ca {
                    return Err("issuer_not_ca");
                }
            }
        }
        Ok(())
    }
}
