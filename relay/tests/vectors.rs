//! Replays the channel relay's shared vectors (`tests/fixtures/relay.json`)
//! against this crate: key names, record encoding, which webhooks matter and
//! every decision by name.
//!
//! The replay helpers are the core's, shared from `tests/support/replay.rs`.

use serde_json::{Value, json};

#[path = "../../tests/support/replay.rs"]
mod replay;
use replay::{body_of, check_error, expect_eq, replay};

#[test]
fn relay_vectors() {
    use antonnia_relay::{
        ContactRecord, InboundRecord, Keys, OutboundRecord, SessionRecord, classify_event,
        decide_json, decode_record, encode_record,
    };
    fn record<T: antonnia_relay::Record>(v: &Value) -> Result<(), String> {
        let text = v["text"].as_str().unwrap();
        match (decode_record::<T>(text), v.get("error")) {
            (Ok(r), None) => {
                let encoded = encode_record(&r);
                expect_eq("record", &serde_json::to_value(&r).unwrap(), &v["record"])?;
                expect_eq("encoded", &json!(encoded), &v["encoded"])
            }
            (Err(e), Some(want)) => check_error(&e, want),
            (Ok(r), Some(_)) => Err(format!("decoded {}, want an error", encode_record(&r))),
            (Err(e), None) => Err(e.to_string()),
        }
    }
    let n = replay("relay.json", |_, v| match v["kind"].as_str().unwrap() {
        "keys" => match (Keys::new(v["prefix"].as_str().unwrap()), v.get("error")) {
            (Ok(k), None) => {
                let s = |f: &str| v[f].as_str().unwrap();
                let (ct, user) = (s("channel_type"), s("channel_user_id"));
                let got = json!({
                    "lock": k.lock(ct, user),
                    "session": k.session(ct, user),
                    "inbound": k.inbound(ct, user, s("provider_message_id")),
                    "contact": k.contact(s("session_id")),
                    "queue": k.queue(s("session_id")),
                    "outbound": k.outbound(s("session_id"), s("message_id")),
                    "session_base": k.session_base(s("session_id")),
                    "pending": k.pending(ct),
                    "pending_member": k.pending_member(s("session_id"), s("message_id")),
                });
                expect_eq("keys", &got, &v["keys"])
            }
            (Err(e), Some(want)) => check_error(&e, want),
            (r, _) => Err(format!("got {r:?}")),
        },
        "record" => match v["type"].as_str().unwrap() {
            "session" => record::<SessionRecord>(v),
            "contact" => record::<ContactRecord>(v),
            "inbound" => record::<InboundRecord>(v),
            "outbound" => record::<OutboundRecord>(v),
            other => Err(format!("unknown record type {other}")),
        },
        "event" => {
            let event =
                antonnia_core::webhook::parse_event(&body_of(v)).map_err(|e| e.to_string())?;
            expect_eq(
                "action",
                &serde_json::to_value(classify_event(&event)).unwrap(),
                &v["action"],
            )
        }
        "decide" => match (
            decide_json(v["decision"].as_str().unwrap(), v["input"].clone()),
            v.get("error"),
        ) {
            (Ok(out), None) => expect_eq("output", &out, &v["output"]),
            (Err(e), Some(want)) => check_error(&e, want),
            (r, _) => Err(format!("got {r:?}")),
        },
        other => Err(format!("unknown kind {other}")),
    });
    assert!(n >= 60, "{n}");
}
