//! Self-uploaded documents (`GET /oauth2/1/files/` and `/oauth2/1/files/{id}`, reference §4.4):
//! the persona's "Drive", listed one folder at a time in the OpenAPI's `{directory, items}` shape.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api_error::ApiError;
use crate::ids::derived_id;
use crate::personas::Persona;
use crate::resources::authorized_persona;
use crate::Simulator;

/// The `directory` name of the top of a person's uploaded documents (DigiLocker's own value is
/// undocumented; the simulator uses a path, `/` for the top and `/<folder>` below it).
const ROOT_DIRECTORY: &str = "/";

/// `GET /oauth2/1/files` (or `/files/`): the top folder of the uploaded documents.
pub(crate) async fn root(
    State(sim): State<Simulator>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let persona = authorized_persona(&sim, &headers)?;
    Ok(Json(listing(persona, None)).into_response())
}

/// `GET /oauth2/1/files/{id}`: one folder of the uploaded documents, by its `id`.
pub(crate) async fn folder(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let persona = authorized_persona(&sim, &headers)?;
    let folder = folders(persona)
        .into_iter()
        .find(|name| folder_id(persona, name) == id)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "invalid_id",
                "The folder does not exist",
            )
        })?;
    Ok(Json(listing(persona, Some(&folder))).into_response())
}

/// The folders (one level deep) holding the persona's uploads, in first-seen order.
fn folders(persona: &Persona) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for file in &persona.uploaded {
        if !file.folder.is_empty() && !names.contains(&file.folder) {
            names.push(file.folder.clone());
        }
    }
    names
}

/// `{directory, items}` for the top (`None`) or one folder: sub-folders first, then files.
fn listing(persona: &Persona, folder: Option<&str>) -> serde_json::Value {
    let mut items = Vec::new();
    let parent = folder.map(|f| folder_id(persona, f)).unwrap_or_default();
    if folder.is_none() {
        for name in folders(persona) {
            items.push(serde_json::json!({
                "id": folder_id(persona, &name), "name": name, "type": "dir", "size": "",
                "date": "", "parent": "", "mime": "", "uri": "", "description": "", "issuer": "",
            }));
        }
    }
    let here = folder.unwrap_or_default();
    for file in persona.uploaded.iter().filter(|f| f.folder == here) {
        items.push(serde_json::json!({
            "id": numeric_id(&["upload", &persona.digilockerid, &file.folder, &file.name]),
            "name": file.name, "type": "file", "size": file.size.to_string(), "date": file.date,
            "parent": parent, "mime": file.mime, "uri": "", "description": file.description,
            "issuer": "",
        }));
    }
    let directory = match folder {
        Some(name) => format!("/{name}"),
        None => ROOT_DIRECTORY.to_owned(),
    };
    serde_json::json!({ "directory": directory, "items": items })
}

fn folder_id(persona: &Persona, name: &str) -> String {
    numeric_id(&["folder", &persona.digilockerid, name])
}

/// A stable nine-digit id, the shape of the OpenAPI's example (`189079894`).
fn numeric_id(parts: &[&str]) -> String {
    let hex = derived_id(parts);
    let value = u64::from_str_radix(&hex[..12], 16).unwrap_or_default();
    (100_000_000 + value % 900_000_000).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_listed_at_the_top_and_their_files_inside_them() {
        let persona = &Persona::built_in()[0];
        let top = listing(persona, None);
        assert_eq!(top["directory"], "/");
        let items = top["items"].as_array().expect("items");
        assert_eq!(items[0]["type"], "dir");
        assert!(items.iter().skip(1).all(|i| i["type"] == "file"));
        let folder = items[0]["name"].as_str().expect("name");
        let inside = listing(persona, Some(folder));
        assert_eq!(inside["directory"], format!("/{folder}"));
        let files = inside["items"].as_array().expect("items");
        assert!(!files.is_empty());
        assert!(files.iter().all(|f| f["parent"] == items[0]["id"]));
        assert_eq!(numeric_id(&["a"]).len(), 9);
        assert_eq!(numeric_id(&["a"]), numeric_id(&["a"]));
    }
}
