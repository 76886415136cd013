//! What `digigate session` prints: JSON alone on stdout with `--json`, short lines otherwise.
//! Nothing personal is printed in human mode beyond what the command asked for.

use anyhow::Context;
use chrono::{SecondsFormat, Utc};
use digigate_client::{
    CheckReport, DocType, DocumentFiles, Erasure, FileRef, SessionCreated, SessionStatus,
};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

fn emit(v: &Value) {
    println!("{v}");
}

/// After `init`.
pub fn created(c: &SessionCreated, json: bool) {
    if json {
        emit(&json!({"session_id": c.session_id, "authorization_url": c.authorization_url}));
    } else {
        println!("session {}", c.session_id);
        println!("send the person to: {}", c.authorization_url);
    }
}

fn status_line(s: &SessionStatus) -> String {
    let mut line = s.status.to_string();
    if let Some(reason) = &s.reason {
        line.push_str(&format!(" ({reason})"));
    }
    if !s.documents_consented.is_empty() {
        line.push_str(&format!(
            ", consented: {}",
            DocType::join(&s.documents_consented)
        ));
    }
    for m in &s.documents_missing {
        line.push_str(&format!(", missing {}: {}", m.doc_type, m.reason));
    }
    line
}

/// After `status`.
pub fn status(s: &SessionStatus, json: bool) {
    if json {
        emit(&s.raw);
    } else {
        println!("session {}: {}", s.id, status_line(s));
    }
}

/// One change seen by `watch`, stamped with when it was seen.
pub fn change(s: &SessionStatus, json: bool) {
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    if json {
        emit(
            &json!({"at": at, "session_id": s.id, "status": s.status.as_str(), "reason": s.reason}),
        );
    } else {
        println!("{at}  {}", status_line(s));
    }
}

/// After `documents`.
pub fn documents(answers: &[(DocType, DocumentFiles)], json: bool) {
    if json {
        let all: serde_json::Map<String, Value> = answers
            .iter()
            .map(|(d, f)| (d.as_str().to_owned(), f.raw.clone()))
            .collect();
        emit(&Value::Object(all));
        return;
    }
    for (doc_type, files) in answers {
        for f in &files.files {
            println!(
                "{doc_type}: {} bytes, {}, issued by {}",
                f.size, f.metadata.content_type, f.metadata.issuer
            );
        }
    }
}

/// The file extension for a content type.
pub fn extension(content_type: &str) -> &'static str {
    match content_type.split(';').next().unwrap_or("").trim() {
        "application/xml" | "text/xml" => "xml",
        "application/pdf" => "pdf",
        "application/json" => "json",
        _ => "bin",
    }
}

/// After `download`: writes the bytes to `path` (`-` is stdout) and says where.
pub fn downloaded(
    path: &Path,
    doc_type: DocType,
    file: &FileRef,
    bytes: &[u8],
    json: bool,
) -> anyhow::Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|()| out.flush())?;
        return Ok(());
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    if json {
        emit(&json!({
            "doc_type": doc_type.as_str(),
            "path": path.display().to_string(),
            "bytes": bytes.len(),
            "content_type": file.metadata.content_type,
        }));
    } else {
        println!(
            "{doc_type}: {} bytes written to {}",
            bytes.len(),
            path.display()
        );
    }
    Ok(())
}

/// After `checks`.
pub fn checks(report: &CheckReport, json: bool) {
    if json {
        emit(&report.raw);
        return;
    }
    println!("session {}: {}", report.session_id, report.outcome);
    if let Some(fields) = report.raw.get("fields") {
        println!(
            "{}",
            serde_json::to_string_pretty(fields).unwrap_or_default()
        );
    }
}

/// After `erase`.
pub fn erased(e: &Erasure, json: bool) {
    let at = e.erased_at.to_rfc3339_opts(SecondsFormat::Millis, true);
    if json {
        emit(&json!({"session_id": e.session_id, "erased_at": at}));
    } else {
        println!(
            "session {}: documents and profile erased at {at}",
            e.session_id
        );
    }
}
