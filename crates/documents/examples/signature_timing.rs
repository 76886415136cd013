//! Prints how long signing and verifying one e-Aadhaar XML takes, and verifying plus parsing it
//! into the normalised model as the gateway does at fetch time (a program, not a timed test).
//!
//! `cargo run --release -p digigate-documents --example signature_timing`

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use digigate_documents::parse::parse_aadhaar;
use digigate_documents::signature::{
    sign_enveloped, verify, CaCertificate, SignatureMethod, SigningIdentity, TrustStore,
};

const ROUNDS: u32 = 200;

fn per_round(start: Instant) -> Duration {
    start.elapsed() / ROUNDS
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/signature/aadhaar.xml");
    // A photo of realistic size (about 20 kB of base64), like the simulator's.
    let photo = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3".repeat(500);
    // An e-Aadhaar is generated when it is fetched: its signing time must be now.
    let now = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(5 * 3600 + 1800).expect("IST"))
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string();
    let xml = std::fs::read_to_string(fixture)?
        .replace("SAMPLEPHOTO", &photo)
        .replace("2024-06-04T14:54:03.230+05:30", &now);
    let identity = SigningIdentity::simulator_test_identity()?;
    let mut trust = TrustStore::new();
    trust.add_pem(CaCertificate::simulator_test_root()?.to_pem()?.as_bytes())?;
    println!("document: {} bytes", xml.len());
    for method in [SignatureMethod::RsaSha1, SignatureMethod::RsaSha256] {
        let start = Instant::now();
        let mut signed = String::new();
        for _ in 0..ROUNDS {
            signed = sign_enveloped(&xml, &identity, method)?;
        }
        let sign = per_round(start);
        let start = Instant::now();
        for _ in 0..ROUNDS {
            let verification = verify(signed.as_bytes(), &trust, Utc::now());
            assert!(verification.is_verified(), "{:?}", verification.report);
        }
        let check = per_round(start);
        let start = Instant::now();
        for _ in 0..ROUNDS {
            let verification = verify(signed.as_bytes(), &trust, Utc::now());
            let content = verification.signed_content.expect("verified");
            parse_aadhaar(content.as_bytes())?;
        }
        let both = per_round(start);
        println!(
            "{method:?}: sign {sign:?}, verify {check:?}, verify + parse {both:?} (mean of {ROUNDS})"
        );
    }
    let start = Instant::now();
    let _ = SigningIdentity::generate_test_pki("Timing", Utc::now(), Utc::now())?;
    println!("generate_test_pki (3 RSA-2048 keys): {:?}", start.elapsed());
    Ok(())
}
