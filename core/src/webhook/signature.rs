//! Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the secret's bytes.

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::base64::{self, Padding};
use crate::error::{Error, WebhookVerificationError as Why};
use crate::http::header_lines;
use crate::time::Timestamp;

type HmacSha256 = Hmac<Sha256>;

/// SHA-256's block: the length of HMAC's padded key.
const BLOCK: usize = 64;

/// The names of the three headers a signature is read from
/// ([`WebhookHeaders`] matches them ignoring ASCII case): `webhook-id`,
/// `webhook-timestamp`, `webhook-signature`. A binding that hands a
/// delivery's headers over as text need hand over only these.
pub const SIGNATURE_HEADERS: [&str; 3] = ["webhook-id", "webhook-timestamp", "webhook-signature"];

/// The three headers that carry a Standard Webhooks signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    /// `webhook-id`: the delivery's unique id (also the deduplication key).
    pub id: Option<&'a str>,
    /// `webhook-timestamp`: Unix seconds when it was signed.
    pub timestamp: Option<&'a str>,
    /// `webhook-signature`: one or more space-separated `v1,<base64>` signatures.
    pub signature: Option<&'a str>,
}

impl<'a> WebhookHeaders<'a> {
    /// Picks the three headers out of a request's headers (case-insensitively).
    pub fn from_pairs(headers: &'a [(String, String)]) -> WebhookHeaders<'a> {
        Self::from_named(
            headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        )
    }

    /// Picks the three headers out of one text of `name:value` lines
    /// ([`header_lines`]), by [`from_pairs`](Self::from_pairs)'s rule.
    /// Borrowed from `text`: reading a delivery's headers allocates nothing.
    pub fn from_lines(text: &'a str) -> WebhookHeaders<'a> {
        Self::from_named(header_lines(text))
    }

    /// The rule both forms follow: names matched case-insensitively, the
    /// first header of a name wins.
    fn from_named(headers: impl Iterator<Item = (&'a str, &'a str)>) -> WebhookHeaders<'a> {
        let mut found = WebhookHeaders::default();
        let [id, timestamp, signature] = SIGNATURE_HEADERS;
        for (name, value) in headers {
            let slot = if name.eq_ignore_ascii_case(id) {
                &mut found.id
            } else if name.eq_ignore_ascii_case(timestamp) {
                &mut found.timestamp
            } else if name.eq_ignore_ascii_case(signature) {
                &mut found.signature
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        found
    }
}

/// A webhook signing secret. Its bytes never appear in `Debug` output.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
    /// HMAC keyed once: its inner and outer pads are two of the ~11 SHA-256
    /// blocks a 400-byte delivery costs, paid here instead of per webhook.
    keyed: HmacSha256,
    /// For a host that computes the inner hash itself
    /// ([`Self::verify_hashing_with`]): the padded key XOR HMAC's inner
    /// byte (0x36), which starts the inner hash's input, and the outer hash
    /// with the padded key XOR 0x5c already taken in.
    inner_pad: [u8; BLOCK],
    outer: Sha256,
}

/// A delivery's signed parts, once its headers are checked.
struct Signed<'h> {
    id: &'h str,
    /// Trimmed, as it was parsed.
    timestamp: &'h str,
    signatures: &'h str,
}

impl PartialEq for WebhookSecret {
    fn eq(&self, other: &WebhookSecret) -> bool {
        self.key == other.key
    }
}

impl Eq for WebhookSecret {}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    /// Reads a secret written as `whsec_` followed by base64 (the prefix may be omitted).
    pub fn new(secret: &str) -> Result<WebhookSecret, Error> {
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        // Secrets are often copied without their `=` padding, and the
        // reference implementation accepts them so.
        let key = base64::decode(encoded.trim(), Padding::Optional).ok_or(Why::InvalidSecret)?;
        WebhookSecret::from_bytes(&key)
    }

