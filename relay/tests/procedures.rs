//! The relay's other procedures as runs ([`antonnia_relay::run::inbound`],
//! [`antonnia_relay::run::recover`]) and its counters
//! ([`antonnia_relay::stats`]), played through the JSON driver the bindings
//! use: each test answers the effects as a host would and checks the
//! sequence the Python and Node relays performed by hand before.

use antonnia_relay::run::RunDriver;
use antonnia_relay::stats::{METRICS, Stats};
use serde_json::{Value, json};

fn config() -> Value {
    json!({"channel_type": "wa", "lock_wait_ms": 50, "agent_id": "ag1"})
}

fn inbound(contact_name: Option<&str>) -> RunDriver {
    let mut input = json!({
        "config": config(), "token": "tok", "channel_user_id": "u1", "provider_message_id": "p1",
    });
    if let Some(name) = contact_name {
        input["contact_name"] = json!(name);
    }
    RunDriver::from_value("inbound", input).unwrap()
}

fn step(d: &mut RunDriver, answer: Value) -> Value {
    d.resume_value(answer).unwrap()
}

fn effect(e: &Value) -> &str {
    e["effect"].as_str().unwrap()
}

const SESSION_KEY: &str = "antonnia:relay:{wa:u1}:session";
const INBOUND_KEY: &str = "antonnia:relay:{wa:u1}:in:p1";
const LOCK_KEY: &str = "antonnia:relay:{wa:u1}:lock";

fn release() -> Value {
    json!({"effect": "release", "key": LOCK_KEY, "token": "tok"})
}

