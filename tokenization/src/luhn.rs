//! The Luhn (mod 10) check of ISO/IEC 7812-1, on digit values 0..=9.

/// Luhn residue of digit values: 0 means the whole string passes the check (the last digit being
/// the check digit).
///
/// ```
/// use mpay_tokenization::luhn;
/// assert_eq!(luhn::residue(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]), 0);
/// ```
pub fn residue(digits: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 1 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
    }
    (sum % 10) as u8
}

/// Whether the digit values pass the Luhn check.
///
/// ```
/// assert!(mpay_tokenization::luhn::is_valid(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
/// ```
pub fn is_valid(digits: &[u8]) -> bool {
    !digits.is_empty() && residue(digits) == 0
}

/// The check digit to append to `payload` (digit values) so that the result passes the check.
///
/// ```
/// assert_eq!(mpay_tokenization::luhn::check_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
/// ```
pub fn check_digit(payload: &[u8]) -> u8 {
    // Appending 0 shifts every payload digit one place; pick the digit that makes the sum 0 mod 10.
    let mut sum = 0u32;
    for (i, &d) in payload.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 0 {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
    }
    ((10 - sum % 10) % 10) as u8
}

/// Parses ASCII decimal digits into digit values; `None` if any byte is not `0`..=`9`
/// (returns the offset of the first bad byte in `Err`).
///
/// ```
/// assert_eq!(mpay_tokenization::luhn::digits("0429"), Ok(vec![0, 4, 2, 9]));
/// assert_eq!(mpay_tokenization::luhn::digits("04x9"), Err(2));
/// ```
pub fn digits(s: &str) -> Result<alloc::vec::Vec<u8>, usize> {
    s.bytes()
        .enumerate()
        .map(|(i, b)| {
            if b.is_ascii_digit() {
                Ok(b - b'0')
            } else {
                Err(i)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_completes_valid() {
        let p = [4u8, 5, 3, 2, 0, 1, 5, 1, 1, 2, 8, 3, 0, 3, 6];
        let c = check_digit(&p);
        let mut full = p.to_vec();
        full.push(c);
        assert!(is_valid(&full));
        for wrong in (0..10).filter(|&x| x != c) {
            *full.last_mut().unwrap() = wrong;
            assert!(!is_valid(&full));
        }
    }
}
