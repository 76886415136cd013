//! A minimal single-page PDF writer for the simulator's document downloads.
//!
//! Real DigiLocker serves the issuer's PDF; the simulator only needs a small, valid PDF that
//! viewers open and that carries the document's key fields as text.

/// Builds a one-page A4 PDF with a title, an issuer line and `label: value` lines.
pub(crate) fn document(title: &str, issuer: &str, lines: &[(&str, String)]) -> Vec<u8> {
    let mut content = String::new();
    content.push_str(&text_line("F2", 18, 780, title));
    content.push_str(&text_line("F1", 10, 760, &format!("Issued by {issuer}")));
    content.push_str(&text_line(
        "F1",
        8,
        746,
        "Synthetic document from the DigiLocker simulator. Not valid for any purpose.",
    ));
    let mut y = 710;
    for (label, value) in lines {
        content.push_str(&text_line("F2", 11, y, &format!("{label}:")));
        content.push_str(&text_line_at("F1", 11, 200, y, value));
        y -= 22;
    }

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

fn text_line(font: &str, size: u32, y: u32, text: &str) -> String {
    text_line_at(font, size, 50, y, text)
}

fn text_line_at(font: &str, size: u32, x: u32, y: u32, text: &str) -> String {
    format!(
        "BT /{font} {size} Tf {x} {y} Td ({}) Tj ET\n",
        pdf_string(text)
    )
}

/// Escapes a PDF literal string; characters outside ASCII become `?` (the standard fonts are Latin).
fn pdf_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            ' '..='~' => out.push(ch),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_has_a_header_trailer_and_correct_xref_offsets() {
        let bytes = document("Title (x)", "Issuer", &[("Name", "Asha \\ Verma".into())]);
        let text = String::from_utf8(bytes).expect("ascii");
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        assert!(text.contains("(Title \\(x\\)) Tj"));
        assert!(text.contains("(Asha \\\\ Verma) Tj"));
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(text[xref_at..].starts_with("xref\n"));
        for (i, line) in text[xref_at..].lines().skip(3).take(6).enumerate() {
            let offset: usize = line[..10].parse().expect("offset");
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn non_latin_text_is_replaced() {
        assert_eq!(pdf_string("आशा A"), "??? A");
    }
}
