//! Escaping of interpolated values for HTML pages and XML attributes.
//!
//! One function serves both: it escapes the five markup characters, writes tabs and line breaks
//! as character references (so XML attribute normalisation keeps them), and drops the control
//! characters XML 1.0 cannot carry at all.

/// Escapes `value` for use in HTML text, HTML attribute values (quoted) or XML attribute values.
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>Tom & Jerry</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;"
        );
    }

    #[test]
    fn line_breaks_survive_and_other_controls_are_dropped() {
        assert_eq!(escape("a\nb\tc\u{0}d\u{7}"), "a&#10;b&#9;cd");
    }

    #[test]
    fn non_ascii_text_is_kept() {
        assert_eq!(escape("आशा वर्मा"), "आशा वर्मा");
    }
}