    /// A secret from raw key bytes.
    pub fn from_bytes(key: &[u8]) -> Result<WebhookSecret, Error> {
        if key.is_empty() {
            return Err(Why::InvalidSecret.into());
        }
        // A key of any length is valid for HMAC, so this cannot fail.
        let keyed = HmacSha256::new_from_slice(key).map_err(|_| Why::InvalidSecret)?;
        // RFC 2104: a key longer than a block is hashed first.
        let mut padded = [0u8; BLOCK];
        if key.len() > BLOCK {
            padded[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        Ok(WebhookSecret {
            key: key.to_vec(),
            keyed,
            inner_pad: padded.map(|b| b ^ 0x36),
            outer: Sha256::new_with_prefix(padded.map(|b| b ^ 0x5c)),
        })
    }

    /// The secret in its `whsec_` form, for configuring a sender.
    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", base64::encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// The `webhook-signature` value for a delivery: `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, &timestamp.to_string(), body);
        format!("v1,{}", base64::encode(&tag))
    }

    /// Checks a delivery: all three headers present, the timestamp within
    /// `tolerance` of `now` either way, and at least one `v1` signature
    /// matching (compared in constant time).
    pub fn verify(
        &self,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now: Timestamp,
        tolerance: Duration,
    ) -> Result<(), Error> {
        let signed = signed(headers, now, tolerance)?;
        matching(
            signed.signatures,
            &self.mac(signed.id, signed.timestamp, body),
        )
    }

    /// [`verify`](Self::verify), with the inner hash of the HMAC computed
    /// by `inner_sha256`: the host's SHA-256, where it is faster than this
    /// crate's (JS on Node: wasm has no SHA instructions). The inner hash is
    /// nearly all of the work: 64 bytes of padded key, then the signed
    /// content `{webhook-id}.{webhook-timestamp}.{body}`, written into
    /// `scratch` for the host to hash. What is signed, the outer hash and
    /// the comparison stay here. A host that gives no digest (`None`)
    /// leaves the hashing to this crate.
    pub fn verify_hashing_with(
        &self,
        headers: &WebhookHeaders<'_>,
        body: &[u8],
        now: Timestamp,
        tolerance: Duration,
        scratch: &mut Vec<u8>,
        inner_sha256: impl FnOnce(&[u8]) -> Option<[u8; 32]>,
    ) -> Result<(), Error> {
        let signed = signed(headers, now, tolerance)?;
        scratch.clear();
        scratch.reserve(BLOCK + signed.id.len() + signed.timestamp.len() + 2 + body.len());
        scratch.extend_from_slice(&self.inner_pad);
        for part in [
            signed.id.as_bytes(),
            b".",
            signed.timestamp.as_bytes(),
            b".",
            body,
        ] {
            scratch.extend_from_slice(part);
        }
        let mac = match inner_sha256(scratch) {
            Some(inner) => self.outer.clone().chain_update(inner).finalize().into(),
            None => self.mac(signed.id, signed.timestamp, body),
        };
        matching(signed.signatures, &mac)
    }
}

/// The checks before any hashing: all three headers present, the timestamp
/// a whole number of seconds within `tolerance` of `now` either way.
fn signed<'h>(
    headers: &WebhookHeaders<'h>,
    now: Timestamp,
    tolerance: Duration,
) -> Result<Signed<'h>, Error> {
    let id = headers.id.ok_or(Why::MissingHeader("webhook-id"))?;
    let timestamp = headers
        .timestamp
        .ok_or(Why::MissingHeader("webhook-timestamp"))?
        .trim();
    let signatures = headers
        .signature
        .ok_or(Why::MissingHeader("webhook-signature"))?;
    let ts: i64 = timestamp.parse().map_err(|_| Why::InvalidTimestamp)?;
    let skew = ts.saturating_sub(now.unix_seconds());
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if skew.unsigned_abs() > tolerance.unsigned_abs() {
        return Err(Why::TimestampOutOfTolerance { skew_seconds: skew }.into());
    }
    Ok(Signed {
        id,
        timestamp,
        signatures,
    })
}

