//! Who may sign a document: a trusted chain is not enough when the root is CCA India, the root
//! of every licensed certifying authority in India (and so of millions of personal and company
//! signing certificates). A signer must also match a [`SignerRule`] for the document's type.

use std::fmt;
use std::str::FromStr;

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Tag, Tagged};
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::model::DocTypeCode;

const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The organisation of DigiLocker's document signer (NeGD), as in the observed chain
/// (`shared/reference/digilocker/signing-chain.md`).
pub const NEGD_ORGANIZATION: &str = "NATIONAL E-GOVERNANCE DIVISION";
/// What the common name of the CA issuing DigiLocker's signer contains ("SafeScrypt sub-CA for
/// Document Signer 2022"): a CA that issues document-signer certificates only.
pub const DOCUMENT_SIGNER_CA: &str = "Document Signer";

/// Why a signer rule could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SignerRuleError {
    /// The text is not `TYPES|ORGANIZATION|ISSUER_CN_CONTAINS`.
    #[error("a signer rule is TYPES|ORGANIZATION|ISSUER_CN_CONTAINS, e.g. '*|{NEGD_ORGANIZATION}|{DOCUMENT_SIGNER_CA}'")]
    Shape,
    /// A document type is not `aadhaar`, `pan`, `driving_license` or `*`.
    #[error("unknown document type {0:?} in a signer rule (aadhaar, pan, driving_license or *)")]
    DocType(String),
    /// The organisation or the issuer text is empty.
    #[error("a signer rule needs a non-empty organisation and issuer text")]
    Empty,
}

/// An expected signer: the exact organisation (`O`) of the signer certificate's subject, and a
/// text the common name (`CN`) of its issuing CA must contain (ASCII case ignored), for some or
/// all document types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerRule {
    /// The document types the rule applies to; empty means every type (`*`).
    pub doc_types: Vec<DocTypeCode>,
    /// The signer's organisation, compared exactly.
    pub organization: String,
    /// Text the issuing CA's common name must contain.
    pub issuer_common_name_contains: String,
}

impl SignerRule {
    /// DigiLocker's signer for every document type: O=NATIONAL E-GOVERNANCE DIVISION, issued by
    /// a "Document Signer" sub-CA.
    pub fn digilocker_defaults() -> Vec<SignerRule> {
        vec![SignerRule {
            doc_types: Vec::new(),
            organization: NEGD_ORGANIZATION.to_owned(),
            issuer_common_name_contains: DOCUMENT_SIGNER_CA.to_owned(),
        }]
    }

    /// Whether the rule covers documents of `doc_type` (`None`: a document of unknown type,
    /// covered only by rules for every type).
    pub fn applies_to(&self, doc_type: Option<DocTypeCode>) -> bool {
        self.doc_types.is_empty() || doc_type.is_some_and(|t| self.doc_types.contains(&t))
    }

    /// Whether `signer` matches the rule.
    pub(crate) fn accepts(&self, signer: &Certificate) -> bool {
        let tbs = &signer.tbs_certificate;
        let organization = attribute_values(&tbs.subject, ORGANIZATION);
        let issuer_names = attribute_values(&tbs.issuer, COMMON_NAME);
        let wanted = self.issuer_common_name_contains.to_ascii_lowercase();
        organization.iter().any(|o| o == &self.organization)
            && issuer_names
                .iter()
                .any(|cn| cn.to_ascii_lowercase().contains(&wanted))
    }
}

impl fmt::Display for SignerRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let types = if self.doc_types.is_empty() {
            "*".to_owned()
        } else {
            self.doc_types
                .iter()
                .map(|t| t.api_name())
                .collect::<Vec<_>>()
                .join(",")
        };
        write!(
            f,
            "{types}|{}|{}",
            self.organization, self.issuer_common_name_contains
        )
    }
}

impl FromStr for SignerRule {
    type Err = SignerRuleError;

    /// `TYPES|ORGANIZATION|ISSUER_CN_CONTAINS`, where `TYPES` is `*` or a comma-separated list
    /// of `aadhaar`, `pan`, `driving_license`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('|').map(str::trim).collect();
        let [types, organization, issuer] = parts[..] else {
            return Err(SignerRuleError::Shape);
        };
        if organization.is_empty() || issuer.is_empty() {
            return Err(SignerRuleError::Empty);
        }
        let doc_types = if types == "*" {
            Vec::new()
        } else {
            types
                .split(',')
                .map(|t| {
                    let t = t.trim();
                    DocTypeCode::ALL
                        .into_iter()
                        .find(|c| c.api_name() == t)
                        .ok_or_else(|| SignerRuleError::DocType(t.to_owned()))
                })
                .collect::<Result<_, _>>()?
        };
        Ok(SignerRule {
            doc_types,
            organization: organization.to_owned(),
            issuer_common_name_contains: issuer.to_owned(),
        })
    }
}

/// Every value of attribute `oid` in `name`, as text (string types only).
fn attribute_values(name: &Name, oid: ObjectIdentifier) -> Vec<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .filter_map(|atv| {
            let bytes = atv.value.value();
            match atv.value.tag() {
                Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
                    std::str::from_utf8(bytes).ok().map(str::to_owned)
                }
                Tag::BmpString => {
                    let units: Vec<u16> = bytes
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16(&units).ok()
                }
                _ => None,
            }
        })
        .collect()
}

/// The document type a document declares: an e-Aadhaar (`KycRes`) or a `Certificate@type`.
pub(crate) fn declared_type(doc: &roxmltree::Document<'_>) -> Option<DocTypeCode> {
    if doc.descendants().any(|n| n.has_tag_name("KycRes")) {
        return Some(DocTypeCode::Aadhaar);
    }
    let declared = doc.root_element().attribute("type")?;
    DocTypeCode::ALL.into_iter().find(|t| t.code() == declared)
}
