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

fn sextet(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// The bytes `text` encodes, or `None` when it is not base64 as `padding`
/// reads it.
pub(crate) fn decode(text: &str, padding: Padding) -> Option<Vec<u8>> {
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
    if !pads_ok {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    for chunk in data.chunks(4) {
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | sextet(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]),
            // The bits past the last whole byte must be zero.
            3 if n & 0b11 == 0 => out.extend_from_slice(&[(n >> 10) as u8, (n >> 2) as u8]),
            2 if n & 0b1111 == 0 => out.push((n >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
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
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn encodes_as_the_crate_does(bytes: Vec<u8>) {
            proptest::prop_assert_eq!(encode(&bytes), STANDARD.encode(&bytes));
            proptest::prop_assert_eq!(decode(&encode(&bytes), Padding::Required), Some(bytes));
        }

        #[test]
        fn decodes_as_the_crate_does(text in "[A-Za-z0-9+/=_ -]{0,14}") {
            proptest::prop_assert_eq!(decode(&text, Padding::Required), STANDARD.decode(&text).ok());
            proptest::prop_assert_eq!(decode(&text, Padding::Optional), INDIFFERENT.decode(&text).ok());
        }
    }
}
