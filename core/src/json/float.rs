//! Decimal text ↔ `f64`, exactly as serde_json (with `float_roundtrip`)
//! reads and writes it: the correctly rounded value of a JSON number, and
//! the shortest text that reads back as the same value, in serde_json's
//! layout (`0.001`, `12.5`, `1e+16`, `5e-324`, `-0.0`).
//!
//! Why not `str::parse` and serde_json's writer: their speed comes from
//! tables (std's powers of five, 10.4 KB; the writer's, 17 KB) that were a
//! fifth of the web build's download for the few floats a chat message's
//! metadata carries. This is exact big-integer arithmetic instead: a few
//! microseconds per float that is not a short decimal, no tables. Checked
//! against std and serde_json by the unit tests below and by the `json`
//! fuzz target, which compares the reader with serde_json on every input.

use std::cmp::Ordering;

/// Significant digits kept from a longer number; the rest only says
/// whether it was nonzero. A value halfway between two doubles has at most
/// 767 significant digits, so rounding with 800 and a sticky digit is exact.
const MAX_DIGITS: usize = 800;

/// Powers of ten that are exact doubles (10^0 ..= 10^22), for the fast path.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of `text`, correctly rounded (ties to even); `None` when it
/// rounds past `f64::MAX` (serde_json's "number out of range"). `text` is a
/// number in JSON's grammar (the reader checks it), or one where leading
/// zeros and a point with digits on one side only (`.5`, `5.`) occur too
/// (Retry-After seconds, checked by their reader).
pub(crate) fn parse(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut digits: Vec<u8> = Vec::new();
    let mut exponent: i64 = 0; // value = digits × 10^exponent
    let mut sticky = false;
    let mut fraction = false;
    let mut i = usize::from(negative);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                if fraction {
                    exponent -= 1;
                }
                if digits.is_empty() && b == b'0' {
                    // a leading zero carries nothing
                } else if digits.len() < MAX_DIGITS {
                    digits.push(b - b'0');
                } else {
                    exponent += 1;
                    sticky |= b != b'0';
                }
            }
            b'.' => fraction = true,
            _ => break,
        }
        i += 1;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let sign = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        // Past a billion the value is 0 or out of range either way.
        let mut explicit: i64 = 0;
        for &b in &bytes[i..] {
            explicit = (explicit * 10 + i64::from(b - b'0')).min(1_000_000_000);
        }
        exponent += sign * explicit;
    }
    if sticky {
        digits.push(1);
        exponent -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    let magnitude = magnitude(&digits, exponent)?;
    Some(if negative { -magnitude } else { magnitude })
}

fn magnitude(digits: &[u8], exponent: i64) -> Option<f64> {
    if digits.is_empty() {
        return Some(0.0);
    }
    // The value lies in [10^(n-1+exponent), 10^(n+exponent)).
    let order = digits.len() as i64 + exponent;
    if order > 310 {
        return None;
    }
    if order < -323 {
        return Some(0.0);
    }
    if digits.len() <= 15 && exponent.unsigned_abs() <= 22 {
        // Clinger's fast path: both operands exact, one rounding.
        let mantissa = digits.iter().fold(0u64, |m, &d| m * 10 + u64::from(d)) as f64;
        let scale = EXACT_POW10[exponent.unsigned_abs() as usize];
        return Some(if exponent < 0 {
            mantissa / scale
        } else {
            mantissa * scale
        });
    }
    exact(digits, exponent)
}

/// The big-integer path, for what the fast path cannot do exactly: rare in
/// a chat's metadata, so built for size (`cold`), not speed.
#[cold]
fn exact(digits: &[u8], exponent: i64) -> Option<f64> {
    let mut n = Big::from_digits(digits);
    if exponent >= 0 {
        n.mul_pow10(exponent as u32);
        let (top, exp2, sticky) = n.top_bits();
        return round(top, exp2, sticky);
    }
    // A quotient of 56 or 57 bits and whether a remainder was left.
    let mut d = Big::from_digits(&[1]);
    d.mul_pow10(exponent.unsigned_abs() as u32);
    let shift = d.bit_len() as i64 - n.bit_len() as i64 + 56;
    if shift >= 0 {
        n.shl(shift as u32);
    } else {
        d.shl(shift.unsigned_abs() as u32);
    }
    let (quotient, remainder) = n.div_small_quotient(&d, 57);
    round(quotient, -shift, remainder)
}

