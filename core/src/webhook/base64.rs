//! Standard base64 (RFC 4648 §4) for secrets and signatures, accepting and
//! refusing exactly what the `base64` crate's standard engine does: `=`
//! padding required, or optional (never too much), no whitespace, and the
//! unused bits of the last character zero. Written out because the crate's
//! generic engine was 4 KB of the web build for two 44-character strings;
//! the tests hold it against the crate on every input.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// How `=` padding is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// It must be there (a signature).
    Required,
    /// It may be short or left out, never too long (a secret: often
    /// copied without it).
    Optional,
}

/// `bytes` in base64, padded.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Each byte's value as a base64 digit, or `NOT_BASE64`.
const SEXTETS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const NOT_BASE64: u8 = 0xff;

/// The bytes `text` encodes, or `None` when it is not base64 as `padding`
/// reads it.
pub(crate) fn decode(text: &str, padding: Padding) -> Option<Vec<u8>> {
    let (data, len) = shape(text, padding)?;
    let mut out = vec![0; len];
    fill(data, &mut out)?;
    Some(out)
}

/// [`decode`] when it gives exactly `N` bytes (a signature's 32), without
/// allocating; `None` for any other length too.
pub(crate) fn decode_array<const N: usize>(text: &str, padding: Padding) -> Option<[u8; N]> {
    let (data, len) = shape(text, padding)?;
    if len != N {
        return None;
    }
    let mut out = [0; N];
    fill(data, &mut out)?;
    Some(out)
}

/// `text` without its padding, and the number of bytes it encodes, when
/// the padding is as `padding` wants it.
fn shape(text: &str, padding: Padding) -> Option<(&[u8], usize)> {
    let bytes = text.as_bytes();
    let data = bytes
        .strip_suffix(b"==")
        .or_else(|| bytes.strip_suffix(b"="));
    let (data, pads) = match data {
        Some(data) => (data, bytes.len() - data.len()),
        None => (bytes, 0),
    };
    let tail = data.len() % 4;
    let pads_wanted = match tail {
        0 => 0,
        1 => return None,
        t => 4 - t,
    };
    let pads_ok = match padding {
        Padding::Required => pads == pads_wanted,
        Padding::Optional => pads <= pads_wanted,
    };
    pads_ok.then_some((data, data.len() / 4 * 3 + tail.saturating_sub(1)))
}

/// Decodes unpadded `data` into `out`, exactly as long as it encodes.
/// Whole groups of four digits go without a branch per digit: a digit
/// outside the alphabet has the table's high bit, checked once at the end.
fn fill(data: &[u8], out: &mut [u8]) -> Option<()> {
    let digit = |c: u8| u32::from(SEXTETS[usize::from(c)]);
    let groups = data.chunks_exact(4);
    let tail = groups.remainder();
    let (whole, rest) = out.split_at_mut(data.len() / 4 * 3);
    let mut seen = 0;
    for (group, bytes) in groups.zip(whole.chunks_exact_mut(3)) {
        let [a, b, c, d] = [group[0], group[1], group[2], group[3]].map(digit);
        seen |= a | b | c | d;
        let n = a << 18 | b << 12 | c << 6 | d;
        bytes.copy_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    if seen > 63 {
        return None;
    }
    let mut n = 0;
    for &c in tail {
        let d = digit(c);
        if d > 63 {
            return None;
        }
        n = n << 6 | d;
    }
    // The bits past the last whole byte must be zero.
    match (tail.len(), rest) {
        (0, []) => {}
        (3, [x, y]) if n & 0b11 == 0 => [*x, *y] = [(n >> 10) as u8, (n >> 2) as u8],
        (2, [x]) if n & 0b1111 == 0 => *x = (n >> 4) as u8,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

    const INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    #[test]
    fn reads_and_refuses_the_edges_as_the_crate_does() {
        for text in [
            "",
            "=",
            "==",
            "A",
            "AA",
            "AA=",
            "AA==",
            "AA===",
            "AAA",
            "AAA=",
            "AAA==",
            "AAAA",
            "AAAA=",
            "AB==",
            "AE==",
            "AAB=",
            "AAC=",
            "A=AA",
            "AA=A",
            " AAAA",
            "AAAA\n",
            "whsec_",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "+/+/",
            "-_-_",
        ] {
            for (padding, engine) in [
                (Padding::Required, &STANDARD),
                (Padding::Optional, &INDIFFERENT),
            ] {
                assert_eq!(
                    decode(text, padding),
                    engine.decode(text).ok(),
                    "{text:?} {padding:?}"
                );
                arrays_agree(text, padding);
            }
        }
    }

    /// `decode_array` gives what `decode` gives when that is its length,
    /// and nothing otherwise.
    fn arrays_agree(text: &str, padding: Padding) {
        fn check<const N: usize>(text: &str, padding: Padding) {
            let whole = decode(text, padding).filter(|d| d.len() == N);
            assert_eq!(
                decode_array::<N>(text, padding).map(Vec::from),
                whole,
                "{text:?} {padding:?} as {N} bytes"
            );
        }
        check::<1>(text, padding);
        check::<2>(text, padding);
        check::<3>(text, padding);
        check::<9>(text, padding);
        check::<32>(text, padding);
    }

    proptest::proptest! {
        #[test]
        fn encodes_as_the_crate_does(bytes: Vec<u8>) {
            proptest::prop_assert_eq!(encode(&bytes), STANDARD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&encode(&bytes), Padding::Required), Some(bytes.clone()));
            arrays_agree(&encode(&bytes), Padding::Required);
            if let Ok(mac) = <[u8; 32]>::try_from(bytes.as_slice()) {
                proptest::prop_assert_eq!(decode_array::<32>(&encode(&bytes), Padding::Required), Some(mac));
            }
        }

        #[test]
        fn decodes_signatures(mac: [u8; 32], damage in 0usize..60, with in 0u8..=255) {
            let mut text = encode(&mac).into_bytes();
            proptest::prop_assert_eq!(decode_array::<32>(std::str::from_utf8(&text).unwrap(), Padding::Required), Some(mac));
            if let Some(b) = text.get_mut(damage) {
                *b = with;
            }
            if let Ok(text) = std::str::from_utf8(&text) {
                arrays_agree(text, Padding::Required);
                arrays_agree(text, Padding::Optional);
                proptest::prop_assert_eq!(decode(text, Padding::Required), STANDARD.decode(text).ok());
            }
        }

        #[test]
        fn decodes_as_the_crate_does(text in "[A-Za-z0-9+/=_ -]{0,14}") {
            proptest::prop_assert_eq!(decode(&text, Padding::Required), STANDARD.decode(&text).ok());
            proptest::prop_assert_eq!(decode(&text, Padding::Optional), INDIFFERENT.decode(&text).ok());
            arrays_agree(&text, Padding::Required);
            arrays_agree(&text, Padding::Optional);
        }
    }
}
