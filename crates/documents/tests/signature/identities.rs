//! Certificates an attacker can make: a self-signed impostor with the real signer's subject,
//! and a "signer" issued by the real document signer (which is not a CA).

use std::str::FromStr;

use digigate_documents::signature::SigningIdentity;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::EncodePem;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use super::fixtures::{expired_pki_dir, pki_dir};

fn key(dir: &std::path::Path) -> RsaPrivateKey {
    let pem = std::fs::read_to_string(dir.join("signer-key.pem")).expect("key file");
    RsaPrivateKey::from_pkcs8_pem(&pem).expect("pkcs8 key")
}

/// The attacker's key: any key that is not the real signer's (the expired PKI's signer key).
fn attacker_key() -> RsaPrivateKey {
    key(&expired_pki_dir())
}

fn chain_pem(dir: &std::path::Path) -> Vec<Certificate> {
    let pem = std::fs::read(dir.join("signer-chain.pem")).expect("chain file");
    Certificate::load_pem_chain(&pem).expect("chain")
}

fn build(profile: Profile, subject: Name, issuer_key: &RsaPrivateKey) -> Certificate {
    // Valid 2020–2045, within the test PKI's validity, so only the property under test can fail.
    let at = |secs: u64| {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        Time::try_from(t).expect("time")
    };
    let validity = Validity {
        not_before: at(1_577_836_800),
        not_after: at(2_398_377_600),
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(attacker_key().to_public_key()).expect("spki");
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    let serial = SerialNumber::new(&[0x42, 0x42]).expect("serial");
    CertificateBuilder::new(profile, serial, validity, subject, spki, &signer)
        .expect("builder")
        .build::<rsa::pkcs1v15::Signature>()
        .expect("certificate")
}

fn attacker_identity(chain: &[Certificate]) -> SigningIdentity {
    let key_pem = attacker_key().to_pkcs8_pem(LineEnding::LF).expect("pem");
    let chain_pem: String = chain
        .iter()
        .map(|c| c.to_pem(LineEnding::LF).expect("pem"))
        .collect();
    SigningIdentity::from_pem(&key_pem, chain_pem.as_bytes()).expect("identity")
}

/// A self-signed certificate with exactly the real signer's subject, and the attacker's key;
/// `with_real_chain` appends the real intermediate and root, as a careful forger would.
pub fn impostor(with_real_chain: bool) -> SigningIdentity {
    let real = chain_pem(&pki_dir());
    let subject = real[0].tbs_certificate.subject.clone();
    let fake = build(Profile::Root, subject, &attacker_key());
    let mut chain = vec![fake];
    if with_real_chain {
        chain.extend(real[1..].iter().cloned());
    }
    attacker_identity(&chain)
}

/// A certificate for the attacker's key issued by the real document signer, followed by the
/// real chain: every link verifies, but the document signer is not a CA.
pub fn issued_by_the_document_signer() -> SigningIdentity {
    let real = chain_pem(&pki_dir());
    let issuer = real[0].tbs_certificate.subject.clone();
    let subject = Name::from_str("CN=DS DIGIGATE SIMULATOR 2,O=Attacker,C=IN").expect("name");
    let profile = Profile::Leaf {
        issuer,
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let cert = build(profile, subject, &key(&pki_dir()));
    let mut chain = vec![cert];
    chain.extend(real);
    attacker_identity(&chain)
}
