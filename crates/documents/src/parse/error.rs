//! Why a document could not be parsed. Messages name elements, attributes and positions only,
//! never document values, so they are safe to log.

/// A document could not be turned into its normalised model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input is larger than [`super::MAX_INPUT_BYTES`].
    #[error("document is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },
    /// The input is not UTF-8 text.
    #[error("document is not UTF-8")]
    NotUtf8,
    /// The input has a DOCTYPE (and so possibly entities); such documents are refused outright.
    #[error("document type declarations (DOCTYPE, entities) are refused")]
    DtdRefused,
    /// The input has more nodes, attributes or namespaces than any real document.
    #[error("document has too many nodes, attributes or namespaces")]
    TooComplex,
    /// The input is not well-formed XML.
    #[error("malformed XML ({problem}) at line {line}, column {column}")]
    MalformedXml {
        /// What is wrong, in general terms.
        problem: &'static str,
        /// 1-based line of the problem.
        line: u32,
        /// 1-based column of the problem.
        column: u32,
    },
    /// The root element is not the one this document type has.
    #[error("root element is not {expected}")]
    WrongRoot {
        /// The root element(s) accepted.
        expected: &'static str,
    },
    /// `Certificate@type` names another document type.
    #[error("Certificate@type is not {expected}")]
    WrongType {
        /// The doctype code expected.
        expected: &'static str,
    },
    /// A required element or attribute is absent or empty.
    #[error("{what} is missing")]
    Missing {
        /// The element path or `Element@attribute`.
        what: &'static str,
    },
    /// An element or attribute is present but its value cannot be read.
    #[error("{what} is invalid: {problem}")]
    Invalid {
        /// The element path or `Element@attribute`.
        what: &'static str,
        /// What is wrong with the value, without repeating it.
        problem: &'static str,
    },
}

impl From<roxmltree::Error> for ParseError {
    fn from(e: roxmltree::Error) -> Self {
        use roxmltree::Error as E;
        // Several variants carry text from the input (names, characters); keep only the kind.
        let problem = match &e {
            E::DtdDetected => return ParseError::DtdRefused,
            E::NodesLimitReached | E::AttributesLimitReached | E::NamespacesLimitReached => {
                return ParseError::TooComplex
            }
            E::UnexpectedEndOfStream | E::UnclosedRootNode => "unexpected end of document",
            E::NoRootNode => "no root element",
            E::UnexpectedCloseTag(..) => "mismatched closing tag",
            E::UnknownEntityReference(..)
            | E::MalformedEntityReference(..)
            | E::EntityReferenceLoop(..)
            | E::UnexpectedEntityCloseTag(..) => "bad entity reference",
            E::DuplicatedAttribute(..) => "duplicated attribute",
            E::InvalidXmlPrefixUri(..)
            | E::UnexpectedXmlUri(..)
            | E::UnexpectedXmlnsUri(..)
            | E::InvalidElementNamePrefix(..)
            | E::DuplicatedNamespace(..)
            | E::UnknownNamespace(..) => "bad namespace",
            E::NonXmlChar(..) => "character not allowed in XML",
            _ => "syntax error",
        };
        let pos = e.pos();
        ParseError::MalformedXml {
            problem,
            line: pos.row,
            column: pos.col,
        }
    }
}
