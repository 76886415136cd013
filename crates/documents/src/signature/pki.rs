//! Signing identities (an RSA key and its certificate chain) and the test PKI the simulator
//! signs with.

use std::path::Path;
use std::str::FromStr;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use rand::RngCore;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{DecodePem, Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use super::certificates::{load_pem_chain, rsa_key, subject};
use super::signers::{SignerRule, NEGD_ORGANIZATION};
use super::SignError;

/// The signer's PKCS#8 private key, in [`SigningIdentity::to_pem_files`]' directory.
pub const SIGNER_KEY_FILE: &str = "signer-key.pem";
/// The signer's certificate followed by its CA chain, in the same directory.
pub const SIGNER_CHAIN_FILE: &str = "signer-chain.pem";
/// The conventional file name for the root CA certificate a verifier trusts.
pub const ROOT_CA_FILE: &str = "root-ca.pem";

const TEST_KEY_PEM: &str = include_str!("../../testdata/pki/signer-key.pem");
const TEST_CHAIN_PEM: &str = include_str!("../../testdata/pki/signer-chain.pem");
const TEST_ROOT_PEM: &str = include_str!("../../testdata/pki/root-ca.pem");

/// A document signer: an RSA private key, its certificate, and the CA certificates above it
/// (signer first, root last), all of which go into `KeyInfo` as DigiLocker does.
#[derive(Clone)]
pub struct SigningIdentity {
    key: RsaPrivateKey,
    chain: Vec<Certificate>,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("signer", &self.signer_subject())
            .field("chain_length", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// A CA certificate to hand to verifiers as a trust anchor (it carries no private key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaCertificate {
    cert: Certificate,
}

impl CaCertificate {
    /// Reads the first certificate of a PEM file's contents.
    pub fn from_pem(pem: &[u8]) -> Result<Self, SignError> {
        let cert = Certificate::from_pem(pem).map_err(|e| SignError::KeyMaterial(e.to_string()))?;
        Ok(Self { cert })
    }

    /// The committed root of the simulator's test PKI (`testdata/pki/root-ca.pem`). Trust it
    /// only in development and tests: its private keys are public.
    pub fn simulator_test_root() -> Result<Self, SignError> {
        Self::from_pem(TEST_ROOT_PEM.as_bytes())
    }

    /// The certificate as PEM, for a trust store file.
    pub fn to_pem(&self) -> Result<String, SignError> {
        self.cert
            .to_pem(LineEnding::LF)
            .map_err(|e| SignError::Certificate(e.to_string()))
    }

    /// The certificate's DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>, SignError> {
        self.cert
            .to_der()
            .map_err(|e| SignError::Certificate(e.to_string()))
    }

    /// The subject distinguished name (RFC 4514).
    pub fn subject(&self) -> String {
        subject(&self.cert)
    }
}

impl SigningIdentity {
    /// Generates a three-level RSA-2048 PKI valid from `not_before` to `not_after`: a root CA
    /// "`{prefix}` Simulator Root CA", an intermediate "`{prefix}` Document Signer Sub-CA" and
    /// a document signer "DS `{PREFIX}` SIMULATOR 1" with DigiLocker's signer organisation
    /// (O=NATIONAL E-GOVERNANCE DIVISION). Returns the signer identity and the root.
    pub fn generate_test_pki(
        prefix: &str,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<(Self, CaCertificate), SignError> {
        let mut rng = rand::thread_rng();
        let validity = Validity {
            not_before: time(not_before)?,
            not_after: time(not_after)?,
        };
        let org = format!("{prefix} Simulator");
        let root_name = name(&format!("CN={prefix} Simulator Root CA,O={org},C=IN"))?;
        let sub_name = name(&format!(
            "CN={prefix} Document Signer Sub-CA,OU=Sub-CA,O={org},C=IN"
        ))?;
        // The signer has the shape of DigiLocker's (O=NATIONAL E-GOVERNANCE DIVISION under a
        // "Document Signer" sub-CA) so that the default signer rules hold for simulated
        // documents; only the root tells them apart, and it is never a production anchor.
        let signer_name = name(&format!(
            "CN=DS {} SIMULATOR 1,OU={NEGD_ORGANIZATION},O={NEGD_ORGANIZATION},ST=DELHI,C=IN",
            prefix.to_uppercase()
        ))?;
        let root_key = RsaPrivateKey::new(&mut rng, 2048)?;
        let sub_key = RsaPrivateKey::new(&mut rng, 2048)?;
        let signer_key = RsaPrivateKey::new(&mut rng, 2048)?;
        let root = issue(
            Profile::Root,
            root_name.clone(),
            &root_key,
            &root_key,
            validity,
        )?;
        let sub_profile = Profile::SubCA {
            issuer: root_name,
            path_len_constraint: Some(0),
        };
        let sub = issue(sub_profile, sub_name.clone(), &sub_key, &root_key, validity)?;
        let signer_profile = Profile::Leaf {
            issuer: sub_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let signer = issue(signer_profile, signer_name, &signer_key, &sub_key, validity)?;
        let identity = Self {
            key: signer_key,
            chain: vec![signer, sub, root.clone()],
        };
        Ok((identity, CaCertificate { cert: root }))
    }

    /// The committed signer of the simulator's test PKI (`testdata/pki/`), valid 2010–2045.
    /// Its private key is public: documents it signs prove nothing outside development.
    pub fn simulator_test_identity() -> Result<Self, SignError> {
        Self::from_pem(TEST_KEY_PEM, TEST_CHAIN_PEM.as_bytes())
    }

    /// An identity from a PKCS#8 PEM private key and a PEM chain (signer certificate first);
    /// the key must match the signer certificate.
    pub fn from_pem(key_pem: &str, chain_pem: &[u8]) -> Result<Self, SignError> {
        let key = RsaPrivateKey::from_pkcs8_pem(key_pem)
            .map_err(|e| SignError::KeyMaterial(format!("private key: {e}")))?;
        let chain = load_pem_chain(chain_pem)
            .map_err(|e| SignError::KeyMaterial(format!("certificate chain: {e}")))?;
        let signer_key = chain.first().and_then(rsa_key);
        if signer_key.as_ref() != Some(&key.to_public_key()) {
            return Err(SignError::KeyMaterial(
                "the private key does not match the first certificate of the chain".into(),
            ));
        }
        Ok(Self { key, chain })
    }

    /// Reads [`SIGNER_KEY_FILE`] and [`SIGNER_CHAIN_FILE`] from `dir`.
    pub fn from_pem_files(dir: &Path) -> Result<Self, SignError> {
        let key = read(&dir.join(SIGNER_KEY_FILE))?;
        let chain = read(&dir.join(SIGNER_CHAIN_FILE))?;
        Self::from_pem(&key, chain.as_bytes())
    }

    /// Writes [`SIGNER_KEY_FILE`] (PKCS#8) and [`SIGNER_CHAIN_FILE`] into `dir`.
    pub fn to_pem_files(&self, dir: &Path) -> Result<(), SignError> {
        let key = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| SignError::KeyMaterial(e.to_string()))?;
        write(&dir.join(SIGNER_KEY_FILE), key.as_bytes())?;
        write(
            &dir.join(SIGNER_CHAIN_FILE),
            self.certificate_chain_pem()?.concat().as_bytes(),
        )
    }

    /// Each certificate of the chain as PEM, signer first.
    pub fn certificate_chain_pem(&self) -> Result<Vec<String>, SignError> {
        self.chain
            .iter()
            .map(|c| {
                c.to_pem(LineEnding::LF)
                    .map_err(|e| SignError::Certificate(e.to_string()))
            })
            .collect()
    }

    /// Whether the signer certificate matches one of `rules` (for any document type), so that
    /// documents it signs can verify under them.
    pub fn satisfies(&self, rules: &[SignerRule]) -> bool {
        self.chain
            .first()
            .is_some_and(|signer| rules.iter().any(|r| r.accepts(signer)))
    }

    /// The signer certificate's subject distinguished name (RFC 4514).
    pub fn signer_subject(&self) -> String {
        self.chain.first().map(subject).unwrap_or_default()
    }

    pub(crate) fn private_key(&self) -> &RsaPrivateKey {
        &self.key
    }

    /// `(X509SubjectName, DER)` for every certificate, in `KeyInfo` order.
    pub(crate) fn key_info_certificates(&self) -> Result<Vec<(String, Vec<u8>)>, SignError> {
        self.chain
            .iter()
            .map(|c| {
                let der = c
                    .to_der()
                    .map_err(|e| SignError::Certificate(e.to_string()))?;
                Ok((subject(c), der))
            })
            .collect()
    }
}

fn issue(
    profile: Profile,
    subject: Name,
    subject_key: &RsaPrivateKey,
    issuer_key: &RsaPrivateKey,
    validity: Validity,
) -> Result<Certificate, SignError> {
    let cert_error = |e: x509_cert::builder::Error| SignError::Certificate(e.to_string());
    let spki = SubjectPublicKeyInfoOwned::from_key(subject_key.to_public_key())
        .map_err(|e| SignError::Certificate(e.to_string()))?;
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    CertificateBuilder::new(profile, serial()?, validity, subject, spki, &signer)
        .map_err(cert_error)?
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(cert_error)
}

/// A random positive 64-bit serial number.
fn serial() -> Result<SerialNumber, SignError> {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::new(&bytes).map_err(|e| SignError::Certificate(e.to_string()))
}

fn time(at: DateTime<Utc>) -> Result<Time, SignError> {
    Time::try_from(SystemTime::from(at)).map_err(|e| SignError::Certificate(e.to_string()))
}

fn name(dn: &str) -> Result<Name, SignError> {
    Name::from_str(dn).map_err(|e| SignError::Certificate(format!("name {dn:?}: {e}")))
}

fn read(path: &Path) -> Result<String, SignError> {
    std::fs::read_to_string(path).map_err(|source| SignError::Io {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, contents: &[u8]) -> Result<(), SignError> {
    std::fs::write(path, contents).map_err(|source| SignError::Io {
        path: path.to_owned(),
        source,
    })
}
