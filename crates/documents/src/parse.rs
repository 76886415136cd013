//! Parsing DigiLocker document XML into the normalised models of [`crate::model`].
//!
//! The parser is defensive: input size and node count are capped, any DOCTYPE is refused (so no
//! entity expansion or external entity can happen), elements are matched by local name, and no
//! input makes it panic. Errors name the element or attribute at fault, never its value.

mod aadhaar;
mod certificate;
mod error;
mod tree;
mod values;

#[cfg(test)]
mod tests;

pub use error::ParseError;
pub use values::{parse_dob, parse_gender};

use crate::model::{Aadhaar, DocTypeCode, Document, DrivingLicence, Pan};
use roxmltree::ParsingOptions;

/// The largest document accepted, in bytes (real ones are under 100 KiB, photo included).
pub const MAX_INPUT_BYTES: usize = 5 * 1024 * 1024;

/// The most XML nodes accepted in one document.
const MAX_NODES: u32 = 100_000;

/// Parses a document of the given type into its normalised model.
pub fn parse(doc_type: DocTypeCode, xml: &[u8]) -> Result<Document, ParseError> {
    Ok(match doc_type {
        DocTypeCode::Aadhaar => Document::Aadhaar(Box::new(parse_aadhaar(xml)?)),
        DocTypeCode::Pan => Document::Pan(parse_pan(xml)?),
        DocTypeCode::DrivingLicence => Document::DrivingLicence(parse_driving_licence(xml)?),
    })
}

/// Parses e-Aadhaar XML (a `Certificate` wrapping `KycRes`, or a bare `KycRes`).
pub fn parse_aadhaar(xml: &[u8]) -> Result<Aadhaar, ParseError> {
    with_root(xml, aadhaar::from_root)
}

/// Parses a PAN verification record (`Certificate type="PANCR"`).
pub fn parse_pan(xml: &[u8]) -> Result<Pan, ParseError> {
    with_root(xml, certificate::pan)
}

/// Parses a driving licence (`Certificate type="DRVLC"`).
pub fn parse_driving_licence(xml: &[u8]) -> Result<DrivingLicence, ParseError> {
    with_root(xml, certificate::driving_licence)
}

/// Checks the raw input, builds the tree and hands its root element to `read`.
fn with_root<T>(
    xml: &[u8],
    read: impl FnOnce(roxmltree::Node<'_, '_>) -> Result<T, ParseError>,
) -> Result<T, ParseError> {
    if xml.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge {
            limit: MAX_INPUT_BYTES,
        });
    }
    // roxmltree refuses non-empty DTDs itself; refusing every DOCTYPE (even an empty one) keeps
    // the rule simple to state and to test.
    if xml.windows(9).any(|w| w.eq_ignore_ascii_case(b"<!DOCTYPE")) {
        return Err(ParseError::DtdRefused);
    }
    let text = std::str::from_utf8(xml).map_err(|_| ParseError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let doc = roxmltree::Document::parse_with_options(text, options)?;
    read(doc.root_element())
}
