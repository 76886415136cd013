//! The redirect back to the business is signed with the key's redirect secret, the checks in
//! `docs/redirect.md` accept it (and nothing forged), and init refuses URLs that would carry a
//! forged pair.

mod rust_check;

use crate::common;

use common::{spawn, Backend, TestApp, REDIRECT};
use digigate_server::testing::on_both_backends;
use digigate_server::webhooks::SigningSecret;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

/// Makes `app` call with a new key that has a redirect secret; returns the secret.
async fn use_a_key_with_a_redirect_secret(app: &mut TestApp) -> String {
    let vault =
        digigate_server::vault::Vault::new(&secrecy::SecretBox::new(Box::new(app.master_key())));
    let created = digigate_server::auth::create_api_key(
        app.store.as_ref(),
        &digigate_server::auth::SecretHasher::new(1),
        Some(&vault),
        "signed",
        digigate_core::KeyEnvironment::Test,
        Vec::new(),
        0,
    )
    .await
    .unwrap();
    app.key = created.id.to_string();
    app.token = app.authenticate(&app.key, &created.secret).await;
    created.redirect_secret.expect("made with the vault")
}

/// The fenced block of `language` in `docs/redirect.md`.
fn doc_snippet(language: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/redirect.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc
        .find(&format!("```{language}\n"))
        .unwrap_or_else(|| panic!("docs/redirect.md has a {language} block"));
    let body = &doc[start + language.len() + 4..];
    body[..body.find("```").unwrap()].to_owned()
}

#[test]
fn the_rust_check_in_the_docs_is_the_one_compiled_here() {
    assert_eq!(
        doc_snippet("rust"),
        include_str!("signed_redirect/rust_check.rs")
    );
}

/// Runs the documented check of `language` on `url` with `secret`; what it answered.
fn documented_check(language: &str, url: &str, secret: &str) -> bool {
    let (program, file, call) = match language {
        "python" => (
            "python3",
            "check.py",
            "import sys\nprint(verify_redirect(sys.argv[1], sys.argv[2]))\n",
        ),
        "js" => (
            "node",
            "check.js",
            "console.log(verifyRedirect(process.argv[2], process.argv[3]) ? 'True' : 'False');\n",
        ),
        _ => unreachable!(),
    };
    let dir = std::env::temp_dir().join(format!("digigate-redirect-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join(file);
    std::fs::write(&script, format!("{}\n{call}", doc_snippet(language))).unwrap();
    let out = Command::new(program)
        .arg(&script)
        .args([url, secret])
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match said.as_str() {
        "True" => true,
        "False" => false,
        other => panic!("{program} answered {other:?}"),
    }
}

async fn a_journeys_redirect_back_is_signed_and_the_documented_checks_accept_only_it(
    backend: Backend,
) {
    let mut app = spawn(backend).await;
    let secret = use_a_key_with_a_redirect_secret(&mut app).await;
    let (id, back) = app.consented_journey(&["pan"]).await;
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    let pairs: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["session_id", "status", "ts", "sig"], "{back}");
    assert_eq!(pairs[0].1, id);
    assert_eq!(pairs[1].1, "succeeded");
    let ts: i64 = pairs[2].1.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    let key = SigningSecret::from_whsec(&secret).unwrap();
    assert_eq!(
        pairs[3].1,
        key.sign(format!("{id}.succeeded.{ts}").as_bytes())
    );

    let forged_status = back.as_str().replace("status=succeeded", "status=failed");
    let stale = back
        .as_str()
        .replace(&format!("ts={ts}"), &format!("ts={}", ts - 3600));
    let other_secret = SigningSecret::generate().to_whsec();
    let now = chrono::Utc::now().timestamp();
    let check = |url: &str, secret: &str| {
        rust_check::verify_redirect(&url::Url::parse(url).unwrap(), secret, now, 300)
    };
    assert!(check(back.as_str(), &secret));
    assert!(!check(&forged_status, &secret));
    assert!(!check(&stale, &secret));
    assert!(!check(back.as_str(), &other_secret));
    for language in ["python", "js"] {
        assert!(
            documented_check(language, back.as_str(), &secret),
            "{language}"
        );
        assert!(
            !documented_check(language, &forged_status, &secret),
            "{language}"
        );
        assert!(!documented_check(language, &stale, &secret), "{language}");
        assert!(
            !documented_check(language, back.as_str(), &other_secret),
            "{language}"
        );
    }
}

async fn a_key_without_a_redirect_secret_redirects_as_before_until_one_is_issued(backend: Backend) {
    let app = spawn(backend).await;
    app.run_sql(&format!(
        "UPDATE api_keys SET redirect_secret_sealed = NULL WHERE id = '{}'",
        app.key
    ))
    .await;
    // The key cache holds a key for at most a second.
    tokio::time::sleep(digigate_store::KEY_CACHE_TTL).await;
    let (id, back) = app.consented_journey(&["pan"]).await;
    assert_eq!(
        back.as_str(),
        format!("{REDIRECT}?session_id={id}&status=succeeded")
    );
    let vault =
        digigate_server::vault::Vault::new(&secrecy::SecretBox::new(Box::new(app.master_key())));
    let secret =
        digigate_server::auth::rotate_redirect_secret(app.store.as_ref(), &vault, &app.key)
            .await
            .unwrap()
            .expect("the key exists");
    let (id, back) = app.consented_journey(&["pan"]).await;
    let ts = back
        .query_pairs()
        .find(|(k, _)| k == "ts")
        .map(|(_, v)| v.into_owned())
        .expect("signed now");
    let sig = back.query_pairs().find(|(k, _)| k == "sig").unwrap().1;
    let key = SigningSecret::from_whsec(&secret).unwrap();
    assert_eq!(sig, key.sign(format!("{id}.succeeded.{ts}").as_bytes()));
}

async fn init_refuses_a_redirect_url_carrying_the_parameters_of_the_redirect_back(
    backend: Backend,
) {
    let app = spawn(backend).await;
    for (url, name) in [
        (
            "https://business.example/done?session_id=FAKE&status=succeeded",
            "session_id",
        ),
        (
            "https://business.example/done?x=1&status=succeeded",
            "status",
        ),
        ("https://business.example/done?ts=1", "ts"),
        ("https://business.example/done?sig=v1,AAAA", "sig"),
    ] {
        let body = json!({
            "@entity": "in.co.sandbox.kyc.digilocker.session.request",
            "flow": "signin", "redirect_url": url, "doc_types": ["pan"],
        });
        let res = app.post("/kyc/digilocker/sessions/init", &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{url}");
        let b: Value = res.json().await.unwrap();
        assert_eq!(b["code"], 400, "{b}");
        let message = b["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "redirect_url must not carry the query parameter {name}"
            )),
            "{message}"
        );
        assert!(b["transaction_id"].is_string(), "{b}");
    }
    assert_eq!(app.sessions_created().await, 0, "nothing was stored");
}

on_both_backends!(
    a_journeys_redirect_back_is_signed_and_the_documented_checks_accept_only_it,
    a_key_without_a_redirect_secret_redirects_as_before_until_one_is_issued,
    init_refuses_a_redirect_url_carrying_the_parameters_of_the_redirect_back,
);
