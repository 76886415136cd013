//! Producing DigiLocker's enveloped signature over a whole document.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use roxmltree::{Document, Node};

use super::algorithms::{DigestMethod, SignatureMethod, DSIG_NS, ENVELOPED, EXC_C14N};
use super::c14n::{canonicalize, Canonicalization};
use super::xml::parse;
use super::{SignError, SigningIdentity};

/// Signs `xml` and returns it with `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`
/// appended as the last child of the root element, in DigiLocker's shape: exclusive C14N of
/// `SignedInfo`, `Reference URI=""` with only the enveloped-signature transform, a SHA-256
/// digest, `method`, and `KeyInfo/X509Data` holding each certificate of `identity` (signer
/// first) as an `X509SubjectName`/`X509Certificate` pair. Everything else in `xml`, the XML
/// declaration included, is kept byte for byte.
pub fn sign_enveloped(
    xml: &str,
    identity: &SigningIdentity,
    method: SignatureMethod,
) -> Result<String, SignError> {
    let doc = parse(xml).map_err(|r| SignError::Document(r.reason()))?;
    if doc
        .descendants()
        .any(|n| n.is_element() && n.tag_name().name() == "Signature")
    {
        return Err(SignError::AlreadySigned);
    }
    // With no canonicalisation transform, XML-DSig turns the node-set into octets with
    // inclusive C14N 1.0; the Signature is not in the document yet, so nothing is excluded.
    let content = canonicalize(doc.root(), &Canonicalization::Inclusive, None);
    let digest_method = DigestMethod::Sha256;
    let digest = STANDARD.encode(digest_method.digest(content.as_bytes()));
    let signed_info = format!(
        concat!(
            r#"<SignedInfo><CanonicalizationMethod Algorithm="{c14n}"/>"#,
            r#"<SignatureMethod Algorithm="{method}"/><Reference URI=""><Transforms>"#,
            r#"<Transform Algorithm="{enveloped}"/></Transforms>"#,
            r#"<DigestMethod Algorithm="{digest_method}"/><DigestValue>{digest}</DigestValue>"#,
            "</Reference></SignedInfo>"
        ),
        c14n = EXC_C14N,
        method = method.uri(),
        enveloped = ENVELOPED,
        digest_method = digest_method.uri(),
        digest = digest,
    );
    let canonical_signed_info = canonical_signed_info(&signed_info)?;
    let value = method.sign(identity.private_key(), canonical_signed_info.as_bytes())?;
    let mut signature = format!(r#"<Signature xmlns="{DSIG_NS}">{signed_info}"#);
    signature.push_str("<SignatureValue>");
    signature.push_str(&STANDARD.encode(value));
    signature.push_str("</SignatureValue><KeyInfo><X509Data>");
    for (subject, der) in identity.key_info_certificates()? {
        signature.push_str("<X509SubjectName>");
        signature.push_str(&escape_text(&subject));
        signature.push_str("</X509SubjectName><X509Certificate>");
        signature.push_str(&STANDARD.encode(der));
        signature.push_str("</X509Certificate>");
    }
    signature.push_str("</X509Data></KeyInfo></Signature>");
    Ok(append_to_root(xml, doc.root_element(), &signature))
}

/// `SignedInfo` as exclusive C14N renders it inside the `Signature` it will be placed in; the
/// exclusive form does not depend on the rest of the document.
fn canonical_signed_info(signed_info: &str) -> Result<String, SignError> {
    let wrapped = format!(r#"<Signature xmlns="{DSIG_NS}">{signed_info}</Signature>"#);
    let doc = Document::parse(&wrapped).map_err(|_| SignError::Document("malformed_xml"))?;
    let node = doc
        .root_element()
        .first_element_child()
        .ok_or(SignError::Document("malformed_xml"))?;
    let exclusive = Canonicalization::Exclusive {
        inclusive_prefixes: Vec::new(),
    };
    Ok(canonicalize(node, &exclusive, None))
}

/// Inserts `signature` just before the root's end tag (expanding `<root/>` if need be).
fn append_to_root(xml: &str, root: Node<'_, '_>, signature: &str) -> String {
    let range = root.range();
    let element = &xml[range.clone()];
    let mut out = String::with_capacity(xml.len() + signature.len() + 16);
    if let Some(open) = element.strip_suffix("/>") {
        let qname_end = open[1..]
            .find(|c: char| c.is_ascii_whitespace())
            .map_or(open.len(), |i| i + 1);
        out.push_str(&xml[..range.start]);
        out.push_str(open);
        out.push('>');
        out.push_str(signature);
        out.push_str("</");
        out.push_str(&open[1..qname_end]);
        out.push('>');
    } else {
        let close = range.start + element.rfind("</").unwrap_or(element.len());
        out.push_str(&xml[..close]);
        out.push_str(signature);
        out.push_str(&xml[close..range.end]);
    }
    out.push_str(&xml[range.end..]);
    out
}

fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
