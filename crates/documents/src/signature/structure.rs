//! Reading a `Signature` element strictly: exactly DigiLocker's shape, or a refusal.
//!
//! Only the elements XML-DSig defines may appear, in their order, each at most as often as this
//! verifier can honour: one `Reference` to the whole document, the enveloped-signature transform
//! optionally followed by a canonicalisation, and `KeyInfo/X509Data` certificates. Anything else
//! (an `Object`, a second `Reference`, an unknown transform or algorithm, stray text) is refused,
//! so that nothing unsigned can hide inside the signature.

use base64::Engine as _;
use roxmltree::{Node, NodeType};

use super::algorithms::{DigestMethod, SignatureMethod, DSIG_NS, ENVELOPED, EXC_C14N};
use super::c14n::Canonicalization;
use super::report::VerificationReport;

/// What a well-formed, supported `Signature` says.
pub(crate) struct SignatureParts<'a, 'input> {
    pub(crate) signed_info: Node<'a, 'input>,
    pub(crate) canonicalization: Canonicalization,
    pub(crate) method: SignatureMethod,
    /// How the referenced document is turned into octets: the explicit canonicalisation
    /// transform, or inclusive C14N 1.0 as XML-DSig prescribes when there is none.
    pub(crate) reference_canonicalization: Canonicalization,
    pub(crate) digest: DigestMethod,
    pub(crate) digest_value: Vec<u8>,
    pub(crate) signature_value: Vec<u8>,
    pub(crate) certificates: Vec<Vec<u8>>,
}

const MALFORMED: &str = "malformed_signature";
/// DigiLocker sends four; more would only make chain building expensive.
const MAX_CERTIFICATES: usize = 10;
const UNSUPPORTED: &str = "unsupported_algorithm";

/// Reads `signature`, recording the algorithms it names in `report` as they are found.
pub(crate) fn read<'a, 'input>(
    signature: Node<'a, 'input>,
    report: &mut VerificationReport,
) -> Result<SignatureParts<'a, 'input>, &'static str> {
    let parts = children(signature)?;
    let (signed_info, signature_value, key_info) = match parts.as_slice() {
        [si, sv] if named(si, "SignedInfo") && named(sv, "SignatureValue") => (*si, *sv, None),
        [si, sv, ki]
            if named(si, "SignedInfo") && named(sv, "SignatureValue") && named(ki, "KeyInfo") =>
        {
            (*si, *sv, Some(*ki))
        }
        _ => return Err(MALFORMED),
    };
    let info = children(signed_info)?;
    let (c14n_method, sig_method, reference) = match info.as_slice() {
        [c, s, r] if starts_signed_info(c, s) => (*c, *s, *r),
        [c, s, references @ ..]
            if starts_signed_info(c, s) && references.iter().all(|r| named(r, "Reference")) =>
        {
            return Err("multiple_references")
        }
        _ => return Err(MALFORMED),
    };
    if !named(&reference, "Reference") {
        return Err(MALFORMED);
    }
    report.canonicalization = Some(algorithm(c14n_method)?.to_owned());
    let canonicalization = canonicalization(c14n_method)?;
    let method_uri = algorithm(sig_method)?;
    report.signature_method = Some(method_uri.to_owned());
    let method = SignatureMethod::from_uri(method_uri).ok_or(UNSUPPORTED)?;
    if !children(sig_method)?.is_empty() {
        return Err(UNSUPPORTED);
    }
    if reference.attribute("URI") != Some("") {
        return Err("reference_not_whole_document");
    }
    let (reference_canonicalization, digest_node, digest_value) =
        match children(reference)?.as_slice() {
            [t, m, v] if named(t, "Transforms") && named(m, "DigestMethod") => {
                (transforms(*t)?, *m, *v)
            }
            // Without the enveloped-signature transform the digest would cover itself.
            [m, _] if named(m, "DigestMethod") => return Err(UNSUPPORTED),
            _ => return Err(MALFORMED),
        };
    let digest_uri = algorithm(digest_node)?;
    report.digest_method = Some(digest_uri.to_owned());
    let digest = DigestMethod::from_uri(digest_uri).ok_or(UNSUPPORTED)?;
    if !named(&digest_value, "DigestValue") {
        return Err(MALFORMED);
    }
    Ok(SignatureParts {
        signed_info,
        canonicalization,
        method,
        reference_canonicalization,
        digest,
        digest_value: base64_content(digest_value)?,
        signature_value: base64_content(signature_value)?,
        certificates: match key_info {
            Some(key_info) => certificates(key_info)?,
            None => Vec::new(),
        },
    })
}

