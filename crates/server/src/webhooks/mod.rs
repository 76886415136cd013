//! Webhooks in the Standard Webhooks form, and the secret that also signs the redirect back to
//! the business: endpoints per API key, their targets' checks, and delivery from the outbox.

pub mod secret;

pub use secret::SigningSecret;
