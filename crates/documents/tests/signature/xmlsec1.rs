//! Differential test: the reference implementation (`xmlsec1`, libxmlsec1 over OpenSSL) must
//! reach the same verdict as our verifier on every signed and tampered document, except where
//! a case is marked stricter-by-policy (we refuse what XML-DSig itself allows).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use digigate_documents::signature::{verify, VerificationStatus, ROOT_CA_FILE};

use super::fixtures::{expired_pki_dir, now, pki_dir, trust, trust_both};
use super::xmlsec1_cases::{cases, Anchors, Case};

const INSTALL_HINT: &str = "xmlsec1 is not on PATH: install it (Debian/Ubuntu: \
    `apt-get update && apt-get install -y xmlsec1`); this differential test never passes without it";

/// Writes each PEM certificate of `chain_file` beyond the first into its own file in `dir`.
fn intermediates(chain_file: &Path, dir: &Path, tag: &str) -> Vec<PathBuf> {
    let chain = std::fs::read_to_string(chain_file).expect("chain");
    let certs: Vec<String> = chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .map(str::to_owned)
        .collect();
    // signer, sub-CA, root: only the sub-CA is an untrusted intermediate.
    let path = dir.join(format!("{tag}-intermediate.pem"));
    std::fs::write(&path, &certs[1]).expect("write intermediate");
    vec![path]
}

/// The time `xmlsec1` should check certificates at: like ours, `KycRes@ts` when present.
fn verification_time(xml: &[u8]) -> DateTime<Utc> {
    let text = String::from_utf8_lossy(xml);
    let ts = text.find("<KycRes").and_then(|start| {
        let rest = &text[start..];
        let value = rest.find(" ts=\"")? + 5;
        let end = rest[value..].find('"')?;
        DateTime::parse_from_rfc3339(&rest[value..value + end]).ok()
    });
    ts.map_or_else(now, |t| t.with_timezone(&Utc))
}

struct Xmlsec1 {
    dir: PathBuf,
    main_intermediates: Vec<PathBuf>,
    expired_intermediates: Vec<PathBuf>,
}

impl Xmlsec1 {
    fn new(dir: PathBuf) -> Self {
        let main_intermediates = intermediates(&pki_dir().join("signer-chain.pem"), &dir, "main");
        let expired_intermediates =
            intermediates(&expired_pki_dir().join("signer-chain.pem"), &dir, "expired");
        Self {
            dir,
            main_intermediates,
            expired_intermediates,
        }
    }

    /// Whether `xmlsec1 --verify` accepts the document, and its last line of output.
    fn verifies(&self, case: &Case) -> (bool, String) {
        let file = self.dir.join(format!("{}.xml", case.name));
        std::fs::write(&file, &case.xml).expect("write case");
        let at = verification_time(&case.xml)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let mut cmd = Command::new("xmlsec1");
        cmd.env("TZ", "UTC")
            .args(["--verify", "--enabled-reference-uris", "empty"])
            .args(["--verification-time", &at])
            .arg("--trusted-pem")
            .arg(pki_dir().join(ROOT_CA_FILE));
        let mut untrusted = self.main_intermediates.clone();
        if case.anchors == Anchors::Both {
            cmd.arg("--trusted-pem")
                .arg(expired_pki_dir().join(ROOT_CA_FILE));
            untrusted.extend(self.expired_intermediates.iter().cloned());
        }
        for pem in untrusted {
            cmd.arg("--untrusted-pem").arg(pem);
        }
        let output = cmd
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("{INSTALL_HINT} ({e})"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default().to_owned();
        (output.status.success(), last)
    }
}

#[test]
fn xmlsec1_agrees_with_our_verifier() {
    let probe = Command::new("xmlsec1").arg("--version").output();
    assert!(probe.is_ok_and(|o| o.status.success()), "{INSTALL_HINT}");

    let dir = std::env::temp_dir().join(format!("digigate-xmlsec1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let xmlsec1 = Xmlsec1::new(dir.clone());
    let all = cases(&dir);
    let mut table = vec![
        "| file | ours | reason | xmlsec1 | agreement |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    let mut problems = Vec::new();
    for case in &all {
        let store = match case.anchors {
            Anchors::Main => trust(),
            Anchors::Both => trust_both(),
        };
        let report = verify(&case.xml, &store, now()).report;
        let ours = report.status == VerificationStatus::Verified;
        let reason = report.reason.clone().unwrap_or_default();
        let (theirs, detail) = xmlsec1.verifies(case);
        let verdict = |ok: bool| if ok { "verified" } else { "failed" };
        let agreement = match case.stricter_by_policy {
            None if ours == theirs => "agree".to_owned(),
            None => format!("DISAGREE ({detail})"),
            Some(why) if !ours && theirs => format!("stricter by policy: {why}"),
            Some(_) if ours == theirs => "agree".to_owned(),
            Some(why) => format!("DISAGREE, expected stricter: {why} ({detail})"),
        };
        if agreement.starts_with("DISAGREE") {
            problems.push(format!(
                "{}: ours {} ({reason}), xmlsec1 {}",
                case.name,
                verdict(ours),
                verdict(theirs)
            ));
        }
        if ours != case.expect_verified || (!ours && reason != case.expect_reason) {
            problems.push(format!(
                "{}: ours {} ({reason}), expected {}",
                case.name,
                verdict(ours),
                case.expect_reason
            ));
        }
        table.push(format!(
            "| {} | {} | {} | {} | {} |",
            case.name,
            verdict(ours),
            if reason.is_empty() { "–" } else { &reason },
            verdict(theirs),
            agreement
        ));
    }
    println!("{}", table.join("\n"));
    assert!(all.len() >= 25, "the comparison covers too few files");
    assert!(
        problems.is_empty(),
        "files in {}:\n{}",
        dir.display(),
        problems.join("\n")
    );
    std::fs::remove_dir_all(&dir).ok();
}
