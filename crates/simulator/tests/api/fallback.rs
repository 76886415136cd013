//! What DigiLocker's APIs answer for a path or method they do not serve: the JSON error
//! envelope every API uses (reference §2, §6), never an empty body.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_wrong_method_on_a_known_path_answers_a_json_405_error() {
    let sim = spawn().await;
    let response = sim
        .client
        .get(sim.url("/oauth2/1/token"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = response.json().await.expect("json body");
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn an_unknown_path_answers_a_json_404_error() {
    let sim = spawn().await;
    for path in ["/oauth2/9/nothing", "/no/such/api", "/oauth2/1/xml"] {
        let response = sim.client.get(sim.url(path)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let body: serde_json::Value = response.json().await.expect("json body");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        assert!(body["error_description"].is_string(), "{body}");
    }
}
