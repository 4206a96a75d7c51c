//! Standard Webhooks verification on arbitrary secrets, headers, bodies and
//! clocks: never a panic; a body signed with the same secret inside the
//! tolerance always verifies; a flipped byte of the body or of the signature,
//! or a timestamp past the tolerance, never does; headers read from
//! `name:value` lines are the same headers; with the HMAC's inner hash
//! computed by a host's SHA-256 (the web build on Node), every answer is the
//! same as with the core's own HMAC.
#![no_main]

use std::time::Duration;

use antonnia_core::webhook::{WebhookHeaders, parse_event_with_limit};
use antonnia_core::{Error, Timestamp, WebhookReceiver, WebhookSecret, WebhookVerificationError};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// The years `Timestamp` can represent (0000..=9999), in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
const MAX_SECS: i64 = 253_402_300_799;

/// The fixed-size head of an input; the rest is `secret \n id \n timestamp
/// \n signature \n body` (the body keeps any further newlines).
const HEAD: usize = 29;

fuzz_target!(|data: &[u8]| {
    if data.len() >= HEAD {
        run(data);
    }
});

fn le<const N: usize>(bytes: &[u8]) -> [u8; N] {
    bytes[..N].try_into().expect("sliced to size")
}

fn run(data: &[u8]) {
    let (head, rest) = data.split_at(HEAD);
    // Bits of `mode`: 0x01 the secret field is raw key bytes (made a valid
    // `whsec_` secret), 0x06 how that secret is written, 0x08 no verifying,
    // 0x30 the tolerance, 0x40 a small body limit, 0x80 `new` instead of
    // `from_options`. Bits of `present` (the high byte of `flip_at`): 0x07
    // headers left out, 0x40 a damaged secret, 0x80 a rotated signature
    // list; all of them: which letters of the header names are capitals.
    let mode = head[0];
    let tolerance_field = u64::from_le_bytes(le(&head[1..]));
    let max_body_field = u16::from_le_bytes(le(&head[9..]));
    let now_field = i64::from_le_bytes(le(&head[11..]));
    let offset = i64::from_le_bytes(le(&head[19..]));
    let flip_at = u16::from_le_bytes(le(&head[27..]));
    let mut parts = rest.splitn(5, |b| *b == b'\n');
    let mut text = || String::from_utf8_lossy(parts.next().unwrap_or(b"")).into_owned();
    let secret_field = text();
    let id = text();
    let raw_timestamp = text();
    let raw_signature = text();
    let body = parts.next().unwrap_or(b"");
    let present = (flip_at >> 8) as u8;
    let flip_by = (flip_at as u8).max(1);
    let rotated = present & 0x80 != 0;

    let secret = secret_text(&secret_field, mode, present);
    let verify = mode & 0x08 == 0;
    let tolerance = match mode & 0x30 {
        0x00 => Duration::from_secs(300),
        0x10 => Duration::from_secs(tolerance_field % 100_000),
        0x20 => Duration::from_secs(tolerance_field),
        _ => Duration::new(tolerance_field, 999_999_999),
    };
    let max_body_bytes = if mode & 0x40 == 0 {
        1024 * 1024
    } else {
        usize::from(max_body_field % 1024)
    };
    let span = MAX_SECS - MIN_SECS + 1;
    let now = Timestamp::from_unix_seconds(if (MIN_SECS..=MAX_SECS).contains(&now_field) {
        now_field
    } else {
        MIN_SECS + now_field.rem_euclid(span)
    })
    .expect("in the representable range");
    let flip_at = u32::from(flip_at);

    // 1. Arbitrary headers through both constructors: an answer, never a panic.
    let headers = header_pairs(present, &id, &raw_timestamp, &raw_signature);
    let built = if mode & 0x80 == 0 {
        WebhookReceiver::from_options(Some(&secret), verify)
    } else if verify {
        WebhookReceiver::new(&secret)
    } else {
        Ok(WebhookReceiver::unverified())
    };
    let parsed_secret = WebhookSecret::new(&secret);
    match built {
        Ok(receiver) => {
            let receiver = receiver
                .with_tolerance(tolerance)
                .with_max_body_bytes(max_body_bytes);
            assert_eq!(receiver.verifies(), verify);
            let got = receiver.receive(body, &headers, now);
            // The same headers as the web binding's `name:value` lines: the
            // same three picked out, the same answer.
            let lines: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
            let from_lines = WebhookHeaders::from_lines(&lines);
            assert_eq!(from_lines, WebhookHeaders::from_pairs(&headers));
            assert_eq!(receiver.receive_from(body, &from_lines, now), got);
            // The inner hash by the host's SHA-256: the same canonical
            // event, or the same error, as the core's own HMAC.
            let mut alone = Vec::new();
            let alone = receiver
                .receive_canonical_into(body, &from_lines, now, &mut alone)
                .map(|()| alone);
            let (mut hosted, mut scratch) = (Vec::new(), Vec::new());
            let hosted = receiver
                .receive_canonical_into_hashing_with(
                    body,
                    &from_lines,
                    now,
                    &mut hosted,
                    &mut scratch,
                    host_sha256,
                )
                .map(|()| hosted);
            assert_eq!(hosted, alone);
            if !verify {
                assert_eq!(got, parse_event_with_limit(body, max_body_bytes));
            }
        }
        Err(e) => {
            assert!(verify, "an unverified receiver needs no secret");
            assert_eq!(
                e,
                Error::WebhookVerification(WebhookVerificationError::InvalidSecret)
            );
            assert!(parsed_secret.is_err());
        }
    }
    assert!(matches!(
        WebhookReceiver::from_options(None, true),
        Err(Error::WebhookVerification(
            WebhookVerificationError::MissingSecret
        ))
    ));

    // 2. A genuine signature by the same secret, inside the tolerance.
    let Ok(key) = parsed_secret else {
        return;
    };
    let tol = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let span = 2 * i128::from(tol) + 1;
    let skew = i64::try_from(i128::from(offset).rem_euclid(span) - i128::from(tol))
        .expect("within the tolerance");
    let Some(ts) = now.unix_seconds().checked_add(skew) else {
        return;
    };
    let ts_text = ts.to_string();
    let signature = key.sign(&id, ts, body);
    let signatures = if rotated {
        // A rotated secret: the old key's signature and other versions first.
        format!("v1,{raw_signature} v2,{raw_signature} {signature}")
    } else {
        signature.clone()
    };
    let signed = WebhookHeaders {
        id: Some(&id),
        timestamp: Some(&ts_text),
        signature: Some(&signatures),
    };
    if let Err(e) = key.verify(&signed, body, now, tolerance) {
        panic!("a genuine signature failed: {e:?} (skew {skew} s, tolerance {tolerance:?})");
    }
    let mut scratch = Vec::new();
    if let Err(e) =
        key.verify_hashing_with(&signed, body, now, tolerance, &mut scratch, host_sha256)
    {
        panic!("a genuine signature failed with the host's hash: {e:?}");
    }
    let receiver = WebhookReceiver::new(&secret)
        .expect("the secret was read once already")
        .with_tolerance(tolerance)
        .with_max_body_bytes(max_body_bytes);
    let pairs = vec![
        (mixed_case("webhook-id", present), id.clone()),
        (mixed_case("webhook-timestamp", present), ts_text.clone()),
        (mixed_case("webhook-signature", present), signatures.clone()),
    ];
    let got = receiver.receive(body, &pairs, now);
    if body.len() > max_body_bytes {
        assert!(matches!(got, Err(Error::PayloadTooLarge { .. })), "{got:?}");
    } else {
        assert_eq!(got, parse_event_with_limit(body, max_body_bytes));
    }

    // 3. One flipped byte of the body never verifies.
    if !body.is_empty() {
        let mut tampered = body.to_vec();
        tampered[flip_at as usize % body.len()] ^= flip_by;
        assert_eq!(
            key.verify(&signed, &tampered, now, tolerance),
            Err(Error::WebhookVerification(
                WebhookVerificationError::NoMatchingSignature
            )),
            "a tampered body verified"
        );
        assert_eq!(
            key.verify_hashing_with(
                &signed,
                &tampered,
                now,
                tolerance,
                &mut scratch,
                host_sha256
            ),
            Err(Error::WebhookVerification(
                WebhookVerificationError::NoMatchingSignature
            )),
            "a tampered body verified with the host's hash"
        );
    }

    // 4. Nor does one flipped byte of the signature (headers are text, so
    //    only flips that leave valid UTF-8 can arrive).
    let mut bytes = signature.clone().into_bytes();
    let at = flip_at as usize % bytes.len();
    bytes[at] ^= flip_by;
    if let Ok(flipped) = String::from_utf8(bytes) {
        let headers = WebhookHeaders {
            signature: Some(&flipped),
            ..signed
        };
        let result = key.verify(&headers, body, now, tolerance);
        assert!(
            result.is_err(),
            "signature {flipped:?} (byte {at} of {signature:?} flipped) verified"
        );
    }

    // 5. A timestamp just past the tolerance, either way, never verifies.
    if let Some(past) = now
        .unix_seconds()
        .checked_sub(tol)
        .and_then(|t| t.checked_sub(1))
    {
        let past_text = past.to_string();
        let late_signature = key.sign(&id, past, body);
        let late = WebhookHeaders {
            id: Some(&id),
            timestamp: Some(&past_text),
            signature: Some(&late_signature),
        };
        assert!(matches!(
            key.verify(&late, body, now, tolerance),
            Err(Error::WebhookVerification(
                WebhookVerificationError::TimestampOutOfTolerance { .. }
            ))
        ));
    }
}

