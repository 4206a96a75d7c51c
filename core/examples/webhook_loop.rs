//! Parses or verifies the 410-byte `message.created` webhook N times, for
//! instruction counts under callgrind (`scripts/count-instructions.sh`),
//! which do not move with the shared machine's load the way timings do.
//! Under valgrind, `sha2` finds no SHA instructions and runs its portable
//! code, as it does in wasm.
//!
//!     cargo run --release -p antonnia-core --example webhook_loop -- MODE N
//!
//! MODE: `canonical` or `typed` (parse only), `verify` (the signature by the
//! core's own HMAC, without the parse) or `verify-hosted` (the same with the
//! HMAC's inner hash left to a host, here a fixed digest: what the web
//! build on Node still does in wasm).

use std::time::Duration;

use antonnia_core::Timestamp;
use antonnia_core::webhook::{
    DEFAULT_MAX_BODY_BYTES, WebhookHeaders, WebhookSecret, parse_event, parse_event_canonical,
};

const USAGE: &str = "usage: webhook_loop canonical|typed|verify|verify-hosted N";

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let n: usize = match args.next().map(|n| n.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/message_created_410.json"
    );
    let body = std::fs::read(path).expect("the fixture is in the repository");
    let secret =
        WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("a valid secret");
    let ts = 1_765_000_000;
    let now = Timestamp::from_unix_seconds(ts).expect("in range");
    let tolerance = Duration::from_secs(300);
    // The three headers as the web build hands them over: `name:value` lines.
    let lines = format!(
        "webhook-id:msg_1\nwebhook-timestamp:{ts}\nwebhook-signature:{}\n",
        secret.sign("msg_1", ts, &body)
    );
    let mut scratch = Vec::new();
    let mut done = 0;
    for _ in 0..n {
        let body = std::hint::black_box(&body[..]);
        let headers = || WebhookHeaders::from_lines(std::hint::black_box(&lines));
        done += match mode.as_str() {
            // What the web build runs: bytes to canonical JSON.
            "canonical" => parse_event_canonical(body, DEFAULT_MAX_BODY_BYTES).is_ok(),
            // What the native bindings run: bytes to typed values.
            "typed" => parse_event(body).is_ok(),
            "verify" => secret.verify(&headers(), body, now, tolerance).is_ok(),
            // The digest is not the real one, so the comparison fails, after
            // the same work as a match.
            "verify-hosted" => secret
                .verify_hashing_with(&headers(), body, now, tolerance, &mut scratch, |_| {
                    Some([0; 32])
                })
                .is_err(),
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        } as usize;
    }
    assert_eq!(done, n, "the fixture parses or verifies");
}
