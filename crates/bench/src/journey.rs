//! One whole consent journey, as a business and its customer would go through it.

use anyhow::{bail, ensure, Context};
use digigate_client::simulator::{Browser, Person};
use digigate_client::{DigigateClient, DocType, InitSession, Status};
use std::time::{Duration, Instant};
use url::Url;

/// Where the business sends people back to.
const REDIRECT: &str = "https://business.example/kyc/done";

/// Runs init → open link → simulator forms → callback → status succeeded → fetch the three
/// documents → download each file, as `login_id`; returns its wall time.
pub async fn run(client: &DigigateClient, login_id: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let request = InitSession::new(Url::parse(REDIRECT)?, DocType::ALL);
    let session = client
        .init_session(&request)
        .await
        .context("init session")?;
    // The person's browser keeps its connections open between pages, as real browsers do.
    let browser = Browser::keeping_connections();
    let page = browser
        .open_link(&session.authorization_url)
        .await
        .context("opening the link")?;
    let callback = browser
        .consent(page, &Person::allowing(login_id))
        .await
        .context("the simulator's pages")?;
    let back = browser.finish(&callback).await.context("the callback")?;
    let outcome = back
        .query_pairs()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned());
    ensure!(
        outcome.as_deref() == Some("succeeded"),
        "the journey ended with status {outcome:?}"
    );
    let status = client
        .session_status(&session.session_id)
        .await
        .context("session status")?;
    if status.status != Status::Succeeded {
        bail!("the session is {} after the callback", status.status);
    }
    for doc in DocType::ALL {
        let files = client
            .fetch_document(&session.session_id, doc)
            .await
            .with_context(|| format!("fetching {doc}"))?;
        ensure!(!files.files.is_empty(), "{doc} has no files");
        for file in &files.files {
            let bytes = client
                .download(file)
                .await
                .with_context(|| format!("downloading {doc}"))?;
            ensure!(bytes.len() as u64 == file.size, "{doc}: size mismatch");
        }
    }
    Ok(started.elapsed())
}
