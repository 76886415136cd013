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
    check_depth(text)?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => XmlRefusal::DtdForbidden,
        _ => XmlRefusal::Malformed,
    })?;
    Ok(doc)
}

/// Fails when elements nest deeper than [`MAX_NESTING_DEPTH`]. This runs on the raw text, before
/// parsing, because the parser recurses once per open element and 10⁵ nested elements would
/// exhaust the stack. It follows the tokens the parser follows: comments, CDATA sections and
/// processing instructions are skipped whole, and `>` inside quoted attribute values is not an
/// end of tag. Malformed input it cannot follow is left to the parser to refuse.
fn check_depth(text: &str) -> Result<(), XmlRefusal> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
        let start = at + offset;
        let rest = &text[start..];
        let skip_past = |end: &str| {
            rest.find(end)
                .map_or(bytes.len(), |i| start + i + end.len())
        };
        at = if rest.starts_with("<!--") {
            skip_past("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_past("]]>")
        } else if rest.starts_with("<?") {
            skip_past("?>")
        } else if rest.starts_with("</") || rest.starts_with("<!") {
            depth = depth.saturating_sub(usize::from(rest.starts_with("</")));
            start + 2
        } else {
            let (end, self_closing) = end_of_start_tag(bytes, start);
            if !self_closing {
                depth += 1;
                if depth > MAX_NESTING_DEPTH {
                    return Err(XmlRefusal::TooDeep);
                }
            }
            end
        };
    }
    Ok(())
}

/// The index just past the `>` ending the start tag at `start`, and whether it was `/>`.
fn end_of_start_tag(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return (i + 1, bytes[i - 1] == b'/'),
            _ => {}
        }
    }
    (bytes.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize, inner: &str) -> String {
        format!("{}{inner}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_one_more_is_refused() {
        assert!(parse(&nested(MAX_NESTING_DEPTH, "<b/>")).is_ok());
        let too_deep = nested(MAX_NESTING_DEPTH + 1, "");
        assert_eq!(parse(&too_deep).err(), Some(XmlRefusal::TooDeep));
    }

    #[test]
    fn markup_inside_comments_cdata_pis_and_attribute_values_does_not_count_as_nesting() {
        let noise = "<x>".repeat(100);
        let inner = format!("<!--{noise}--><![CDATA[{noise}]]><?pi {noise}?><c v=\"a>b\" w='>'/>");
        assert!(parse(&nested(MAX_NESTING_DEPTH, &inner)).is_ok());
    }

    #[test]
    fn every_doctype_is_refused_before_parsing() {
        for xml in [
            "<!DOCTYPE a><a/>",
            "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
        ] {
            assert_eq!(parse(xml).err(), Some(XmlRefusal::DtdForbidden));
        }
    }
}