/// Whether one of the space-separated `v1,<base64>` signatures is
/// `expected`, every one compared in constant time.
fn matching(signatures: &str, expected: &[u8; 32]) -> Result<(), Error> {
    let matched = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        // A signature of another length than a MAC's 32 bytes never matches.
        .filter_map(|b64| base64::decode_array::<32>(b64, Padding::Required))
        .fold(false, |found, sig| found | bool::from(sig.ct_eq(expected)));
    if matched {
        Ok(())
    } else {
        Err(Why::NoMatchingSignature.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SIG: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn headers<'a>(ts: &'a str, sig: &'a str) -> WebhookHeaders<'a> {
        WebhookHeaders {
            id: Some(ID),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    #[test]
    fn published_vector() {
        let secret = WebhookSecret::new(SECRET).unwrap();
        assert_eq!(secret.sign(ID, 1_649_367_553, BODY), SIG);
        let now = Timestamp::from_unix_seconds(1_649_367_553).unwrap();
        let tol = Duration::from_secs(300);
        secret
            .verify(&headers("1649367553", SIG), BODY, now, tol)
            .unwrap();
        let rotated = format!("v1,AAAA v2,xyz {SIG}");
        secret
            .verify(&headers("1649367553", &rotated), BODY, now, tol)
            .unwrap();
        let e = secret
            .verify(&headers("1649367553", SIG), b"{}", now, tol)
            .unwrap_err();
        assert_eq!(e, Error::WebhookVerification(Why::NoMatchingSignature));
        let later = Timestamp::from_unix_seconds(1_649_367_553 + 301).unwrap();
        assert!(matches!(
            secret.verify(&headers("1649367553", SIG), BODY, later, tol),
            Err(Error::WebhookVerification(Why::TimestampOutOfTolerance {
                skew_seconds: -301
            }))
        ));
        assert!(format!("{secret:?}").contains("redacted"));
        assert_eq!(secret.to_whsec(), SECRET);
    }

    #[test]
    fn header_lines_are_read_as_header_pairs_are() {
        let text = "Content-Type:application/json\nWebhook-Id:msg_1\nwebhook-id:msg_2\n\
                    webhook-timestamp: 1700000000\nWEBHOOK-SIGNATURE:v1,a:b v1,c\nwebhook-signature\n";
        let pairs: Vec<(String, String)> = header_lines(text)
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let from_lines = WebhookHeaders::from_lines(text);
        assert_eq!(from_lines, WebhookHeaders::from_pairs(&pairs));
        assert_eq!(from_lines.id, Some("msg_1"));
        assert_eq!(from_lines.timestamp, Some(" 1700000000"));
        assert_eq!(from_lines.signature, Some("v1,a:b v1,c"));
        assert_eq!(WebhookHeaders::from_lines(""), WebhookHeaders::default());
        let bare = WebhookHeaders::from_lines("webhook-id");
        assert_eq!(bare.id, Some(""));
    }

    #[test]
    fn a_host_computing_the_inner_hash_gets_the_same_verdicts() {
        let now = Timestamp::from_unix_seconds(1_649_367_553).unwrap();
        let tol = Duration::from_secs(300);
        let host = |input: &[u8]| Some(Sha256::digest(input).into());
        let wrong = |_: &[u8]| Some([0; 32]);
        // Keys shorter than, as long as, and longer than a block (hashed first).
        let keys: [&[u8]; 3] = [b"short", &[7; 64], &[9; 100]];
        let mut scratch = vec![1, 2, 3];
        for key in keys {
            let secret = WebhookSecret::from_bytes(key).unwrap();
            let sig = secret.sign(ID, 1_649_367_553, BODY);
            let cases = [
                headers("1649367553", &sig),
                headers(" 1649367553 ", &sig),
                headers("1649367553", SIG),
                headers("1649367000", &sig),
                headers("x", &sig),
                WebhookHeaders {
                    signature: None,
                    ..headers("1649367553", &sig)
                },
            ];
            for h in cases {
                let direct = secret.verify(&h, BODY, now, tol);
                for hashed in [
                    secret.verify_hashing_with(&h, BODY, now, tol, &mut scratch, host),
                    secret.verify_hashing_with(&h, BODY, now, tol, &mut scratch, |_| None),
                ] {
                    assert_eq!(hashed, direct, "{h:?}, {} bytes of key", key.len());
                }
            }
            let good = headers("1649367553", &sig);
            secret
                .verify_hashing_with(&good, BODY, now, tol, &mut scratch, host)
                .unwrap();
            // What the host hashed: the padded key, then the signed content.
            let signed = [ID.as_bytes(), b".1649367553.", BODY].concat();
            assert_eq!(scratch[BLOCK..], signed[..]);
            // The host's digest is what is compared.
            assert_eq!(
                secret.verify_hashing_with(&good, BODY, now, tol, &mut scratch, wrong),
                Err(Error::WebhookVerification(Why::NoMatchingSignature))
            );
        }
    }

    #[test]
    fn secrets_without_padding_are_accepted() {
        let padded = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let bare = WebhookSecret::new("whsec_dGVzdA").unwrap();
        assert_eq!(bare, WebhookSecret::new("whsec_dGVzdA==").unwrap());
        assert_ne!(padded, bare);
        assert!(WebhookSecret::new("whsec_d").is_err());
    }
}
