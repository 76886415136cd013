//! A typed client for digigate's DigiLocker KYC API, which is wire-compatible with Sandbox's
//! (`sandbox.co.in`), so the same code talks to a self-hosted digigate or to Sandbox's cloud API:
//! only the base URL and the key differ.
//!
//! # The four steps
//!
//! Sandbox's guide has four steps, and so does this client: **init** a session, **redirect** the
//! person to its link, read its **status** until it is final, **fetch** the documents.
//!
//! ```no_run
//! use digigate_client::{DigigateClient, DocType, InitSession, Status};
//! use secrecy::SecretString;
//! use std::time::Duration;
//! use url::Url;
//!
//! # async fn run() -> Result<(), digigate_client::ClientError> {
//! let client = DigigateClient::new(
//!     Url::parse("http://127.0.0.1:8080").unwrap(), // or https://api.sandbox.co.in
//!     "key_test_…".to_owned(),
//!     SecretString::from("secret_test_…"),
//! )?;
//! // 1. init
//! let redirect = Url::parse("https://shop.example/kyc/done").unwrap();
//! let session = client.init_session(&InitSession::new(redirect, DocType::ALL)).await?;
//! // 2. redirect: send the person to session.authorization_url
//! // 3. status (or react to the person coming back to the redirect URL)
//! let status = client
//!     .wait_for_final_status(&session.session_id, Duration::from_secs(2), Duration::from_secs(900))
//!     .await?;
//! // 4. fetch
//! if status.status == Status::Succeeded {
//!     let pan = client.fetch_document(&session.session_id, DocType::Pan).await?;
//!     let xml = client.download(&pan.files[0]).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! `examples/kyc_journey.rs` is the same journey as a program
//! (`cargo run -p digigate-client --example kyc_journey`), and every method of
//! [`DigigateClient`] shows its own call.
//!
//! # Credentials and tokens
//!
//! The client exchanges the API key and secret for an access token at `/authenticate` on its
//! first call and caches it. The token is replaced a minute before its `exp`, or once when the
//! gateway answers 401 (a rotated signing key, a restarted gateway), and the call is then sent
//! again. Concurrent calls wait for one authentication instead of each making their own, and
//! clones of a client share the token and the connection pool, so create one client and clone
//! it. The secret and the token never appear in a URL, in `Debug` output or in an error.
//!
//! # Errors
//!
//! Every method returns [`ClientError`]. An answer in Sandbox's error envelope is
//! [`ClientError::Api`] with its `code`, `message` and `transaction_id` (quote the last to the
//! gateway's operators); a connection that failed is [`ClientError::Transport`]; an answer of an
//! unexpected shape is [`ClientError::Decode`]. Branch on the code, not on the message:
//!
//! ```no_run
//! # async fn run(client: digigate_client::DigigateClient) {
//! use digigate_client::ClientError;
//! match client.session_status("0b6f3c1e-…").await {
//!     Ok(status) => println!("{}", status.status),
//!     Err(e) if e.api_code() == Some(404) => println!("no such session (or it was erased)"),
//!     Err(ClientError::Transport(e)) => println!("gateway unreachable: {e}"),
//!     Err(e) => println!("{e}"),
//! }
//! # }
//! ```
//!
//! # digigate's additions
//!
//! [`DigigateClient::session_checks`], [`DigigateClient::erase_session`] and the status fields
//! `reason`, `documents_missing` and `erased_at` exist on digigate only; against Sandbox the two
//! calls answer 404 and the fields stay empty. Everything else is Sandbox's wire.
//!
//! # Features
//!
//! - `simulator`: the `simulator` module plays the person through digigate's built-in
//!   DigiLocker simulator (sign in, consent), for a business's own end-to-end tests.

mod client;
mod error;
mod requests;
mod responses;
mod token;
mod transport;

#[cfg(feature = "simulator")]
pub mod simulator;

/// The gateway's wire contract: the exact request and response bodies and Sandbox's envelopes,
/// as the gateway writes them (`digigate_core::api`). The types above are this client's
/// lenient readings of the same answers (times as `DateTime`, links as `Url`, unknown statuses
/// kept, the raw `data` alongside), which also accept Sandbox's cloud API.
pub use digigate_core::api;
pub use error::ClientError;
pub use requests::{
    DocType, ExpectedDetails, Flow, InitSession, SessionOptions, UserLookup, VerificationMethod,
    INIT_ENTITY, VERIFY_ENTITY,
};
pub use responses::{
    CheckReport, DocumentFiles, Erasure, FileMetadata, FileRef, MissingDocument, SessionCreated,
    SessionStatus, Status, UserProfile,
};
pub use transport::{DigigateClient, API_VERSION};
