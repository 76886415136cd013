//! Canonicalisation against vectors produced by libxml2 (see `testdata/signature/c14n/README.md`).

use std::path::{Path, PathBuf};

use roxmltree::Document;

use super::{canonicalize, Canonicalization};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/signature/c14n")
}

fn read(name: &str) -> String {
    let path = vectors_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn exclusive(prefixes: &[&str]) -> Canonicalization {
    Canonicalization::Exclusive {
        inclusive_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn vector_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("vectors directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".xml").map(str::to_owned))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "expected the committed c14n vectors");
    names
}

#[test]
fn whole_documents_canonicalise_exactly_as_libxml2_does() {
    for name in vector_names() {
        let input = read(&format!("{name}.xml"));
        let doc = Document::parse(&input).expect("vector parses");
        let exc = canonicalize(doc.root(), &exclusive(&[]), None);
        assert_eq!(
            exc,
            read(&format!("{name}.exc")),
            "exclusive c14n of {name}"
        );
        let inc = canonicalize(doc.root(), &Canonicalization::Inclusive, None);
        assert_eq!(
            inc,
            read(&format!("{name}.inc")),
            "inclusive c14n of {name}"
        );
    }
}

#[test]
fn subtrees_canonicalise_exactly_as_libxml2_does() {
    let mut checked = 0;
    for name in vector_names() {
        let input = read(&format!("{name}.xml"));
        let doc = Document::parse(&input).expect("vector parses");
        let Some(target) = doc.descendants().find(|n| n.tag_name().name() == "target") else {
            continue;
        };
        let cases = [
            ("subtree.exc", exclusive(&[])),
            ("subtree.exc-prefixes", exclusive(&["x", "t"])),
            ("subtree.inc", Canonicalization::Inclusive),
        ];
        for (suffix, method) in cases {
            let expected = read(&format!("{name}.{suffix}"));
            assert_eq!(
                canonicalize(target, &method, None),
                expected,
                "{name}.{suffix}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 6);
}

#[test]
fn an_excluded_subtree_leaves_no_trace_but_its_surrounding_text() {
    let input = "<a>x<b>gone</b>y<c/></a>";
    let doc = Document::parse(input).expect("parses");
    let b = doc.descendants().find(|n| n.has_tag_name("b")).expect("b");
    let out = canonicalize(doc.root(), &exclusive(&[]), Some(b.id()));
    assert_eq!(out, "<a>xy<c></c></a>");
}

#[test]
fn comments_are_not_part_of_the_canonical_form() {
    let doc = Document::parse("<!--top--><a>SAM<!---->PLE</a><!--end-->").expect("parses");
    assert_eq!(
        canonicalize(doc.root(), &exclusive(&[]), None),
        "<a>SAMPLE</a>"
    );
}

#[test]
fn a_default_namespace_in_the_prefix_list_is_rendered_where_it_is_in_scope() {
    let input = r#"<r xmlns="urn:d" xmlns:u="urn:u"><t><u:x/></t></r>"#;
    let doc = Document::parse(input).expect("parses");
    let t = doc
        .descendants()
        .find(|n| n.has_tag_name(("urn:d", "t")))
        .expect("t");
    assert_eq!(
        canonicalize(t, &exclusive(&[""]), None),
        r#"<t xmlns="urn:d"><u:x xmlns:u="urn:u"></u:x></t>"#
    );
    assert_eq!(
        canonicalize(t, &exclusive(&["u"]), None),
        r#"<t xmlns="urn:d" xmlns:u="urn:u"><u:x></u:x></t>"#
    );
}
