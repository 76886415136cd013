//! Reading the granted `scope` string and DigiLocker document URIs.
//!
//! A granted scope lists one `issued/<uri>` entry per document the user consented to share,
//! next to plain scopes such as `files.issueddocs` or `userdetails`. A document URI is
//! `<issuerid>-<DOCTYPE>-<docid>`, where `DOCTYPE` is exactly five uppercase characters.

/// The document URIs granted by a space-separated scope string, in order.
pub(crate) fn granted_uris(scope: &str) -> Vec<String> {
    scope
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("issued/"))
        .filter(|uri| !uri.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The distinct doctypes of the documents granted by a scope string, in order of first grant.
pub(crate) fn granted_doctypes(scope: &str) -> Vec<String> {
    let mut doctypes: Vec<String> = Vec::new();
    for uri in granted_uris(scope) {
        if let Some(doctype) = doctype_of_uri(&uri) {
            if !doctypes.iter().any(|known| known == doctype) {
                doctypes.push(doctype.to_owned());
            }
        }
    }
    doctypes
}

/// The five-character doctype of a document URI (`in.gov.pan-PANCR-ABCDE1234F` → `PANCR`).
///
/// The issuer id comes first and never holds the doctype, so the first later `-` segment of
/// exactly five uppercase letters or digits is taken; a document id may contain hyphens.
pub fn doctype_of_uri(uri: &str) -> Option<&str> {
    uri.split('-').skip(1).find(|segment| {
        segment.len() == 5
            && segment
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && segment.bytes().any(|b| b.is_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::{doctype_of_uri, granted_doctypes, granted_uris};

    const SCOPE: &str = "files.issueddocs issued/in.gov.transport-DRVLC-GJ06001227 userdetails \
        issued/in.gov.transport-RVCER-GJ06J066 picture issued/in.gov.pan-PANCR-F2525N \
        issued/in.gov.transport-DRVLC-GJ06009999";

    #[test]
    fn granted_uris_are_the_issued_entries_of_the_scope() {
        assert_eq!(
            granted_uris(SCOPE),
            [
                "in.gov.transport-DRVLC-GJ06001227",
                "in.gov.transport-RVCER-GJ06J066",
                "in.gov.pan-PANCR-F2525N",
                "in.gov.transport-DRVLC-GJ06009999",
            ]
        );
    }

    #[test]
    fn granted_doctypes_are_distinct_and_in_grant_order() {
        assert_eq!(granted_doctypes(SCOPE), ["DRVLC", "RVCER", "PANCR"]);
        assert!(granted_doctypes("files.issueddocs partners.PANCR").is_empty());
    }

    #[test]
    fn the_doctype_is_the_five_character_segment_after_the_issuer() {
        assert_eq!(
            doctype_of_uri("in.gov.uidai-ADHAR-6b931b93940cbc7a25a185229dfb6538"),
            Some("ADHAR")
        );
        assert_eq!(
            doctype_of_uri("in.gov.cbse-HSCER-201412345678"),
            Some("HSCER")
        );
        assert_eq!(doctype_of_uri("some-org.in-PANCR-AB-12"), Some("PANCR"));
        assert_eq!(doctype_of_uri("no-doctype-here"), None);
    }
}
