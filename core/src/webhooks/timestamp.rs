//! The `webhook-timestamp` grammar and the exact tolerance-window test.

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// A parsed `webhook-timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    /// The integer part (truncated toward zero); this is what gets signed.
    pub(crate) secs: i64,
    /// `floor(value × 10⁹)`: the exact value in nanoseconds, rounded down.
    floor_nanos: i128,
    /// Whether the exact value is strictly greater than `floor_nanos`
    /// (fraction digits beyond the ninth).
    above: bool,
}

impl Timestamp {
    /// Places the exact value against the inclusive window
    /// `[lower_nanos, upper_nanos]`: `Less` when below it (too old), `Greater`
    /// when above it (too new), `Equal` when inside.
    pub(crate) fn window(&self, lower_nanos: i128, upper_nanos: i128) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        if self.floor_nanos < lower_nanos {
            // value < floor + 1 <= lower
            Ordering::Less
        } else if self.floor_nanos > upper_nanos || (self.floor_nanos == upper_nanos && self.above) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }
}

/// Parses rule 3 of `spec/webhooks/README.md`:
/// `[ \t]* [+-]? [0-9]+ ( "." [0-9]* )? [ \t]*`, integer part within `i64`.
pub(crate) fn parse(raw: &[u8]) -> Option<Timestamp> {
    let text = trim_blanks(raw);
    let (negative, unsigned) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let int_len = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 {
        return None;
    }
    let (int_digits, tail) = unsigned.split_at_checked(int_len)?;
    let frac_digits: &[u8] = match tail.split_first() {
        None => &[],
        Some((b'.', frac)) if frac.iter().all(u8::is_ascii_digit) => frac,
        Some(_) => return None,
    };

    let mut magnitude: u64 = 0;
    for digit in int_digits {
        magnitude = magnitude.checked_mul(10)?.checked_add(u64::from(digit.wrapping_sub(b'0')))?;
    }
    let secs = if negative { 0i64.checked_sub_unsigned(magnitude)? } else { i64::try_from(magnitude).ok()? };

    let mut frac_nanos: i128 = 0;
    let mut beyond_nanos = false;
    let mut scale: i128 = NANOS_PER_SEC;
    for digit in frac_digits {
        let d = i128::from(digit.wrapping_sub(b'0'));
        if scale > 1 {
            scale /= 10;
            frac_nanos += d * scale;
        } else if d != 0 {
            beyond_nanos = true;
        }
    }

    let magnitude_nanos = i128::from(magnitude) * NANOS_PER_SEC + frac_nanos;
    let (floor_nanos, above) = if negative {
        // -(m + ε) with 0 < ε < 1ns rounds down to -m - 1.
        (-magnitude_nanos - i128::from(beyond_nanos), beyond_nanos)
    } else {
        (magnitude_nanos, beyond_nanos)
    };
    Some(Timestamp { secs, floor_nanos, above })
}

fn trim_blanks(mut s: &[u8]) -> &[u8] {
    while let Some((b' ' | b'\t', rest)) = s.split_first() {
        s = rest;
    }
    while let Some((b' ' | b'\t', rest)) = s.split_last() {
        s = rest;
    }
    s
}

/// Canonical decimal form of `value` (no leading zeros, `-` only when
/// negative) written into `buf`, without allocating.
pub(crate) fn format_secs(value: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = value.unsigned_abs();
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        // `n % 10 < 10`, so the cast cannot truncate.
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if value < 0 {
        if let Some(sign_at) = start.checked_sub(1) {
            if let Some(slot) = buf.get_mut(sign_at) {
                *slot = b'-';
                start = sign_at;
            }
        }
    }
    buf.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(v: i64) -> String {
        let mut buf = [0u8; 20];
        String::from_utf8_lossy(format_secs(v, &mut buf)).into_owned()
    }

    #[test]
    fn formats_canonically() {
        for v in [0, 1, -1, 9, 10, -10, 1767225600, i64::MAX, i64::MIN, i64::MIN + 1] {
            assert_eq!(fmt(v), v.to_string());
        }
    }

    #[test]
    fn grammar() {
        let secs = |s: &str| parse(s.as_bytes()).map(|t| t.secs);
        assert_eq!(secs("1767225600"), Some(1767225600));
        assert_eq!(secs(" \t+01767225600.999 \t"), Some(1767225600));
        assert_eq!(secs("-5.5"), Some(-5));
        assert_eq!(secs("-0.5"), Some(0));
        assert_eq!(secs("7."), Some(7));
        assert_eq!(secs("9223372036854775807"), Some(i64::MAX));
        assert_eq!(secs("-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            " ",
            "+",
            "-",
            ".5",
            "1e9",
            "1 2",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "1.2.3",
            "nan",
            "١",
            "1_0",
            "\n1",
        ] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn exact_window() {
        use std::cmp::Ordering::*;
        let n = NANOS_PER_SEC;
        let w = |s: &str| parse(s.as_bytes()).map(|t| t.window(-300 * n, 300 * n));
        assert_eq!(w("300"), Some(Equal));
        assert_eq!(w("300.000000000"), Some(Equal));
        assert_eq!(w("300.0000000001"), Some(Greater));
        assert_eq!(w("300.5"), Some(Greater));
        assert_eq!(w("-300"), Some(Equal));
        assert_eq!(w("-300.0000000001"), Some(Less));
        assert_eq!(w("-299.9999999999"), Some(Equal));
        assert_eq!(w("301"), Some(Greater));
        assert_eq!(w("-301"), Some(Less));
    }
}