/// The double nearest `(q + f) × 2^exp2` where `0 ≤ f < 1` is nonzero when
/// `sticky`; `q` carries at least 55 significant bits whenever `sticky`.
fn round(q: u64, exp2: i64, sticky: bool) -> Option<f64> {
    if q == 0 {
        return Some(0.0);
    }
    let bits = i64::from(64 - q.leading_zeros());
    let top = exp2 + bits - 1; // the exponent of q's leading bit
    if top > 1023 {
        return None;
    }
    // How many of q's low bits fall below the double's last bit.
    let drop = if top >= -1022 {
        bits - 53
    } else {
        -1074 - exp2
    };
    let mut mantissa: u64;
    if drop <= 0 {
        mantissa = q << drop.unsigned_abs();
    } else if drop > 64 {
        return Some(0.0);
    } else {
        let q = u128::from(q);
        let kept = q >> drop;
        let rest = q - (kept << drop);
        let half = 1u128 << (drop - 1);
        mantissa = kept as u64;
        if rest > half || (rest == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1;
        }
    }
    if top < -1022 {
        // Subnormal: a carry into bit 52 is the smallest normal's encoding.
        return Some(f64::from_bits(mantissa));
    }
    let mut biased = top + 1023;
    if mantissa == 1 << 53 {
        mantissa >>= 1;
        biased += 1;
        if biased > 2046 {
            return None;
        }
    }
    Some(f64::from_bits(
        ((biased as u64) << 52) | (mantissa & ((1 << 52) - 1)),
    ))
}

/// Appends `value` as serde_json writes it: the shortest digits
/// that read back as `value` (the nearest such, ties to even), fixed
/// notation for exponents -5 to 15 (`0.00001`, `1e+16`), `.0` on integers.
pub(crate) fn write(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        // As serde_json writes a non-finite float (a `Value` holds none).
        out.extend_from_slice(b"null");
        return;
    }
    if value.is_sign_negative() {
        out.push(b'-');
    }
    if value == 0.0 {
        out.extend_from_slice(b"0.0");
        return;
    }
    let (digits, exp) = shortest(value.abs());
    let len = digits.len() as i32;
    if (-5..=15).contains(&exp) {
        if exp >= len - 1 {
            out.extend_from_slice(&digits);
            out.resize(out.len() + (exp - len + 1) as usize, b'0');
            out.extend_from_slice(b".0");
        } else if exp >= 0 {
            let (int, frac) = digits.split_at(exp as usize + 1);
            out.extend_from_slice(int);
            out.push(b'.');
            out.extend_from_slice(frac);
        } else {
            out.extend_from_slice(b"0.");
            out.resize(out.len() + (-exp - 1) as usize, b'0');
            out.extend_from_slice(&digits);
        }
        return;
    }
    out.push(digits[0]);
    if len > 1 {
        out.push(b'.');
        out.extend_from_slice(&digits[1..]);
    }
    out.push(b'e');
    out.push(if exp < 0 { b'-' } else { b'+' });
    out.extend_from_slice(exp.unsigned_abs().to_string().as_bytes());
}

