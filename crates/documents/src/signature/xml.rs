//! Parsing untrusted XML before anything else looks at it: size, DTD, well-formedness, nesting.

use roxmltree::{Document, ParsingOptions};

/// The largest document accepted for signing or verification (a real e-Aadhaar with a photo is
/// tens of kilobytes).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// The deepest element nesting accepted; DigiLocker documents are five or six levels deep.
pub const MAX_NESTING_DEPTH: usize = 64;
const MAX_NODES: u32 = 1_000_000;

/// Why a document was refused before its signature was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XmlRefusal {
    TooLarge,
    DtdForbidden,
    Malformed,
    TooDeep,
}

impl XmlRefusal {
    /// The reason as reported in a [`super::VerificationReport`].
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::TooLarge => "document_too_large",
            Self::DtdForbidden => "dtd_forbidden",
            Self::Malformed => "malformed_xml",
            Self::TooDeep => "nesting_too_deep",
        }
    }
}

/// Decodes `bytes` as UTF-8 (dropping a byte-order mark) and parses it.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, XmlRefusal> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlRefusal::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| XmlRefusal::Malformed)?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Parses `text`, refusing any document type declaration (so no entities, external or
/// recursive, are ever expanded), oversized input and pathological nesting.
pub(crate) fn parse(text: &str) -> Result<Document<'_>, XmlRefusal> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(XmlRefusal::TooLarge);
    }
    // roxmltree accepts an empty `<!DOCTYPE x>`; refuse every form before parsing.
    if text.contains("<!DOCTYPE") {
        return Err(XmlRefusal::DtdForbidden);
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => XmlRefusal::DtdForbidden,
        _ => XmlRefusal::Malformed,
    })?;
    check_depth(&doc)?;
    Ok(doc)
}

/// Nodes come in document order, parents first, so one pass computes every depth.
fn check_depth(doc: &Document<'_>) -> Result<(), XmlRefusal> {
    let mut depth = vec![0usize; doc.descendants().count()];
    for node in doc.descendants().skip(1) {
        let parent = node.parent().map_or(0, |p| depth[p.id().get_usize()]);
        let own = parent + 1;
        if own > MAX_NESTING_DEPTH {
            return Err(XmlRefusal::TooDeep);
        }
        depth[node.id().get_usize()] = own;
    }
    Ok(())
}
