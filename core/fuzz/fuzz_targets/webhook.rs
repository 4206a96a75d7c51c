//! Any bytes as a webhook body, with and without signature checking: the
//! result is an event or an error, never a panic, and an event always
//! serializes back to JSON that parses as the same event.
#![no_main]

use antonnia_core::Timestamp;
use antonnia_core::webhook::{WebhookReceiver, parse_event};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = parse_event(data) {
        let again = serde_json::to_vec(&event.to_json()).expect("events serialize");
        let reparsed = parse_event(&again).expect("a serialized event parses");
        assert_eq!(reparsed.event_type(), event.event_type());
    }
    // Split the input into a signature header and a body to exercise verification.
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (sig, body) = data.split_at(split);
    let headers = vec![
        ("webhook-id".to_string(), "msg_fuzz".to_string()),
        ("webhook-timestamp".to_string(), "1700000000".to_string()),
        (
            "webhook-signature".to_string(),
            String::from_utf8_lossy(sig).into_owned(),
        ),
    ];
    let receiver =
        WebhookReceiver::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").expect("valid secret");
    let now = Timestamp::from_unix_seconds(1_700_000_000).expect("valid time");
    let _ = receiver.receive(body, &headers, now);
});
