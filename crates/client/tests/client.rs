//! The client against a real gateway and simulator over HTTP: a whole journey, the error
//! envelope, and authentication that recovers from a refused token.

mod common;

use common::{spawn, Backend, REDIRECT};
use digigate_client::simulator::{complete_consent, Person};
use digigate_client::{ClientError, DocType, Flow, InitSession, Status, UserLookup};
use digigate_server::testing::on_both_backends;
use std::time::Duration;
use url::Url;

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn redirect() -> Url {
    Url::parse(REDIRECT).unwrap()
}

const WAIT: (Duration, Duration) = (Duration::from_millis(20), Duration::from_secs(10));

async fn a_whole_journey_through_the_client_shares_and_downloads_all_three_documents(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let client = app.client();
    assert!(client
        .verify_user(UserLookup::mobile("9000000001"))
        .await
        .unwrap());
    assert!(!client
        .verify_user(UserLookup::mobile("9000000005"))
        .await
        .unwrap());

    let created = client
        .init_session(&InitSession::new(redirect(), DocType::ALL))
        .await
        .unwrap();
    assert!(created
        .authorization_url
        .as_str()
        .starts_with(&format!("{}connect/", app.base)));
    let status = client.session_status(&created.session_id).await.unwrap();
    assert_eq!(status.status, Status::Created);

    let back = complete_consent(&created.authorization_url, &Person::allowing("9000000001"))
        .await
        .unwrap();
    assert!(back.as_str().starts_with(REDIRECT));
    assert_eq!(
        query(&back, "session_id").as_deref(),
        Some(created.session_id.as_str())
    );
    assert_eq!(query(&back, "status").as_deref(), Some("succeeded"));

    let done = client
        .wait_for_final_status(&created.session_id, WAIT.0, WAIT.1)
        .await
        .unwrap();
    assert_eq!(done.id, created.session_id);
    assert_eq!(done.status, Status::Succeeded);
    assert_eq!(done.documents_consented, DocType::ALL.to_vec());
    assert!(done.updated_at.unwrap() >= done.created_at);
    assert_eq!(done.raw["@entity"], "in.co.sandbox.kyc.digilocker.session");

    let profile = client.user_profile(&created.session_id).await.unwrap();
    assert_eq!(profile.name, "Asha Verma");
    assert_eq!(profile.date_of_birth, "15/08/1990");
    assert_eq!(profile.gender, "female");
    assert!(profile.eaadhaar);

    for doc in DocType::ALL {
        let document = client
            .fetch_document(&created.session_id, doc)
            .await
            .unwrap();
        assert_eq!(document.files.len(), 1, "{doc}");
        let file = &document.files[0];
        assert_eq!(file.metadata.content_type, "application/xml");
        assert!(!file.metadata.issuer_id.is_empty() && !file.metadata.description.is_empty());
        assert_eq!(document.raw["files"][0]["@entity"], "org.quicko.drive.file");
        let bytes = client.download(file).await.unwrap();
        assert_eq!(bytes.len() as u64, file.size, "{doc}");
        assert!(String::from_utf8(bytes).unwrap().contains("<Certificate"));
    }
}

async fn an_unknown_session_is_an_api_error_with_the_gateways_message_and_transaction_id(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    let err = app.client().session_status(missing).await.unwrap_err();
    match err {
        ClientError::Api {
            code,
            ref message,
            ref transaction_id,
        } => {
            assert_eq!(code, 404);
            assert_eq!(message, &format!("Data not found for: {missing}"));
            assert!(transaction_id.as_ref().is_some_and(|t| t.len() == 36));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("API error 404: Data not found for: {missing}")
    );
}

async fn a_denied_consent_fails_the_session_and_its_documents_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let client = app.client();
    let created = client
        .init_session(&InitSession::new(redirect(), [DocType::Aadhaar]).flow(Flow::Signin))
        .await
        .unwrap();
    let back = complete_consent(&created.authorization_url, &Person::denying("9000000001"))
        .await
        .unwrap();
    assert_eq!(query(&back, "status").as_deref(), Some("failed"));
    let done = client
        .wait_for_final_status(&created.session_id, WAIT.0, WAIT.1)
        .await
        .unwrap();
    assert_eq!(done.status, Status::Failed);
    assert_eq!(done.reason.as_deref(), Some("consent_denied"));
    let err = client
        .fetch_document(&created.session_id, DocType::Aadhaar)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Api { code: 409, ref message, .. }
            if message == "Cannot get document due to invalid session lifecycle"),
        "{err:?}"
    );
}

async fn waiting_for_a_session_nobody_opens_times_out_with_its_last_status(backend: Backend) {
    let app = spawn(backend).await;
    let client = app.client();
    let created = client
        .init_session(&InitSession::new(redirect(), [DocType::Pan]))
        .await
        .unwrap();
    let err = client
        .wait_for_final_status(
            &created.session_id,
            Duration::from_millis(10),
            Duration::from_millis(50),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Timeout { ref last_status, .. } if last_status == "created"),
        "{err:?}"
    );
}

async fn the_client_authenticates_again_when_the_gateway_refuses_its_token(backend: Backend) {
    let mut app = spawn(backend).await;
    let client = app.client();
    let created = client
        .init_session(&InitSession::new(redirect(), [DocType::Pan]))
        .await
        .unwrap();
    // Tokens signed before the restart are refused with 401; the cached one is one of them.
    app.restart_with_a_new_signing_key().await;
    let status = client.session_status(&created.session_id).await.unwrap();
    assert_eq!(status.status, Status::Created);
}

async fn wrong_credentials_are_an_unauthorized_api_error_that_never_shows_the_secret(
    backend: Backend,
) {
    let app = spawn(backend).await;
    let secret = "secret_test_not-the-right-one-0123456789";
    let client = app.client_with(&app.key, secret);
    let err = client.authenticate().await.unwrap_err();
    assert!(
        matches!(err, ClientError::Api { code: 401, ref message, .. } if message == "Unauthorized"),
        "{err:?}"
    );
    for shown in [format!("{err:?}"), err.to_string(), format!("{client:?}")] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let good = app.client();
    good.authenticate().await.unwrap();
    assert!(!format!("{good:?}").contains(&app.secret));
}

on_both_backends!(
    a_whole_journey_through_the_client_shares_and_downloads_all_three_documents,
    an_unknown_session_is_an_api_error_with_the_gateways_message_and_transaction_id,
    a_denied_consent_fails_the_session_and_its_documents_are_refused,
    waiting_for_a_session_nobody_opens_times_out_with_its_last_status,
    the_client_authenticates_again_when_the_gateway_refuses_its_token,
    wrong_credentials_are_an_unauthorized_api_error_that_never_shows_the_secret,
);
