//! Sandbox's DigiLocker SDK variant, the browser side: the script businesses include
//! (`script.rs`), the pages the popup passes through (`pages.rs`: start and completion), the
//! development demo (`demo.rs`) and the making of an SDK session (`session.rs`), which the API
//! side (`routes::sdk`) and the demo share.
//!
//! An SDK session is an ordinary session whose return address is the gateway's own
//! [`COMPLETE_PATH`]: the journey (connect → DigiLocker → callback → return address) is the same
//! as init's, and ends on the completion page, which tells the embedding page the outcome with
//! `postMessage` and closes the popup. See docs/sdk.md.

pub mod demo;
pub mod pages;
pub mod script;
mod session;

pub(crate) use session::create as create_session;

use crate::GatewayConfig;
use digigate_store::{ApiKeyRecord, SessionRecord};

/// Where an SDK session's journey ends (its stored `redirect_url`, under the public URL).
pub const COMPLETE_PATH: &str = "/sdk/complete";

/// The return address stored for every SDK session.
pub fn return_address(cfg: &GatewayConfig) -> String {
    cfg.public_link(COMPLETE_PATH)
}

/// Whether `session` was created through the SDK API (its journey ends on the completion page).
pub fn is_sdk_session(cfg: &GatewayConfig, session: &SessionRecord) -> bool {
    session.redirect_url == return_address(cfg)
}

/// The origins whose pages may embed the SDK for `key`: the origins of the key's registered
/// redirect URLs and, in development mode only, the gateway's own (its demo page). The
/// completion page posts the outcome to nothing else.
pub fn allowed_origins(cfg: &GatewayConfig, key: &ApiKeyRecord) -> Vec<String> {
    let mut out: Vec<String> = key
        .redirect_urls
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .map(|u| u.origin())
        .filter(|o| o.is_tuple())
        .map(|o| o.ascii_serialization())
        .collect();
    if cfg.development {
        out.push(cfg.public_url.origin().ascii_serialization());
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(urls: &[&str]) -> ApiKeyRecord {
        ApiKeyRecord {
            id: "key_test_x".into(),
            name: "t".into(),
            secret_hash: String::new(),
            created_at_ms: 0,
            disabled_at_ms: None,
            redirect_urls: urls.iter().map(|u| u.to_string()).collect(),
            generation: 0,
            redirect_secret_sealed: None,
        }
    }

    #[test]
    fn the_allowed_origins_are_the_redirect_urls_origins_and_in_development_the_gateways() {
        let mut cfg = GatewayConfig::new(
            url::Url::parse("https://kyc.example/base/").unwrap(),
            [0; 32],
            [0; 32],
        );
        let k = key(&[
            "https://shop.example/kyc/done",
            "https://shop.example:8443/x",
            "bad",
        ]);
        cfg.development = false;
        assert_eq!(
            allowed_origins(&cfg, &k),
            vec!["https://shop.example", "https://shop.example:8443"]
        );
        assert!(allowed_origins(&cfg, &key(&[])).is_empty());
        cfg.development = true;
        assert_eq!(
            allowed_origins(&cfg, &key(&[])),
            vec!["https://kyc.example"]
        );
        assert_eq!(
            return_address(&cfg),
            "https://kyc.example/base/sdk/complete"
        );
    }
}
