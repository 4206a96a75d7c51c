//! Any status, `Retry-After` and body as the response to every call: a typed
//! result or an error, never a panic.
#![no_main]

mod common;

use std::sync::OnceLock;

use antonnia_core::{Call, HttpResponse};
use libfuzzer_sys::fuzz_target;

/// One call of each name, made once. Every call refuses unknown arguments,
/// so each takes only its own from this shared set; a call that cannot be
/// made stops the target at once rather than leaving it parsing nothing.
fn calls() -> &'static [Call] {
    static CALLS: OnceLock<Vec<Call>> = OnceLock::new();
    CALLS.get_or_init(|| {
        let args = serde_json::json!({
            "session_id": "s", "message_id": "m", "agent_id": "a", "survey_submission_id": "x",
            "contact_id": "c", "contact_name": "n", "name": "n", "type": "human", "profile_id": "p",
            "content": {"type": "text", "text": "t"}, "scheduled_for": "2025-01-01T00:00:00Z",
            "config": {"type": "node", "node_id": "n"}, "fields": {"status": "open"},
        });
        Call::NAMES
            .iter()
            .map(|name| match common::call_from_json(name, args.clone()) {
                Ok((call, _)) => call,
                Err(e) => panic!("{name} cannot be made from the shared arguments: {e}"),
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let call = &calls()[usize::from(data[2]) % Call::NAMES.len()];
    let rest = &data[3..];
    let split = rest.iter().position(|b| *b == b'\n').unwrap_or(0);
    let (retry_after, body) = rest.split_at(split);
    let response = HttpResponse::new(status, body).with_header(
        "retry-after",
        String::from_utf8_lossy(retry_after).into_owned(),
    );
    let _ = call.parse(&response);
});
