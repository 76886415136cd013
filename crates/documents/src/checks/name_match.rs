//! Comparing two names word by word: exact words, transliteration variants, near spellings and
//! initials, in any order.

use super::names::Name;
use super::similarity::jaro_winkler;
use super::{Outcome, Pair};

/// Words at least this similar (Jaro-Winkler on canonical spellings) count as one name misspelt.
const SIMILAR: f64 = 0.88;
/// What a word matched only by its initial contributes to the score.
const INITIAL_WEIGHT: f64 = 0.8;
/// What a transliteration variant contributes to the score.
const VARIANT_WEIGHT: f64 = 0.95;

/// Compares the names of two sources; the result does not depend on argument order.
pub(super) fn compare_names(a: (&str, &str), b: (&str, &str)) -> Pair {
    let key = |(source, raw): (&str, &str)| {
        (
            Name::new(raw, true).sort_key(),
            raw.trim().to_owned(),
            source.to_owned(),
        )
    };
    let (a, b) = if key(a) <= key(b) { (a, b) } else { (b, a) };
    // Titles are usually noise, but `Sri` can be part of a name: judge both ways, keep the best.
    let stripped = judge(a, b, true);
    let kept = judge(a, b, false);
    if (kept.outcome, kept.score) > (stripped.outcome, stripped.score) {
        kept
    } else {
        stripped
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Link {
    Exact,
    Variant,
    Similar(f64),
    Initial,
}

impl Link {
    fn weight(self) -> f64 {
        match self {
            Link::Exact => 1.0,
            Link::Variant => VARIANT_WEIGHT,
            Link::Similar(s) => s * VARIANT_WEIGHT,
            Link::Initial => INITIAL_WEIGHT,
        }
    }
}

fn judge((sa, ra): (&str, &str), (sb, rb): (&str, &str), strip_titles: bool) -> Pair {
    let (a, b) = (Name::new(ra, strip_titles), Name::new(rb, strip_titles));
    if a.is_empty() || b.is_empty() {
        return Pair::new(
            Outcome::Mismatch,
            0.0,
            "a name is empty once punctuation is removed",
        );
    }
    if a.lower == b.lower {
        let reason = if ra.trim() == rb.trim() {
            "the names are identical"
        } else if a.had_title || b.had_title {
            "the names are identical once titles, case and punctuation are ignored"
        } else {
            "the names are identical once case, spacing and punctuation are ignored"
        };
        return Pair::new(Outcome::Match, 1.0, reason);
    }
    if sorted(&a.lower) == sorted(&b.lower) {
        return Pair::new(Outcome::Match, 1.0, "the same names in a different order");
    }
    if sorted(&a.canon) == sorted(&b.canon) {
        let variant = (0..a.lower.len()).find_map(|i| {
            let j = (0..b.lower.len())
                .find(|&j| b.canon[j] == a.canon[i] && b.lower[j] != a.lower[i])?;
            Some(format!(
                " ('{}' in {sa}, '{}' in {sb})",
                a.shown[i], b.shown[j]
            ))
        });
        let reason = format!(
            "the same names allowing for transliteration variants{}",
            variant.unwrap_or_default()
        );
        return Pair::new(Outcome::Match, VARIANT_WEIGHT, reason);
    }
    if a.canon.concat() == b.canon.concat() {
        return Pair::new(
            Outcome::Match,
            VARIANT_WEIGHT,
            "the same name with different spacing",
        );
    }
    align(sa, &a, sb, &b)
}

fn link(
    i: usize,
    j: usize,
    l: Link,
    la: &mut [Option<(usize, Link)>],
    lb: &mut [Option<(usize, Link)>],
) {
    la[i] = Some((j, l));
    lb[j] = Some((i, l));
}

fn sorted(words: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = words.iter().collect();
    v.sort();
    v
}

/// Links each word of `a` to at most one word of `b`, then judges what is left over.
fn align(sa: &str, a: &Name, sb: &str, b: &Name) -> Pair {
    let mut la: Vec<Option<(usize, Link)>> = vec![None; a.lower.len()];
    let mut lb: Vec<Option<(usize, Link)>> = vec![None; b.lower.len()];
    for i in 0..a.canon.len() {
        if let Some(j) = (0..b.canon.len()).find(|&j| lb[j].is_none() && a.canon[i] == b.canon[j]) {
            let l = if a.lower[i] == b.lower[j] {
                Link::Exact
            } else {
                Link::Variant
            };
            link(i, j, l, &mut la, &mut lb);
        }
    }
    let long = |w: &str| w.chars().count() >= 3;
    let mut similar: Vec<(f64, usize, usize)> = Vec::new();
    for (i, ca) in a
        .canon
        .iter()
        .enumerate()
        .filter(|(i, c)| la[*i].is_none() && long(c))
    {
        for (j, cb) in b
            .canon
            .iter()
            .enumerate()
            .filter(|(j, c)| lb[*j].is_none() && long(c))
        {
            let s = jaro_winkler(ca, cb);
            if s >= SIMILAR {
                similar.push((s, i, j));
            }
        }
    }
    similar.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    for (s, i, j) in similar {
        if la[i].is_none() && lb[j].is_none() {
            link(i, j, Link::Similar(s), &mut la, &mut lb);
        }
    }
    let initials_a = link_initials(a, &mut la, b, &mut lb);
    let initials_b = link_initials(b, &mut lb, a, &mut la);
    verdict(sa, a, &la, &initials_a, sb, b, &lb, &initials_b)
}

/// Links each single-letter word of `x` to the first unlinked longer word of `y` starting with
/// that letter; returns the initials linked, as shown.
fn link_initials(
    x: &Name,
    lx: &mut [Option<(usize, Link)>],
    y: &Name,
    ly: &mut [Option<(usize, Link)>],
) -> Vec<String> {
    let mut linked = Vec::new();
    for i in 0..x.lower.len() {
        if lx[i].is_some() || x.lower[i].chars().count() != 1 {
            continue;
        }
        let starts = |j: usize| {
            y.lower[j].chars().count() > 1
                && (y.lower[j].starts_with(x.lower[i].as_str())
                    || y.canon[j].starts_with(x.canon[i].as_str()))
        };
        if let Some(j) = (0..y.lower.len()).find(|&j| ly[j].is_none() && starts(j)) {
            link(i, j, Link::Initial, lx, ly);
            linked.push(x.shown[i].clone());
        }
    }
    linked
}

#[allow(clippy::too_many_arguments)]
fn verdict(
    sa: &str,
    a: &Name,
    la: &[Option<(usize, Link)>],
    initials_a: &[String],
    sb: &str,
    b: &Name,
    lb: &[Option<(usize, Link)>],
    initials_b: &[String],
) -> Pair {
    let weight: f64 = la.iter().flatten().map(|(_, l)| l.weight()).sum();
    let score = weight / a.lower.len().max(b.lower.len()) as f64;
    let full = la
        .iter()
        .flatten()
        .filter(|(_, l)| *l != Link::Initial)
        .count();
    let unlinked = |n: &Name, l: &[Option<(usize, Link)>]| -> Vec<String> {
        (0..n.shown.len())
            .filter(|&i| l[i].is_none())
            .map(|i| n.shown[i].clone())
            .collect()
    };
    let (ua, ub) = (unlinked(a, la), unlinked(b, lb));
    if full == 0 {
        return Pair::new(
            Outcome::Mismatch,
            score,
            format!("the names in {sa} and {sb} have no word in common"),
        );
    }
    if !ua.is_empty() && !ub.is_empty() {
        let reason = format!(
            "'{}' in {sa} does not match '{}' in {sb}",
            ua.join(" "),
            ub.join(" ")
        );
        return Pair::new(Outcome::Mismatch, score, reason);
    }
    let mut reasons = Vec::new();
    if !initials_a.is_empty() {
        reasons.push(format!(
            "initials in {sa} ('{}') are consistent with {sb}'s given names",
            initials_a.join(" ")
        ));
    }
    if !initials_b.is_empty() {
        reasons.push(format!(
            "initials in {sb} ('{}') are consistent with {sa}'s given names",
            initials_b.join(" ")
        ));
    }
    for (i, l) in la.iter().enumerate() {
        if let Some((j, Link::Similar(_))) = l {
            reasons.push(format!(
                "'{}' in {sa} and '{}' in {sb} are similar spellings",
                a.shown[i], b.shown[*j]
            ));
        }
    }
    if !ua.is_empty() {
        reasons.push(format!("{sa} has a name {sb} lacks ('{}')", ua.join(" ")));
    }
    if !ub.is_empty() {
        reasons.push(format!("{sb} has a name {sa} lacks ('{}')", ub.join(" ")));
    }
    let outcome = match (reasons.is_empty(), score >= 0.5) {
        (true, _) => Outcome::Match,
        (false, true) => Outcome::Partial,
        (false, false) => Outcome::Mismatch,
    };
    if reasons.is_empty() {
        reasons.push("the same names".to_owned());
    }
    Pair::new(outcome, score, reasons.join("; "))
}
