//! Which trust anchors `digigate serve` verifies documents with, and the refusal to run
//! without any unless the operator allows unverified documents.

use anyhow::{bail, Context};
use digigate_documents::signature::TrustStore;
use std::path::PathBuf;

/// The anchors before the simulator's root is added: the `trust_pem` files when given; none
/// when `none_by_default` (unverified documents allowed, or the built-in simulator, whose root
/// is added later); otherwise the shipped CCA India roots, so production verifies real
/// DigiLocker documents with no configuration.
pub fn anchors(trust_pem: &[PathBuf], none_by_default: bool) -> anyhow::Result<TrustStore> {
    if !trust_pem.is_empty() {
        let mut trust = TrustStore::new();
        for path in trust_pem {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            trust
                .add_pem(&pem)
                .with_context(|| format!("loading trust anchors from {}", path.display()))?;
        }
        return Ok(trust);
    }
    if none_by_default {
        return Ok(TrustStore::new());
    }
    TrustStore::digilocker().context("loading the shipped CCA India roots")
}

/// Refuses to run with no trust anchor unless the operator allowed unverified documents.
pub fn refuse_without_anchors(trust: &TrustStore, allowed: bool) -> anyhow::Result<()> {
    if trust.is_empty() && !allowed {
        bail!("no trust anchors: documents could not be verified. Use the shipped roots (omit --trust-pem), name roots with --trust-pem, or pass --allow-unverified-documents to accept unverified documents");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_without_trust_pem_verifies_with_the_shipped_cca_india_roots() {
        let trust = anchors(&[], false).unwrap();
        assert_eq!(trust.len(), TrustStore::shipped_root_names().len());
        assert!(refuse_without_anchors(&trust, false).is_ok());
    }

    #[test]
    fn a_gateway_without_trust_anchors_refuses_to_start_unless_unverified_documents_are_allowed() {
        let trust = anchors(&[], true).unwrap();
        assert!(trust.is_empty());
        assert!(refuse_without_anchors(&trust, false).is_err());
        assert!(refuse_without_anchors(&trust, true).is_ok());
    }

    #[test]
    fn named_trust_anchors_replace_the_shipped_roots() {
        let root =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../documents/testdata/pki/root-ca.pem");
        let trust = anchors(&[root], false).unwrap();
        assert_eq!(trust.len(), 1);
        assert!(anchors(&[PathBuf::from("/nonexistent/roots.pem")], false).is_err());
    }
}
