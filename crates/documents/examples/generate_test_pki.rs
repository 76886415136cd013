//! Regenerates the committed test PKI under `testdata/pki/`: the simulator's signer (valid
//! 2010–2045, so that e-Aadhaar timestamps of any plausible age verify) and, under `expired/`,
//! a signer whose whole chain expired at the end of 2019.
//!
//! `cargo run -p digigate-documents --example generate_test_pki`

use std::path::Path;

use chrono::{TimeZone, Utc};
use digigate_documents::signature::{SigningIdentity, ROOT_CA_FILE};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki");
    let sets = [
        ("Digigate", 2010, 2045, base.clone()),
        ("Expired Digigate", 2015, 2019, base.join("expired")),
    ];
    for (prefix, from, to, dir) in sets {
        let not_before = Utc
            .with_ymd_and_hms(from, 1, 1, 0, 0, 0)
            .single()
            .ok_or("date")?;
        let not_after = Utc
            .with_ymd_and_hms(to, 12, 31, 23, 59, 59)
            .single()
            .ok_or("date")?;
        let (identity, root) = SigningIdentity::generate_test_pki(prefix, not_before, not_after)?;
        std::fs::create_dir_all(&dir)?;
        identity.to_pem_files(&dir)?;
        std::fs::write(dir.join(ROOT_CA_FILE), root.to_pem()?)?;
        println!("{}: {}", dir.display(), identity.signer_subject());
    }
    Ok(())
}
