//! Self-uploaded documents (reference §4.4, OpenAPI `/oauth2/1/files/`).

use reqwest::StatusCode;

use crate::helpers::*;

const ITEM_FIELDS: [&str; 10] = [
    "id",
    "name",
    "type",
    "size",
    "date",
    "parent",
    "mime",
    "uri",
    "description",
    "issuer",
];

fn assert_item_shape(item: &serde_json::Value) {
    for field in ITEM_FIELDS {
        assert!(item[field].is_string(), "{field} in {item}");
    }
    assert!(item["type"] == "file" || item["type"] == "dir", "{item}");
}

#[tokio::test]
async fn the_uploaded_documents_list_has_the_openapi_shape_and_folders_open_by_id() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    for path in ["/oauth2/1/files/", "/oauth2/1/files"] {
        let response = sim.get(path, &token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json"));
        let body: serde_json::Value = response.json().await.expect("json");
        assert!(
            body["directory"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
        let items = body["items"].as_array().expect("items");
        assert!(!items.is_empty(), "{body}");
        items.iter().for_each(assert_item_shape);
    }

    let top: serde_json::Value = sim
        .get("/oauth2/1/files/", &token)
        .await
        .json()
        .await
        .expect("json");
    let items = top["items"].as_array().expect("items");
    let folder = items.iter().find(|i| i["type"] == "dir").expect("a folder");
    let file = items.iter().find(|i| i["type"] == "file").expect("a file");
    assert_eq!(file["name"], "Rent Agreement.pdf");
    assert_eq!(file["mime"], "application/pdf");
    assert!(file["size"]
        .as_str()
        .is_some_and(|s| s.parse::<u64>().is_ok()));

    let id = folder["id"].as_str().expect("id");
    let response = sim.get(&format!("/oauth2/1/files/{id}"), &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let inside: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        inside["directory"],
        format!("/{}", folder["name"].as_str().expect("name"))
    );
    let files = inside["items"].as_array().expect("items");
    assert_eq!(files.len(), 2, "{inside}");
    for f in files {
        assert_item_shape(f);
        assert_eq!(f["type"], "file");
        assert_eq!(f["parent"], id);
    }
}

#[tokio::test]
async fn a_persona_without_uploads_gets_an_empty_list() {
    let sim = spawn().await;
    let token = sim.access_token("9000000002", &["PANCR"]).await;
    let response = sim.get("/oauth2/1/files/", &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["items"], serde_json::json!([]));
    assert!(body["directory"].is_string());
}

#[tokio::test]
async fn the_uploaded_documents_list_needs_a_valid_token_and_an_existing_folder() {
    let sim = spawn().await;
    let response = sim.get("/oauth2/1/files/", "not-a-token").await;
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    let response = sim.get("/oauth2/1/files/123456789", &token).await;
    let body = assert_error(response, StatusCode::NOT_FOUND, "invalid_id").await;
    assert_eq!(body["error_description"], "The folder does not exist");
}

#[tokio::test]
async fn the_issued_list_is_still_served_next_to_the_uploaded_folders() {
    let sim = spawn().await;
    let token = sim.access_token("9000000001", &["PANCR"]).await;
    let response = sim.get("/oauth2/1/files/issued", &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["resource"], "issued");
}
