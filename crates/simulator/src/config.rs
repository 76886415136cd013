//! What a simulator instance is configured with.

use std::sync::Arc;
use std::time::Duration;

use digigate_documents::signature::{SignatureMethod, SigningIdentity};
use secrecy::SecretString;

use crate::oidc::IdTokenKey;
use crate::personas::Persona;

/// The `iss` claim of real DigiLocker `id_token`s (reference §4.2).
const DIGILOCKER_ISSUER: &str = "https://digilocker.meripehchaan.gov.in";

/// The configuration of one simulated DigiLocker: the single registered partner client and the
/// people who can sign in.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The partner's `client_id`, as issued by the partner portal.
    pub client_id: String,
    /// The partner's `client_secret`; it authenticates `/token` and keys the `hmac` response header.
    pub client_secret: SecretString,
    /// Registered redirect URIs; `redirect_uri` must equal one of them exactly.
    pub redirect_uris: Vec<String>,
    /// How long an authorization code can be exchanged (default 60 s; zero makes every code expired).
    pub code_ttl: Duration,
    /// How long an access token is valid (default 3600 s; zero makes every token expired).
    pub token_ttl: Duration,
    /// The people the simulator knows (default [`Persona::built_in`]).
    pub personas: Vec<Persona>,
    /// When set, every XML document served (e-Aadhaar and `xml/{uri}`) carries DigiLocker's
    /// enveloped XML signature made with this identity; `None` (the default) serves it unsigned.
    pub signing: Option<Arc<SigningIdentity>>,
    /// The signature algorithm used when `signing` is set (default RSA-SHA1, as DigiLocker).
    pub signature_method: SignatureMethod,
    /// The `iss` of every `id_token` (default `https://digilocker.meripehchaan.gov.in`, the value
    /// in real DigiLocker tokens).
    pub issuer: String,
    /// The key that signs `id_token`s and is published at `/oauth2/1/certs`; `None` (the
    /// default) generates a fresh RSA key on the first OIDC request.
    pub id_token_key: Option<Arc<IdTokenKey>>,
    /// How long each document fetch of a persona with the `slow_repository` fault takes
    /// (default 2 s, as a slow issuer repository; built-in persona 9000000006).
    pub slow_repository_delay: Duration,
}

impl SimulatorConfig {
    /// A configuration for one client with the default lifetimes and the built-in personas.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        redirect_uris: Vec<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uris,
            code_ttl: Duration::from_secs(60),
            token_ttl: Duration::from_secs(3600),
            personas: Persona::built_in(),
            signing: None,
            signature_method: SignatureMethod::RsaSha1,
            issuer: DIGILOCKER_ISSUER.to_owned(),
            id_token_key: None,
            slow_repository_delay: Duration::from_secs(2),
        }
    }
}