/// A host's SHA-256, as the web build's on Node gives it.
fn host_sha256(input: &[u8]) -> Option<[u8; 32]> {
    Some(Sha256::digest(input).into())
}

/// The secret as text: the field itself (any text), or — with mode bit
/// 0x01 — the field's bytes as a key, written as a valid secret in one of
/// the accepted forms (padded or not, with or without the prefix, with
/// stray whitespace).
fn secret_text(field: &str, mode: u8, present: u8) -> String {
    if mode & 0x01 == 0 {
        return field.to_string();
    }
    let key = if field.is_empty() { "\0" } else { field };
    let whsec = WebhookSecret::from_bytes(key.as_bytes())
        .expect("a non-empty key")
        .to_whsec();
    let written = match mode & 0x06 {
        0 => whsec,
        2 => whsec.trim_end_matches('=').to_string(),
        4 => whsec["whsec_".len()..].to_string(),
        _ => format!(" {whsec}\n"),
    };
    if present & 0x40 != 0 {
        // Damaged: one character dropped.
        let mut damaged = written;
        damaged.remove(usize::from(present) % damaged.len());
        return damaged;
    }
    written
}

fn mixed_case(name: &str, bits: u8) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits >> (i % 8) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

fn header_pairs(present: u8, id: &str, timestamp: &str, signature: &str) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (bit, name, value) in [
        (1, "webhook-id", id),
        (2, "webhook-timestamp", timestamp),
        (4, "webhook-signature", signature),
    ] {
        if present & bit == 0 {
            headers.push((mixed_case(name, present), value.to_string()));
        }
    }
    headers
}