/// The element children of `node`; any other content except whitespace and comments is refused.
fn children<'a, 'input>(node: Node<'a, 'input>) -> Result<Vec<Node<'a, 'input>>, &'static str> {
    let mut elements = Vec::new();
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => elements.push(child),
            NodeType::Text if child.text().unwrap_or_default().trim().is_empty() => {}
            NodeType::Comment => {}
            _ => return Err(MALFORMED),
        }
    }
    Ok(elements)
}

fn starts_signed_info(first: &Node<'_, '_>, second: &Node<'_, '_>) -> bool {
    named(first, "CanonicalizationMethod") && named(second, "SignatureMethod")
}

fn named(node: &Node<'_, '_>, local: &str) -> bool {
    node.tag_name().namespace() == Some(DSIG_NS) && node.tag_name().name() == local
}

fn algorithm<'a>(node: Node<'a, '_>) -> Result<&'a str, &'static str> {
    node.attribute("Algorithm").ok_or(MALFORMED)
}

/// A canonicalisation method or transform element, with its optional prefix list.
fn canonicalization(node: Node<'_, '_>) -> Result<Canonicalization, &'static str> {
    let uri = algorithm(node)?;
    let parameters = children(node)?;
    if uri == Canonicalization::Inclusive.uri() && parameters.is_empty() {
        return Ok(Canonicalization::Inclusive);
    }
    if uri != EXC_C14N {
        return Err(UNSUPPORTED);
    }
    let inclusive_prefixes = match parameters.as_slice() {
        [] => Vec::new(),
        [list]
            if list.tag_name().namespace() == Some(EXC_C14N)
                && list.tag_name().name() == "InclusiveNamespaces" =>
        {
            let prefixes = list.attribute("PrefixList").unwrap_or_default();
            prefixes
                .split_ascii_whitespace()
                .map(|p| {
                    if p == "#default" {
                        String::new()
                    } else {
                        p.to_owned()
                    }
                })
                .collect()
        }
        _ => return Err(UNSUPPORTED),
    };
    Ok(Canonicalization::Exclusive { inclusive_prefixes })
}

/// The enveloped-signature transform, optionally followed by one canonicalisation.
fn transforms(node: Node<'_, '_>) -> Result<Canonicalization, &'static str> {
    let list = children(node)?;
    if !list.iter().all(|t| named(t, "Transform")) {
        return Err(MALFORMED);
    }
    match list.as_slice() {
        [enveloped] if algorithm(*enveloped)? == ENVELOPED => Ok(Canonicalization::Inclusive),
        [enveloped, c14n] if algorithm(*enveloped)? == ENVELOPED => canonicalization(*c14n),
        _ => Err(UNSUPPORTED),
    }
}

/// Every `KeyInfo/X509Data/X509Certificate`, DER-decoded from base64.
fn certificates(key_info: Node<'_, '_>) -> Result<Vec<Vec<u8>>, &'static str> {
    let mut found = Vec::new();
    for data in children(key_info)? {
        if !named(&data, "X509Data") {
            return Err(MALFORMED);
        }
        for item in children(data)? {
            if named(&item, "X509Certificate") {
                if found.len() == MAX_CERTIFICATES {
                    return Err("too_many_certificates");
                }
                found.push(base64_content(item)?);
            } else if !["X509SubjectName", "X509IssuerSerial", "X509SKI"]
                .iter()
                .any(|n| named(&item, n))
            {
                return Err(MALFORMED);
            }
        }
    }
    Ok(found)
}

/// The base64 text content of a leaf element, whitespace ignored.
fn base64_content(node: Node<'_, '_>) -> Result<Vec<u8>, &'static str> {
    if node.children().any(|c| c.is_element()) {
        return Err(MALFORMED);
    }
    let text: String = node
        .children()
        .filter(|c| c.is_text())
        .flat_map(|c| c.text().unwrap_or_default().chars())
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| MALFORMED)
}
