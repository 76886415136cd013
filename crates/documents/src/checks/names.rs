//! Name normalisation: case, spacing, punctuation, titles and common transliteration variants.

/// Titles dropped from the front of a name (lowercase, punctuation already removed). Ambiguous
/// abbreviations such as `Sh` and `Km`, which are also initials, are deliberately absent.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mst", "master", "smt", "shri", "shree", "sri", "sree", "kumari",
    "dr", "late", "lt", "prof", "capt", "col",
];

/// Spellings of one name that share no simple letter rule, mapped to one form.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "muhammad",
        &[
            "mohammed", "mohammad", "muhammed", "mohamed", "mohamad", "muhamad", "mohmad",
            "mohmmad", "mohd", "md",
        ],
    ),
    (
        "chaudhari",
        &[
            "chaudhary",
            "choudhary",
            "choudhari",
            "chowdhury",
            "chowdhary",
            "chaudhry",
        ],
    ),
];

/// Letter groups that Indian names are romanised with interchangeably, rewritten in order.
const REWRITES: &[(&str, &str)] = &[
    ("ph", "f"),
    ("sh", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("ee", "i"),
    ("oo", "u"),
    ("aa", "a"),
];

/// Names longer than this many words are compared on their first words only, bounding the work.
const MAX_TOKENS: usize = 16;

/// A name split into words, each kept as written, lowercased and in canonical spelling.
#[derive(Clone)]
pub(super) struct Name {
    /// The words as written (for quoting in reasons).
    pub(super) shown: Vec<String>,
    /// The words lowercased.
    pub(super) lower: Vec<String>,
    /// The words after transliteration rewrites.
    pub(super) canon: Vec<String>,
    /// Whether leading titles were removed.
    pub(super) had_title: bool,
}

impl Name {
    /// Splits a name into words; with `strip_titles`, leading titles are dropped (never the last
    /// word).
    pub(super) fn new(raw: &str, strip_titles: bool) -> Self {
        let mut shown: Vec<String> = raw
            .chars()
            .filter(|c| !matches!(c, '\'' | '\u{2019}' | '`'))
            .map(|c| if is_separator(c) { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .take(MAX_TOKENS)
            .map(str::to_owned)
            .collect();
        let mut had_title = false;
        while strip_titles && shown.len() > 1 && TITLES.contains(&shown[0].to_lowercase().as_str())
        {
            shown.remove(0);
            had_title = true;
        }
        let lower: Vec<String> = shown.iter().map(|w| w.to_lowercase()).collect();
        let canon = lower.iter().map(|w| canonical(w)).collect();
        Name {
            shown,
            lower,
            canon,
            had_title,
        }
    }

    /// Whether nothing is left to compare.
    pub(super) fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// A total order on names, used to make pairwise comparison independent of argument order.
    pub(super) fn sort_key(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        (self.canon.clone(), self.lower.clone(), self.shown.clone())
    }
}

/// Whether a name has any word to compare once punctuation and titles are gone.
pub(super) fn is_comparable(raw: &str) -> bool {
    !Name::new(raw, true).is_empty()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || (c.is_ascii() && !c.is_ascii_alphanumeric())
        || matches!(c, '\u{2010}'..='\u{2027}' | '\u{0964}' | '\u{0965}')
}

/// The canonical spelling of one lowercase word.
fn canonical(word: &str) -> String {
    let base = ALIASES
        .iter()
        .find(|(_, variants)| variants.contains(&word))
        .map_or(word, |(canon, _)| canon);
    let mut s = base.to_owned();
    for (from, to) in REWRITES {
        s = s.replace(from, to);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{canonical, Name};

    #[test]
    fn transliteration_variants_share_a_canonical_spelling() {
        for (a, b) in [
            ("mohammed", "muhammad"),
            ("md", "mohammad"),
            ("laxmi", "lakshmi"),
            ("sreenivas", "srinivas"),
            ("pooja", "puja"),
            ("vishwas", "vishvas"),
            ("phool", "fool"),
            ("kumaar", "kumar"),
            ("shanti", "santi"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} / {b}");
        }
    }

    #[test]
    fn titles_punctuation_and_spacing_are_removed() {
        let n = Name::new("  Smt.  R.K.  Sharma-Verma ", true);
        assert_eq!(n.lower, ["r", "k", "sharma", "verma"]);
        assert!(n.had_title);
    }

    #[test]
    fn a_title_alone_is_kept_as_the_name() {
        assert_eq!(Name::new("Sri", true).lower, ["sri"]);
    }
}
