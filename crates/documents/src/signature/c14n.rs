//! XML canonicalisation without comments over a `roxmltree` tree: exclusive C14N 1.0 (with an
//! optional `InclusiveNamespaces` prefix list) and inclusive Canonical XML 1.0.
//!
//! The input is either the document node (the whole document, what `Reference URI=""` selects)
//! or one element and its subtree (what `SignedInfo` canonicalisation selects). One subtree can be
//! left out, which is how the enveloped-signature transform removes the `Signature` element.
//! Recursion depth is bounded by the nesting limit every parsed document is checked against.

use roxmltree::{Node, NodeId, NodeType};

use super::algorithms::{C14N_10, EXC_C14N};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Which canonical form to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Canonicalization {
    /// Canonical XML 1.0: every in-scope namespace is rendered where it first appears.
    Inclusive,
    /// Exclusive C14N: only visibly utilised namespaces, plus those whose prefixes are listed
    /// (`""` stands for `#default`), which follow the inclusive rule.
    Exclusive { inclusive_prefixes: Vec<String> },
}

impl Canonicalization {
    /// The algorithm URI as it appears in `CanonicalizationMethod` or `Transform`.
    pub(crate) fn uri(&self) -> &'static str {
        match self {
            Self::Inclusive => C14N_10,
            Self::Exclusive { .. } => EXC_C14N,
        }
    }
}

/// The canonical form of `node` (the document node or an element), leaving out `exclude`.
pub(crate) fn canonicalize(
    node: Node<'_, '_>,
    method: &Canonicalization,
    exclude: Option<NodeId>,
) -> String {
    let mut writer = Writer {
        method,
        exclude,
        input: node.document().input_text(),
        out: String::with_capacity(node.range().len()),
        rendered: Vec::new(),
    };
    if node.node_type() == NodeType::Root {
        writer.document(node);
    } else {
        writer.element(node, true);
    }
    writer.out
}

struct Writer<'m, 'i> {
    method: &'m Canonicalization,
    exclude: Option<NodeId>,
    input: &'i str,
    out: String,
    /// Namespace declarations in effect in the output, innermost last: `(prefix, uri)`.
    rendered: Vec<(String, String)>,
}

impl Writer<'_, '_> {
    fn document(&mut self, root: Node<'_, '_>) {
        let mut after_element = false;
        for child in root.children() {
            match child.node_type() {
                NodeType::Element => {
                    self.element(child, false);
                    after_element = true;
                }
                NodeType::PI => {
                    if after_element {
                        self.out.push('\n');
                    }
                    self.pi(child);
                    if !after_element {
                        self.out.push('\n');
                    }
                }
                // Comments are dropped; text outside the document element is not part of it.
                _ => {}
            }
        }
    }

    fn element(&mut self, node: Node<'_, '_>, apex: bool) {
        if Some(node.id()) == self.exclude {
            return;
        }
        let qname = element_qname(self.input, node);
        let declarations = self.namespace_declarations(node, prefix_of(qname));
        let mark = self.rendered.len();
        self.out.push('<');
        self.out.push_str(qname);
        for (prefix, uri) in declarations {
            self.out.push_str(if prefix.is_empty() {
                " xmlns"
            } else {
                " xmlns:"
            });
            self.out.push_str(&prefix);
            self.out.push_str("=\"");
            escape_attribute(&mut self.out, &uri);
            self.out.push('"');
            self.rendered.push((prefix, uri));
        }
        for (qname, value) in self.attributes(node, apex) {
            self.out.push(' ');
            self.out.push_str(&qname);
            self.out.push_str("=\"");
            escape_attribute(&mut self.out, &value);
            self.out.push('"');
        }
        self.out.push('>');
        for child in node.children() {
            match child.node_type() {
                NodeType::Element => self.element(child, false),
                NodeType::Text => escape_text(&mut self.out, child.text().unwrap_or_default()),
                NodeType::PI => self.pi(child),
                _ => {}
            }
        }
        self.out.push_str("</");
        self.out.push_str(qname);
        self.out.push('>');
        self.rendered.truncate(mark);
    }

    fn pi(&mut self, node: Node<'_, '_>) {
        if let Some(pi) = node.pi() {
            self.out.push_str("<?");
            self.out.push_str(pi.target);
            if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                self.out.push(' ');
                self.out.push_str(value);
            }
            self.out.push_str("?>");
        }
    }

    /// The `(prefix, uri)` declarations to render on `node`, sorted by prefix.
    fn namespace_declarations(
        &self,
        node: Node<'_, '_>,
        element_prefix: &str,
    ) -> Vec<(String, String)> {
        let in_scope = |prefix: &str| -> Option<&str> {
            node.namespaces()
                .find(|ns| ns.name().unwrap_or_default() == prefix)
                .map(|ns| ns.uri())
        };
        let mut candidates: Vec<String> = match self.method {
            Canonicalization::Inclusive => node
                .namespaces()
                .map(|ns| ns.name().unwrap_or_default().to_owned())
                .chain(std::iter::once(String::new()))
                .collect(),
            Canonicalization::Exclusive { inclusive_prefixes } => {
                let mut used = vec![element_prefix.to_owned()];
                for attr in node.attributes() {
                    let prefix = prefix_of(&self.input[attr.range_qname()]);
                    if !prefix.is_empty() {
                        used.push(prefix.to_owned());
                    }
                }
                used.extend(inclusive_prefixes.iter().cloned());
                used
            }
        };
        candidates.sort();
        candidates.dedup();
        let mut declarations = Vec::new();
        for prefix in candidates {
            if prefix == "xml" {
                continue;
            }
            let uri = match in_scope(&prefix) {
                Some(uri) => uri,
                // An unbound default namespace is rendered as xmlns="" only to undo one in effect.
                None if prefix.is_empty() => "",
                None => continue,
            };
            if self.in_effect(&prefix) != uri {
                declarations.push((prefix, uri.to_owned()));
            }
        }
        declarations
    }

    fn in_effect(&self, prefix: &str) -> &str {
        self.rendered
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map_or("", |(_, uri)| uri.as_str())
    }

    /// The attributes as `(qname, value)`, sorted by namespace URI then local name. At the apex
    /// of an inclusive canonicalisation, `xml:*` attributes are inherited from the ancestors.
    fn attributes(&self, node: Node<'_, '_>, apex: bool) -> Vec<(String, String)> {
        let mut keyed: Vec<((String, String), (String, String))> = node
            .attributes()
            .map(|a| {
                let key = (
                    a.namespace().unwrap_or_default().to_owned(),
                    a.name().to_owned(),
                );
                let qname = self.input[a.range_qname()].to_owned();
                (key, (qname, a.value().to_owned()))
            })
            .collect();
        if apex && *self.method == Canonicalization::Inclusive {
            for ancestor in node.ancestors().skip(1).filter(|n| n.is_element()) {
                for a in ancestor.attributes() {
                    let key = (XML_NS.to_owned(), a.name().to_owned());
                    if a.namespace() == Some(XML_NS) && !keyed.iter().any(|(k, _)| *k == key) {
                        keyed.push((key, (format!("xml:{}", a.name()), a.value().to_owned())));
                    }
                }
            }
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.into_iter().map(|(_, attr)| attr).collect()
    }
}

/// The element's qualified name as written in the source (`<qname ...`).
fn element_qname<'i>(input: &'i str, node: Node<'_, '_>) -> &'i str {
    let start = &input[node.range().start + 1..];
    let end = start
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(start.len());
    &start[..end]
}

fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(prefix, _)| prefix)
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

fn escape_attribute(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
#[path = "c14n_tests.rs"]
mod tests;