#[test]
fn a_new_contact_gets_a_session_its_message_posted_and_a_reply_requested() {
    let mut d = inbound(Some("Jane"));
    assert_eq!(
        d.next_value(),
        json!({"effect": "acquire", "key": LOCK_KEY, "token": "tok", "lease_ms": 30000})
    );
    let e = step(&mut d, json!({"acquired": true, "waited_ms": 0}));
    assert_eq!(
        e,
        json!({"effect": "get_many", "keys": [SESSION_KEY, INBOUND_KEY]})
    );
    let e = step(&mut d, json!({"values": [null, null]}));
    assert_eq!(
        e,
        json!({"effect": "search_sessions", "status": "open",
               "metadata": {"channel_type": "wa", "channel_user_id": "u1"}})
    );
    let e = step(&mut d, json!({"sessions": []}));
    assert_eq!(
        e,
        json!({"effect": "create_session", "contact_id": "u1", "contact_name": "Jane", "agent_id": "ag1",
               "metadata": {"channel_type": "wa", "channel_user_id": "u1"}})
    );
    let e = step(&mut d, json!({"id": "s1"}));
    assert_eq!(
        e,
        json!({"effect": "put", "key": SESSION_KEY, "value": r#"{"v":1,"session_id":"s1"}"#,
               "ttl_ms": 604800000u64})
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(e["key"], "antonnia:relay:{s1}:contact");
    assert_eq!(
        e["value"],
        r#"{"v":1,"channel_type":"wa","channel_user_id":"u1","contact_name":"Jane"}"#
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(
        (e["key"].as_str(), e["value"].as_str()),
        (
            Some(INBOUND_KEY),
            Some(r#"{"v":1,"state":"posting","session_id":"s1"}"#)
        )
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(
        e,
        json!({"effect": "post_message", "session_id": "s1", "role": "user", "provider_message_id": "p1"})
    );
    let e = step(&mut d, json!({"id": "m1"}));
    assert_eq!(
        e,
        json!({"effect": "reply", "session_id": "s1", "debounce_time": 3})
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(
        e["value"],
        r#"{"v":1,"state":"posted","session_id":"s1","message_id":"m1"}"#
    );
    assert_eq!(step(&mut d, Value::Null), release());
    assert_eq!(
        step(&mut d, Value::Null),
        json!({"effect": "received", "session_id": "s1", "message_id": "m1", "duplicate": false})
    );
}

#[test]
fn the_oldest_open_session_found_is_reused_and_a_name_defaults_to_the_contact_id() {
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    step(&mut d, json!({"values": [null, null]}));
    let e = step(
        &mut d,
        json!({"sessions": [
            {"id": "s2", "created_at": "2026-01-01T10:00:00.5Z"},
            {"id": "s1", "created_at": "2026-01-01T10:00:00Z"},
        ]}),
    );
    assert_eq!(e["value"], r#"{"v":1,"session_id":"s1"}"#);
    let e = step(&mut d, Value::Null);
    assert_eq!(
        e["value"],
        r#"{"v":1,"channel_type":"wa","channel_user_id":"u1"}"#
    );

    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    step(&mut d, json!({"values": [null, null]}));
    let e = step(&mut d, json!({"sessions": []}));
    assert_eq!(e["contact_name"], "u1");
}

#[test]
fn a_held_lock_is_retried_with_backoff_until_the_wait_runs_out() {
    let mut d = inbound(None);
    let mut pauses = Vec::new();
    let mut waited = 0;
    let mut e = step(&mut d, json!({"acquired": false, "waited_ms": waited}));
    while effect(&e) == "sleep" {
        let ms = e["ms"].as_u64().unwrap();
        pauses.push(ms);
        waited += ms;
        assert_eq!(effect(&step(&mut d, Value::Null)), "acquire");
        e = step(&mut d, json!({"acquired": false, "waited_ms": waited}));
    }
    assert_eq!(pauses, [5, 10, 20, 40]);
    // No lock was taken: nothing to release.
    assert_eq!(
        e,
        json!({"effect": "failed", "error": "lock_timeout",
               "detail": "the contact's lock stayed held for 0.05 s"})
    );
    assert_eq!(d.tally().lock_wait_ms, 75);
}

#[test]
fn a_repeated_message_is_answered_from_its_record() {
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    let posted = r#"{"v":1,"state":"posted","session_id":"s1","message_id":"m1"}"#;
    assert_eq!(
        step(
            &mut d,
            json!({"values": [r#"{"v":1,"session_id":"s1"}"#, posted]})
        ),
        release()
    );
    assert_eq!(
        step(&mut d, Value::Null),
        json!({"effect": "received", "session_id": "s1", "message_id": "m1", "duplicate": true})
    );

    // A crash between posting and recording it: the session is searched for
    // the provider's id, and a message found is not posted again.
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    let posting = r#"{"v":1,"state":"posting","session_id":"s1"}"#;
    let e = step(&mut d, json!({"values": [null, posting]}));
    assert_eq!(
        e,
        json!({"effect": "find_posted", "session_id": "s1", "provider_message_id": "p1"})
    );
    let e = step(&mut d, json!({"message_id": "m1"}));
    assert_eq!(effect(&e), "reply");
}

#[test]
fn a_closed_session_is_forgotten_and_replaced() {
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    let cached = r#"{"v":1,"session_id":"s1"}"#;
    let e = step(&mut d, json!({"values": [cached, null]}));
    assert_eq!(e["value"], r#"{"v":1,"state":"posting","session_id":"s1"}"#);
    step(&mut d, Value::Null);
    step(&mut d, json!({"id": "m1"}));
    let e = step(&mut d, json!({"error": "rejected"}));
    assert_eq!(e, json!({"effect": "fetch_session", "session_id": "s1"}));
    let e = step(&mut d, json!({"metadata": null, "status": "closed"}));
    assert_eq!(
        e,
        json!({"effect": "forget", "key": SESSION_KEY, "session_id": "s1"})
    );
    assert_eq!(effect(&step(&mut d, Value::Null)), "search_sessions");

    // Refused while open: the refusal is the caller's (the host raises it).
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    step(&mut d, json!({"values": [cached, null]}));
    step(&mut d, Value::Null);
    step(&mut d, json!({"id": "m1"}));
    step(&mut d, json!({"error": "rejected"}));
    assert_eq!(
        step(&mut d, json!({"metadata": null, "status": "open"})),
        release()
    );
    assert_eq!(
        step(&mut d, Value::Null),
        json!({"effect": "failed", "error": "host", "cause": "rejected"})
    );
}

#[test]
fn failures_release_the_lock_then_end_the_run() {
    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    step(&mut d, json!({"values": [null, null]}));
    step(&mut d, json!({"sessions": []}));
    assert_eq!(step(&mut d, json!({"error": "api_unavailable"})), release());
    // The release failing in the store is left to the lease.
    assert_eq!(
        step(&mut d, json!({"error": "store_unavailable"})),
        json!({"effect": "failed", "error": "host", "cause": "api_unavailable"})
    );

    let mut d = inbound(None);
    step(&mut d, json!({"acquired": true}));
    assert_eq!(
        step(
            &mut d,
            json!({"values": [r#"{"v":9,"session_id":"s1"}"#, null]})
        ),
        release()
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(e["error"], "bad_record");
    assert!(e["detail"].as_str().unwrap().contains("version 9"), "{e}");

    // A failure before the lock is held ends the run at once.
    let mut d = inbound(None);
    assert_eq!(
        step(&mut d, json!({"error": "store_unavailable"})),
        json!({"effect": "failed", "error": "host", "cause": "store_unavailable"})
    );
    assert!(d.resume_value(Value::Null).is_err());
}

#[test]
fn inbound_inputs_are_checked() {
    for input in [
        json!({"config": config(), "token": "t", "provider_message_id": "p"}),
        json!({"config": config(), "token": "t", "channel_user_id": "", "provider_message_id": "p"}),
        json!({"config": config(), "channel_user_id": "u", "provider_message_id": "p"}),
        json!({"config": {"channel_type": ""}, "token": "t", "channel_user_id": "u", "provider_message_id": "p"}),
    ] {
        let e = RunDriver::from_value("inbound", input.clone()).unwrap_err();
        assert_eq!(e.kind(), "invalid_request", "{input}");
    }
    assert!(!format!("{:?}", inbound(None)).contains("tok"));
}

// ---------------------------------------------------------------- recovery --

fn message(id: &str) -> String {
    json!({"id": id, "session_id": "s1", "role": "assistant", "delivery_status": "pending",
           "content": {"type": "text", "text": "hi"}, "created_at": "2026-01-01T10:00:05Z"})
    .to_string()
}

fn pending_record(id: &str) -> String {
    json!({"v": 1, "state": "pending", "created_at_ms": 5, "attempts": 1, "lease_until_ms": 0,
           "owner": "dead", "message": message(id)})
    .to_string()
}

fn recover(limit: u32) -> RunDriver {
    RunDriver::from_value(
        "recover",
        json!({"config": {"channel_type": "wa", "strict_order": false}, "token": "tok", "limit": limit}),
    )
    .unwrap()
}

const INDEX: &str = "antonnia:relay:pending:wa";
const CONTACT: &str = r#"{"v":1,"channel_type":"wa","channel_user_id":"u1"}"#;

#[test]
fn a_sweep_redelivers_stranded_messages_and_drops_settled_entries() {
    let mut d = recover(100);
    assert_eq!(
        d.next_value(),
        json!({"effect": "index_due", "key": INDEX, "limit": 100})
    );
    let e = step(&mut d, json!({"members": ["s1:m1", "s1:gone", "nonsense"]}));
    assert_eq!(
        e,
        json!({"effect": "get_many", "keys": ["antonnia:relay:{s1}:out:m1", "antonnia:relay:{s1}:out:gone"]})
    );
    let e = step(&mut d, json!({"values": [pending_record("m1"), null]}));
    assert_eq!(effect(&e), "claim");
    assert_eq!(e["args"]["token"], "tok.s1");
    let e = step(
        &mut d,
        json!({"result": {"result": "claimed", "attempt": 2, "contact": CONTACT}}),
    );
    assert_eq!(effect(&e), "get_message");
    let e = step(&mut d, json!({"delivery_status": "pending"}));
    assert_eq!((effect(&e), &e["redelivery"]), ("deliver", &json!(true)));
    let e = step(
        &mut d,
        json!({"delivery": "sent", "provider_message_id": "w1"}),
    );
    assert_eq!(effect(&e), "report");
    assert_eq!(effect(&step(&mut d, Value::Null)), "finish");
    let e = step(&mut d, Value::Null);
    assert_eq!(
        e,
        json!({"effect": "index_drop", "key": INDEX, "members": ["s1:m1", "s1:gone", "nonsense"]})
    );
    assert_eq!(
        step(&mut d, Value::Null),
        json!({"effect": "recovered", "found": [{"session_id": "s1", "message_id": "m1", "outcome": "sent"}]})
    );
    assert_eq!(d.tally().redelivered, 1);
}

#[test]
fn a_held_or_unreachable_entry_is_rescheduled_and_a_full_round_asks_again() {
    let mut d = recover(2);
    step(&mut d, json!({"members": ["s1:m1", "s1:m2"]}));
    step(
        &mut d,
        json!({"values": [pending_record("m1"), pending_record("m2")]}),
    );
    // m1 is held elsewhere: never waited for, looked at again after its lease.
    let e = step(
        &mut d,
        json!({"result": {"result": "busy", "lease_ms": 1500}}),
    );
    assert_eq!(
        e,
        json!({"effect": "index_put", "key": INDEX, "member": "s1:m1", "due_in_ms": 2000})
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(e["args"]["message_id"], "m2");
    // m2's API call fails: kept, with the host's error's class for the log.
    let e = step(
        &mut d,
        json!({"result": {"result": "claimed", "attempt": 2, "contact": CONTACT}}),
    );
    assert_eq!(effect(&e), "get_message");
    // (Its claim is left to lapse: the next sweep verifies it again.)
    let e = step(
        &mut d,
        json!({"error": "api_unavailable", "name": "ConnectError"}),
    );
    assert_eq!(
        e,
        json!({"effect": "index_put", "key": INDEX, "member": "s1:m2", "due_in_ms": 1000})
    );
    // A full round: the next one is read.
    let e = step(&mut d, Value::Null);
    assert_eq!(effect(&e), "index_due");
    assert_eq!(
        step(&mut d, json!({"members": []})),
        json!({"effect": "recovered", "found": [
            {"session_id": "s1", "message_id": "m1", "outcome": "busy"},
            {"session_id": "s1", "message_id": "m2", "outcome": "api_unavailable", "error": "ConnectError"},
        ]})
    );
}

#[test]
fn a_store_failure_stops_the_sweep_and_a_newer_record_is_left() {
    let mut d = recover(100);
    assert_eq!(
        step(&mut d, json!({"error": "store_unavailable"})),
        json!({"effect": "failed", "error": "store_unavailable", "cause": "store_unavailable"})
    );

    let mut d = recover(100);
    step(&mut d, json!({"members": ["s1:m1", "s1:m2"]}));
    let e = step(
        &mut d,
        json!({"values": [r#"{"v":2,"state":"pending"}"#, pending_record("m2")]}),
    );
    assert_eq!(
        e,
        json!({"effect": "index_put", "key": INDEX, "member": "s1:m1", "due_in_ms": 30000})
    );
    assert_eq!(effect(&step(&mut d, Value::Null)), "claim");
    assert_eq!(
        step(&mut d, json!({"error": "store_unavailable"})),
        json!({"effect": "failed", "error": "store_unavailable", "cause": "store_unavailable"})
    );

    assert!(
        RunDriver::from_value(
            "recover",
            json!({"config": config(), "token": "t", "limit": 0})
        )
        .is_err()
    );
}

#[test]
fn a_finished_session_of_this_channel_is_forgotten() {
    let forget = || {
        RunDriver::from_value(
            "forget",
            json!({"config": {"channel_type": "wa"}, "session_id": "s1"}),
        )
        .unwrap()
    };
    let mut d = forget();
    assert_eq!(
        d.next_value(),
        json!({"effect": "get_many", "keys": ["antonnia:relay:{s1}:contact"]})
    );
    let e = step(&mut d, json!({"values": [CONTACT]}));
    assert_eq!(
        e,
        json!({"effect": "forget", "key": SESSION_KEY, "session_id": "s1"})
    );
    let e = step(&mut d, Value::Null);
    assert_eq!(
        (effect(&e), &e["outcome"], &e["response"]["status"]),
        ("done", &json!("forgotten"), &json!(200))
    );

    for record in [
        json!(r#"{"v":1,"channel_type":"sms","channel_user_id":"u1"}"#),
        Value::Null,
    ] {
        let mut d = forget();
        assert_eq!(
            step(&mut d, json!({"values": [record]}))["outcome"],
            "forgotten"
        );
    }
    let mut d = forget();
    let e = step(&mut d, json!({"error": "store_unavailable"}));
    assert_eq!(
        (&e["outcome"], &e["response"]["status"]),
        (&json!("store_unavailable"), &json!(503))
    );
}

// ---------------------------------------------------------------- counters --

#[test]
fn the_counters_add_up_answers_deliveries_waits_and_sweeps() {
    let mut stats = Stats::new("wa");
    assert_eq!(stats.respond("sent", None).status, 200);
    assert_eq!(stats.respond("busy", Some(2)).retry_after, Some(2));
    stats.respond("bad_signature", None);

    let mut d = recover(100);
    step(&mut d, json!({"members": ["s1:m1"]}));
    step(&mut d, json!({"values": [pending_record("m1")]}));
    step(
        &mut d,
        json!({"result": {"result": "claimed", "attempt": 2, "contact": CONTACT}}),
    );
    step(&mut d, json!({"delivery_status": "pending"}));
    step(&mut d, json!({"delivery": "crashed"}));
    step(&mut d, Value::Null);
    step(&mut d, Value::Null);
    stats.add(&d);

    let mut d = inbound(None);
    step(&mut d, json!({"acquired": false, "waited_ms": 0}));
    step(&mut d, Value::Null);
    step(&mut d, json!({"acquired": true}));
    step(
        &mut d,
        json!({"values": [null, r#"{"v":1,"state":"posted","session_id":"s1"}"#]}),
    );
    step(&mut d, Value::Null);
    stats.add(&d);

    let s = stats.snapshot();
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({
            "channel_type": "wa", "webhooks_received": 3,
            "webhooks": {"bad_signature": 1, "busy": 1, "sent": 1}, "unavailable": 1,
            "delivered": 0, "redelivered": 0, "failed": 0, "crashed": 1,
            "received": 1, "received_duplicates": 1,
            "claim_waits": 0, "claim_wait_ms": 0, "lock_waits": 1, "lock_wait_ms": 5,
            "sweeps": 1, "recovered": {"deliver_crashed": 1},
        })
    );

    let text = stats.prometheus_text();
    for line in [
        "# TYPE antonnia_relay_webhooks_total counter",
        r#"antonnia_relay_webhooks_total{channel_type="wa",outcome="busy",status="503"} 1"#,
        r#"antonnia_relay_webhooks_total{channel_type="wa",outcome="bad_signature",status="401"} 1"#,
        r#"antonnia_relay_deliveries_total{channel_type="wa",result="crashed"} 1"#,
        r#"antonnia_relay_messages_received_total{channel_type="wa",duplicate="true"} 1"#,
        r#"antonnia_relay_lock_wait_seconds_total{channel_type="wa"} 0.005"#,
        r#"antonnia_relay_recovered_total{channel_type="wa",outcome="deliver_crashed"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    // Every metric is declared once, with its help.
    for m in METRICS {
        assert_eq!(
            text.matches(&format!("# HELP {} ", m.prometheus)).count(),
            1
        );
    }
    let escaped = Stats::new("a\"b\\c\nd").prometheus_text();
    assert!(
        escaped.contains(r#"channel_type="a\"b\\c\nd""#),
        "{escaped}"
    );
}
