//! Whether a mobile number or Aadhaar number already has a DigiLocker account:
//! `POST /account/2/verify`, authenticated by `clientid` + `ts` + `hmac` instead of OAuth.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::client::{read_body, MAX_JSON_BYTES};
use crate::wire;
use crate::{DigiLockerClient, DigiLockerError};

/// Which identifier to look an account up by. `Debug` hides the number.
#[derive(Clone, PartialEq, Eq)]
pub enum AccountLookup {
    /// A 10-digit mobile number (form field `mobile`).
    Mobile(String),
    /// A 12-digit Aadhaar number (form field `uid`).
    Aadhaar(String),
}

impl fmt::Debug for AccountLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mobile(_) => f.write_str("Mobile([REDACTED])"),
            Self::Aadhaar(_) => f.write_str("Aadhaar([REDACTED])"),
        }
    }
}

/// DigiLocker's answer to an account lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    /// Whether an account exists for the identifier.
    pub registered: bool,
    /// The account's DigiLocker id, when registered and reported.
    pub digilocker_id: Option<String>,
}

impl DigiLockerClient {
    /// Asks whether `who` has a DigiLocker account (`POST {api_base}/account/2/verify`).
    pub async fn account_exists(
        &self,
        who: AccountLookup,
    ) -> Result<AccountStatus, DigiLockerError> {
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default();
        let config = &self.inner.config;
        let form = verify_form(&config.client_id, &config.client_secret, ts, &who);
        let request = self
            .inner
            .http
            .post(self.api_url(&["account", "2", "verify"]))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
        let response = self.send(request, "account/verify").await?;
        account_status_from_json(&read_body(response, MAX_JSON_BYTES).await?)
    }
}

/// The form fields: `clientid`, `ts`, `hmac` = hex(SHA-256(secret + clientid + ts)), and
/// `mobile` or `uid`.
fn verify_form(
    client_id: &str,
    secret: &SecretString,
    ts: u64,
    who: &AccountLookup,
) -> [(&'static str, String); 4] {
    let ts = ts.to_string();
    let digest = Sha256::new()
        .chain_update(secret.expose_secret().as_bytes())
        .chain_update(client_id.as_bytes())
        .chain_update(ts.as_bytes())
        .finalize();
    let hmac = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    let lookup = match who {
        AccountLookup::Mobile(number) => ("mobile", number.clone()),
        AccountLookup::Aadhaar(number) => ("uid", number.clone()),
    };
    [
        ("clientid", client_id.to_owned()),
        ("ts", ts),
        ("hmac", hmac),
        lookup,
    ]
}

/// Decodes `{"registered": "true"|true|"Y", "digilockerid": ...}`.
fn account_status_from_json(body: &[u8]) -> Result<AccountStatus, DigiLockerError> {
    let map: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|err| DigiLockerError::decode("account/verify", &err))?;
    let fields = wire::IdentityFields::from_map(&map)
        .map_err(|err| DigiLockerError::Decode(format!("account/verify: {err}")))?;
    let registered = map
        .get("registered")
        .cloned()
        .map(wire::opt_flag)
        .transpose()
        .map_err(|_| DigiLockerError::Decode("account/verify: `registered` is not a flag".into()))?
        .flatten()
        .ok_or_else(|| DigiLockerError::Decode("account/verify: missing `registered`".into()))?;
    Ok(AccountStatus {
        registered,
        digilocker_id: fields.digilocker_id,
    })
}

#[cfg(test)]
mod tests {
    use super::{account_status_from_json, verify_form, AccountLookup};
    use secrecy::SecretString;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_verify_form_signs_secret_client_id_and_timestamp() {
        let secret = SecretString::from("s3cret");
        let form = verify_form(
            "client-1",
            &secret,
            1_700_000_000,
            &AccountLookup::Mobile("9876543210".into()),
        );
        let expected: String = Sha256::digest(b"s3cretclient-11700000000")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(form[0], ("clientid", "client-1".to_owned()));
        assert_eq!(form[1], ("ts", "1700000000".to_owned()));
        assert_eq!(form[2], ("hmac", expected));
        assert_eq!(form[3], ("mobile", "9876543210".to_owned()));
        let by_uid = verify_form(
            "c",
            &secret,
            1,
            &AccountLookup::Aadhaar("999941057058".into()),
        );
        assert_eq!(by_uid[3].0, "uid");
        assert!(!format!("{:?}", AccountLookup::Aadhaar("999941057058".into())).contains("9999"));
    }

    #[test]
    fn account_answers_decode_in_every_spelling() {
        let yes = account_status_from_json(
            br#"{"registered":"true","digilockerid":"123e4567-e89b-12d3-a456-426655440000"}"#,
        )
        .expect("decodes");
        assert!(yes.registered);
        assert_eq!(
            yes.digilocker_id.as_deref(),
            Some("123e4567-e89b-12d3-a456-426655440000")
        );
        let no = account_status_from_json(br#"{"registered":false,"digilockerid":""}"#)
            .expect("decodes");
        assert!(!no.registered);
        assert_eq!(no.digilocker_id, None);
        assert!(account_status_from_json(br#"{"digilockerid":"x"}"#).is_err());
    }
}