/// The shortest decimal digits (ASCII) that read back as `v` (finite,
/// positive), and the exponent of the first: `v ≈ 0.d1d2… × 10^(exp+1)`.
/// Burger and Dybvig's free-format algorithm on exact integers; `cold`
/// (built for size), as floats are rare in what the SDK writes.
#[cold]
fn shortest(v: f64) -> (Vec<u8>, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (f, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // Bounds are inclusive when the mantissa is even: reading rounds ties
    // to even, so the halfway points read back as `v`.
    let inclusive = f & 1 == 0;
    // v = r / s; the neighbours are v ± m / s (the lower one closer when
    // `f` is a power of two above the smallest normal).
    let uneven = f == 1 << 52 && biased > 1;
    let mut r = Big::from_u64(f);
    let mut s = Big::from_u64(1);
    let mut m_plus = Big::from_u64(1);
    let mut m_minus = Big::from_u64(1);
    if e >= 0 {
        r.shl(e as u32 + 1);
        m_plus.shl(e as u32);
        m_minus.shl(e as u32);
        s.shl(1);
    } else {
        r.shl(1);
        s.shl(e.unsigned_abs() as u32 + 1);
    }
    if uneven {
        r.shl(1);
        s.shl(1);
        m_plus.shl(1);
    }
    // k: the smallest with v + m⁺ below 10^k; estimated from the binary
    // exponent (at most one too low), then corrected.
    let top = e + 63 - i64::from(f.leading_zeros());
    let mut k = ((top as f64) * std::f64::consts::LOG10_2 - 1e-10).ceil() as i32;
    if k >= 0 {
        s.mul_pow10(k as u32);
    } else {
        let up = k.unsigned_abs();
        r.mul_pow10(up);
        m_plus.mul_pow10(up);
        m_minus.mul_pow10(up);
    }
    let high = |r: &Big, m_plus: &Big, s: &Big| {
        let sum = r.add(m_plus);
        match sum.cmp(s) {
            Ordering::Greater => true,
            Ordering::Equal => inclusive,
            Ordering::Less => false,
        }
    };
    if high(&r, &m_plus, &s) {
        s.mul_small(10);
        k += 1;
    }
    let mut digits = Vec::with_capacity(17);
    loop {
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        let mut d = 0u8;
        while r.cmp(&s) != Ordering::Less {
            r.sub(&s);
            d += 1;
        }
        let low = match r.cmp(&m_minus) {
            Ordering::Less => true,
            Ordering::Equal => inclusive,
            Ordering::Greater => false,
        };
        let high = high(&r, &m_plus, &s);
        if !low && !high {
            digits.push(b'0' + d);
            continue;
        }
        let up = match (low, high) {
            (true, false) => false,
            (false, true) => true,
            // Both neighbours read back as v: the nearer, ties to even.
            _ => match r.add(&r).cmp(&s) {
                Ordering::Less => false,
                Ordering::Greater => true,
                Ordering::Equal => d % 2 == 1,
            },
        };
        digits.push(b'0' + d + u8::from(up));
        break;
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, k - 1)
}

/// A non-negative integer, little-endian 32-bit limbs, no high zero limbs.
/// Each operation is compiled once (`inline(never)`): inlined into every
/// caller, they were 1.3 KiB more of the web build's download, for a path
/// that few numbers take.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    #[inline(never)]
    fn from_u64(n: u64) -> Big {
        let mut b = Big(vec![n as u32, (n >> 32) as u32]);
        b.trim();
        b
    }

    #[inline(never)]
    fn from_digits(digits: &[u8]) -> Big {
        let mut b = Big(Vec::with_capacity(digits.len() / 9 + 1));
        for chunk in digits.chunks(9) {
            let value = chunk.iter().fold(0u32, |v, &d| v * 10 + u32::from(d));
            b.mul_small(10u32.pow(chunk.len() as u32));
            b.add_small(value);
        }
        b
    }

    #[inline(never)]
    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    #[inline(never)]
    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(top) => self.0.len() as u64 * 32 - u64::from(top.leading_zeros()),
        }
    }

    #[inline(never)]
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    #[inline(never)]
    fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            if carry == 0 {
                return;
            }
            let v = u64::from(*limb) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    #[inline(never)]
    fn mul_pow10(&mut self, mut k: u32) {
        while k >= 9 {
            self.mul_small(1_000_000_000);
            k -= 9;
        }
        self.mul_small(10u32.pow(k));
    }

    #[inline(never)]
    fn shl(&mut self, bits: u32) {
        if self.0.is_empty() {
            return;
        }
        let limbs = (bits / 32) as usize;
        let bits = bits % 32;
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        self.0.splice(0..0, std::iter::repeat_n(0, limbs));
    }

    #[inline(never)]
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    #[inline(never)]
    fn add(&self, other: &Big) -> Big {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut sum = Vec::with_capacity(long.0.len() + 1);
        let mut carry = 0u64;
        for (i, &limb) in long.0.iter().enumerate() {
            let v = u64::from(limb) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            sum.push(v as u32);
            carry = v >> 32;
        }
        if carry > 0 {
            sum.push(carry as u32);
        }
        Big(sum)
    }

    /// `self -= other`, where `other <= self`.
    #[inline(never)]
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *limb = v.rem_euclid(1 << 32) as u32;
        }
        self.trim();
    }

    #[inline(never)]
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.0.iter_mut().rev() {
            let v = (*limb >> 1) | carry;
            carry = *limb << 31;
            *limb = v;
        }
        self.trim();
    }

    /// The top 64 bits, the exponent of their last bit, and whether any
    /// bit below them is set.
    #[inline(never)]
    fn top_bits(&self) -> (u64, i64, bool) {
        let len = self.bit_len();
        if len <= 64 {
            let low = u64::from(self.0.first().copied().unwrap_or(0));
            let high = u64::from(self.0.get(1).copied().unwrap_or(0));
            return (low | high << 32, 0, false);
        }
        let shift = len - 64;
        let bit = |i: u64| self.0[(i / 32) as usize] >> (i % 32) & 1 == 1;
        let mut top = 0u64;
        for i in (shift..len).rev() {
            top = top << 1 | u64::from(bit(i));
        }
        let sticky = (0..shift).any(bit);
        (top, shift as i64, sticky)
    }

    /// `(self / d, self % d != 0)` for a quotient below `2^bits`, by
    /// restoring division.
    #[inline(never)]
    fn div_small_quotient(mut self, d: &Big, bits: u32) -> (u64, bool) {
        let mut t = d.clone();
        t.shl(bits - 1);
        let mut q = 0u64;
        for _ in 0..bits {
            q <<= 1;
            if self.cmp(&t) != Ordering::Less {
                self.sub(&t);
                q |= 1;
            }
            t.shr1();
        }
        (q, !self.0.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(v: f64) -> String {
        let mut out = Vec::new();
        write(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn serde_written(v: f64) -> String {
        serde_json::to_string(&v).unwrap()
    }

    #[test]
    fn writes_as_serde_json_does() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            0.3,
            1e15,
            1e16,
            123456789012345680.0,
            1e-5,
            1e-6,
            1.5e-7,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            -f64::MAX,
            2f64.powi(-1022),
            2f64.powi(60),
            9007199254740993.0,
            0.000123,
            1e100,
            1e21,
            1e22,
            1e23,
            4.35,
            2.225073858507201e-308,
        ] {
            assert_eq!(written(v), serde_written(v), "{v:e}");
        }
    }

    #[test]
    fn parses_as_std_does() {
        for text in [
            "0",
            "-0",
            "0.1",
            "1e23",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1e-400",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001",
            "9007199254740993",
            "9007199254740993.0000000000000000000000000000000000000000001",
            "1e22",
            "1e-22",
            "3.0e-5",
            "-12.5E+2",
        ] {
            assert_eq!(
                parse(text).map(f64::to_bits),
                Some(text.parse::<f64>().unwrap().to_bits()),
                "{text}"
            );
        }
        assert_eq!(parse("1.7976931348623159e308"), None);
        assert_eq!(parse("1e309"), None);
        assert_eq!(parse("-1e1000000000000000000000"), None);
        assert_eq!(parse("0e1000000000000000000000"), Some(0.0));
    }

    #[test]
    fn a_halfway_value_with_a_long_tail_rounds_by_its_tail() {
        // 2^53 + 1, then a nonzero digit far past the 800 kept.
        let exact = "9007199254740993";
        let up = format!("{exact}.{}1", "0".repeat(900));
        assert_eq!(parse(exact), Some(9007199254740992.0));
        assert_eq!(parse(&up), Some(9007199254740994.0));
    }

    #[test]
    fn powers_of_two_and_their_neighbours_write_as_serde_json() {
        // A power of two has a closer lower neighbour (the uneven case);
        // the smallest exponents are subnormal.
        for biased in 0..2047u64 {
            for fraction in [0, 1, 2, (1 << 52) - 1] {
                let v = f64::from_bits(biased << 52 | fraction);
                if v == 0.0 {
                    continue;
                }
                assert_eq!(written(v), serde_written(v), "{v:e}");
                assert_eq!(parse(&written(v)), Some(v), "{v:e}");
            }
        }
    }

    #[test]
    fn every_short_decimal_of_up_to_five_digits_writes_as_serde_json() {
        for d in 1..100_000u64 {
            for k in [0, 1, 2, 3, 5, 8, 13, 21] {
                let v = format!("{d}e-{k}").parse::<f64>().unwrap();
                assert_eq!(written(v), serde_written(v), "{d}e-{k}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn every_double_writes_as_serde_json_and_reads_back(bits: u64) {
            let v = f64::from_bits(bits);
            proptest::prop_assume!(v.is_finite());
            let text = written(v);
            proptest::prop_assert_eq!(&text, &serde_written(v));
            proptest::prop_assert_eq!(parse(&text).map(f64::to_bits), Some(v.to_bits()));
        }

        #[test]
        fn short_decimals_write_as_serde_json(d in 1u64..1_000_000_000_000_000, k in 0i32..25) {
            let v = format!("{d}e-{k}").parse::<f64>().unwrap();
            proptest::prop_assert_eq!(written(v), serde_written(v));
        }

        #[test]
        fn decimal_text_reads_as_std_reads_it(
            negative: bool,
            int in "[1-9][0-9]{0,30}|0",
            frac in proptest::option::of("[0-9]{1,30}"),
            exp in proptest::option::of(-400i32..400),
        ) {
            let text = format!(
                "{}{int}{}{}",
                if negative { "-" } else { "" },
                frac.map(|f| format!(".{f}")).unwrap_or_default(),
                exp.map(|e| format!("e{e}")).unwrap_or_default(),
            );
            let std = text.parse::<f64>().unwrap();
            let ours = parse(&text);
            if std.is_finite() {
                proptest::prop_assert_eq!(ours.map(f64::to_bits), Some(std.to_bits()));
            } else {
                proptest::prop_assert_eq!(ours, None);
            }
        }
    }
}
