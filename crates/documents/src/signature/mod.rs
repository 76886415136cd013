//! Enveloped XML signatures exactly as DigiLocker makes them: [`sign_enveloped`] for the
//! simulator, [`verify`] for the gateway.
//!
//! DigiLocker signs a whole document with one enveloped XML-DSig signature (reference §5): the
//! `Signature` is the last child of the root, `Reference URI=""` with the enveloped-signature
//! transform, exclusive C14N of `SignedInfo`, a SHA-256 digest, an RSA-SHA1 (or RSA-SHA256)
//! signature, and the signer certificate plus its CA chain in `KeyInfo/X509Data`.
//!
//! Verification never trusts a certificate because it appears in `KeyInfo`: the signer must
//! chain to an anchor in a [`TrustStore`], each link checked by signature, CA flag and validity
//! at signing time, and the signer must be the one expected for the document's type (a
//! [`SignerRule`]: DigiLocker's NeGD document signer by default). Parsers read only [`Verification::signed_content`], the canonical bytes the
//! digest covers. Everything is pure Rust (see `docs/signatures.md` for why, the supported
//! algorithms, and the differential test against `xmlsec1`).

mod algorithms;
mod c14n;
mod certificates;
mod pki;
mod report;
mod sign;
mod signers;
mod structure;
mod trust;
mod verify;
mod xml;

pub use algorithms::SignatureMethod;
pub use pki::{CaCertificate, SigningIdentity, ROOT_CA_FILE, SIGNER_CHAIN_FILE, SIGNER_KEY_FILE};
pub use report::{CertificateSummary, Verification, VerificationReport, VerificationStatus};
pub use sign::sign_enveloped;
pub use signers::{SignerRule, SignerRuleError, DOCUMENT_SIGNER_CA, NEGD_ORGANIZATION};
pub use trust::{TrustError, TrustStore};
pub use verify::{verify, verify_received, Received, EAADHAAR_SIGNING_TIME_TOLERANCE};
pub use xml::{MAX_DOCUMENT_BYTES, MAX_NESTING_DEPTH};

use std::path::PathBuf;

/// Why a document could not be signed or a signing identity could not be made or loaded.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The document was refused before signing; the code is one of the verification reasons
    /// (`malformed_xml`, `dtd_forbidden`, `document_too_large`, `nesting_too_deep`).
    #[error("document refused: {0}")]
    Document(&'static str),
    /// The document already carries a `Signature`; DigiLocker documents have exactly one.
    #[error("document is already signed")]
    AlreadySigned,
    /// RSA key generation or signing failed.
    #[error("RSA operation failed")]
    Rsa(#[from] rsa::Error),
    /// A certificate could not be built, encoded or decoded.
    #[error("certificate error: {0}")]
    Certificate(String),
    /// A key or certificate file is not the PEM expected, or the key does not match the signer
    /// certificate.
    #[error("invalid key material: {0}")]
    KeyMaterial(String),
    /// A key or certificate file could not be read or written.
    #[error("cannot access {path}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
}
