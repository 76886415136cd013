//! The Verhoeff check digit that UIDAI uses as the last digit of an Aadhaar number.
//!
//! The simulator's personas carry synthetic Aadhaar numbers; they must still pass the same
//! check a real client runs, so a gateway cannot tell them apart by shape.

/// The dihedral group D5 multiplication table.
const MULTIPLY: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// The position-dependent permutation table.
const PERMUTE: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// The inverse of each element of D5.
const INVERSE: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// Runs the Verhoeff checksum over `digits`; `offset` is 1 when a check digit is still to be appended.
fn checksum(digits: &str, offset: usize) -> Option<u8> {
    let mut c = 0u8;
    for (i, ch) in digits.bytes().rev().enumerate() {
        if !ch.is_ascii_digit() {
            return None;
        }
        let d = usize::from(ch - b'0');
        c = MULTIPLY[usize::from(c)][usize::from(PERMUTE[(i + offset) % 8][d])];
    }
    Some(c)
}

/// The check digit to append to `digits`, or `None` when `digits` is empty or not all ASCII digits.
pub fn check_digit(digits: &str) -> Option<u8> {
    if digits.is_empty() {
        return None;
    }
    checksum(digits, 1).map(|c| INVERSE[usize::from(c)])
}

/// Whether `number` (check digit included) passes the Verhoeff check.
pub fn is_valid(number: &str) -> bool {
    !number.is_empty() && checksum(number, 0) == Some(0)
}

/// Whether `number` has the shape of an Aadhaar number: 12 digits, the first 2 to 9, Verhoeff-valid.
pub fn is_valid_aadhaar(number: &str) -> bool {
    number.len() == 12
        && number.bytes().all(|b| b.is_ascii_digit())
        && !number.starts_with(['0', '1'])
        && is_valid(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_textbook_example_gets_check_digit_three() {
        assert_eq!(check_digit("236"), Some(3));
        assert!(is_valid("2363"));
        assert!(!is_valid("2364"));
    }

    #[test]
    fn a_longer_known_number_validates() {
        assert_eq!(check_digit("12345"), Some(1));
        assert!(is_valid("123451"));
        assert_eq!(check_digit("142857"), Some(0));
        assert!(is_valid("1428570"));
    }

    #[test]
    fn every_single_digit_change_is_detected() {
        let good = "491830275616";
        assert!(is_valid(good));
        for pos in 0..good.len() {
            for digit in b'0'..=b'9' {
                let mut bytes = good.as_bytes().to_vec();
                if bytes[pos] == digit {
                    continue;
                }
                bytes[pos] = digit;
                let changed = String::from_utf8(bytes).expect("ascii");
                assert!(!is_valid(&changed), "{changed} should fail");
            }
        }
    }

    #[test]
    fn adjacent_transpositions_are_detected() {
        let good = "274950183625";
        for pos in 0..good.len() - 1 {
            let mut bytes = good.as_bytes().to_vec();
            if bytes[pos] == bytes[pos + 1] {
                continue;
            }
            bytes.swap(pos, pos + 1);
            let swapped = String::from_utf8(bytes).expect("ascii");
            assert!(!is_valid(&swapped), "{swapped} should fail");
        }
    }

    #[test]
    fn aadhaar_shape_needs_twelve_digits_not_starting_with_zero_or_one() {
        assert!(is_valid_aadhaar("491830275616"));
        let base = "12345678901";
        let with_check = format!("{base}{}", check_digit(base).expect("digits"));
        assert!(is_valid(&with_check));
        assert!(!is_valid_aadhaar(&with_check));
        assert!(!is_valid_aadhaar("49183027561"));
        assert!(!is_valid_aadhaar("49183027561x"));
        assert!(!is_valid(""));
        assert_eq!(check_digit(""), None);
        assert_eq!(check_digit("12a"), None);
    }
}
