//! The algorithm identifiers DigiLocker uses, and the only ones this module accepts.

use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The XML-DSig namespace of every element of a `Signature`.
pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML canonicalisation without comments.
pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Inclusive (Canonical XML 1.0) canonicalisation without comments.
pub(crate) const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// The enveloped-signature transform: the `Signature` element is left out of its own digest.
pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA256_URI: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA1_URI: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const RSA_SHA1_URI: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const RSA_SHA256_URI: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// How `SignedInfo` is signed: PKCS#1 v1.5 RSA over SHA-1 (what DigiLocker uses today) or SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureMethod {
    /// `http://www.w3.org/2000/09/xmldsig#rsa-sha1`, DigiLocker's current choice.
    #[default]
    RsaSha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`.
    RsaSha256,
}

impl SignatureMethod {
    /// The `SignatureMethod@Algorithm` URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => RSA_SHA1_URI,
            Self::RsaSha256 => RSA_SHA256_URI,
        }
    }

    /// The method named by `uri`, or `None` for anything this module refuses.
    pub fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            RSA_SHA1_URI => Some(Self::RsaSha1),
            RSA_SHA256_URI => Some(Self::RsaSha256),
            _ => None,
        }
    }

    pub(crate) fn sign(self, key: &RsaPrivateKey, data: &[u8]) -> Result<Vec<u8>, rsa::Error> {
        match self {
            Self::RsaSha1 => key.sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(data)),
            Self::RsaSha256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data)),
        }
    }

    pub(crate) fn verify(self, key: &RsaPublicKey, data: &[u8], signature: &[u8]) -> bool {
        let outcome = match self {
            Self::RsaSha1 => {
                key.verify(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(data), signature)
            }
            Self::RsaSha256 => key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(data),
                signature,
            ),
        };
        outcome.is_ok()
    }
}

/// The `DigestMethod` of the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DigestMethod {
    Sha1,
    Sha256,
}

impl DigestMethod {
    pub(crate) fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => SHA1_URI,
            Self::Sha256 => SHA256_URI,
        }
    }

    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri {
            SHA1_URI => Some(Self::Sha1),
            SHA256_URI => Some(Self::Sha256),
            _ => None,
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
        }
    }
}
