//! A typed client for digigate's DigiLocker KYC API, which is wire-compatible with Sandbox's
//! (`sandbox.co.in`), so it talks to either.
//!
//! ```no_run
//! use digigate_client::{DigigateClient, DocType, InitSession, Status};
//! use secrecy::SecretString;
//! use std::time::Duration;
//! use url::Url;
//!
//! # async fn run() -> Result<(), digigate_client::ClientError> {
//! let client = DigigateClient::new(
//!     Url::parse("http://127.0.0.1:8080").unwrap(),
//!     "key_test_…".to_owned(),
//!     SecretString::from("secret_test_…"),
//! )?;
//! let redirect = Url::parse("https://shop.example/kyc/done").unwrap();
//! let session = client.init_session(&InitSession::new(redirect, DocType::ALL)).await?;
//! // … send the person to session.authorization_url …
//! let status = client
//!     .wait_for_final_status(&session.session_id, Duration::from_secs(2), Duration::from_secs(900))
//!     .await?;
//! if status.status == Status::Succeeded {
//!     let pan = client.fetch_document(&session.session_id, DocType::Pan).await?;
//!     let xml = client.download(&pan.files[0]).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! With the `simulator` feature, [`simulator`] plays the person through digigate's built-in
//! DigiLocker simulator, for a business's own tests.

mod client;
mod error;
mod requests;
mod responses;
mod token;
mod transport;

#[cfg(feature = "simulator")]
pub mod simulator;

pub use error::ClientError;
pub use requests::{
    DocType, Flow, InitSession, SessionOptions, UserLookup, VerificationMethod, INIT_ENTITY,
    VERIFY_ENTITY,
};
pub use responses::{
    CheckReport, DocumentFiles, Erasure, FileMetadata, FileRef, MissingDocument, SessionCreated,
    SessionStatus, Status, UserProfile,
};
pub use transport::{DigigateClient, API_VERSION};
