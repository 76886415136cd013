//! Finding elements and attributes by local name, so namespaces never get in the way.

use super::ParseError;
use roxmltree::Node;

/// The first child element with this local name.
pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The first child element with this local name, or `Missing { what }`.
pub(super) fn require_child<'a, 'i>(
    node: Node<'a, 'i>,
    name: &str,
    what: &'static str,
) -> Result<Node<'a, 'i>, ParseError> {
    child(node, name).ok_or(ParseError::Missing { what })
}

/// An attribute's trimmed value; absent, empty and all-space values are all `None`.
pub(super) fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.attribute(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A required attribute's trimmed value, or `Missing { what }`.
pub(super) fn require_text(
    node: Node<'_, '_>,
    name: &str,
    what: &'static str,
) -> Result<String, ParseError> {
    text(node, name).ok_or(ParseError::Missing { what })
}

/// An optional attribute read with `read`; a value that does not read is `Invalid`.
pub(super) fn typed<T>(
    node: Node<'_, '_>,
    name: &str,
    what: &'static str,
    read: impl FnOnce(&str) -> Option<T>,
    problem: &'static str,
) -> Result<Option<T>, ParseError> {
    match text(node, name) {
        None => Ok(None),
        Some(v) => read(&v)
            .map(Some)
            .ok_or(ParseError::Invalid { what, problem }),
    }
}

/// All text inside an element (text and CDATA of every descendant), comments excluded.
pub(super) fn inner_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}
