//! The in-memory store ([`antonnia_relay::memory::MemoryStore`]) replays the
//! store conformance scenarios (`tests/fixtures/relay_store.json`) that the
//! Lua scripts pass on a real Redis and a Redis Cluster (the Python and Node
//! suites), on a clock of its own: a `sleep` step moves it forward.

use antonnia_relay::Keys;
use antonnia_relay::memory::MemoryStore;
use antonnia_relay::run::{ClaimArgs, FinishState};
use serde_json::{Value, json};

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/relay_store.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn u64_of(step: &Value, name: &str) -> u64 {
    step[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} in {step}"))
}

fn str_of<'a>(step: &'a Value, name: &str) -> &'a str {
    step[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {step}"))
}

#[test]
fn the_store_conformance_scenarios_hold_for_the_memory_store() {
    let doc = fixture();
    let d = &doc["defaults"];
    let (sid, ct) = (str_of(d, "session_id"), str_of(d, "channel_type"));
    let retention = u64_of(d, "retention_ms");
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 18);
    for scenario in scenarios {
        let name = str_of(scenario, "name");
        let keys = Keys::new("conformance").unwrap();
        let mut store = MemoryStore::new();
        let mut now: i64 = 1_767_261_600_000;
        if !scenario["contact"].is_null() {
            store.put(
                &keys.contact(sid),
                &scenario["contact"].to_string(),
                Some(retention),
                now,
            );
        }
        for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
            let at = format!("{name} step {i} {step}");
            let mid = step["message_id"].as_str().unwrap_or_default();
            match str_of(step, "op") {
                "sleep" => now += i64::try_from(u64_of(step, "ms")).unwrap(),
                "claim" => {
                    let args = ClaimArgs {
                        outbound_key: keys.outbound(sid, mid),
                        queue_key: keys.queue(sid),
                        contact_key: keys.contact(sid),
                        message_id: mid.into(),
                        created_at_ms: step["created_at_ms"].as_i64().unwrap(),
                        message_json: json!({"id": mid}).to_string(),
                        token: str_of(step, "token").into(),
                        lease_ms: u64_of(step, "lease_ms"),
                        retention_ms: retention,
                        channel_type: ct.into(),
                        session_base: keys.session_base(sid),
                        pending_key: keys.pending(ct),
                        pending_member: keys.pending_member(sid, mid),
                    };
                    let got = store.claim(&args, now);
                    let want = &step["expect"];
                    assert_eq!(got["result"], want["result"], "{at}: {got}");
                    for (k, v) in want.as_object().unwrap() {
                        match k.as_str() {
                            "lease_ms" if v == 0 => assert_eq!(got[k], 0, "{at}: {got}"),
                            "lease_ms" => {
                                let left = got[k].as_u64().unwrap();
                                assert!(0 < left && left <= v.as_u64().unwrap(), "{at}: {got}");
                            }
                            "contact" => {
                                let contact: Value =
                                    serde_json::from_str(got[k].as_str().unwrap()).unwrap();
                                assert_eq!(contact, scenario["contact"], "{at}");
                            }
                            "message" => {
                                let stored: Value =
                                    serde_json::from_str(got[k].as_str().unwrap()).unwrap();
                                let id = if v == true { json!(mid) } else { v.clone() };
                                assert_eq!(stored["id"], id, "{at}: {got}");
                            }
                            _ => assert_eq!(&got[k], v, "{at}: {got}"),
                        }
                    }
                }
                "finish" => {
                    let state: FinishState = serde_json::from_value(step["state"].clone()).unwrap();
                    let outcome = serde_json::from_value(step["outcome"].clone()).unwrap();
                    let owned = store.finish(
                        &keys.outbound(sid, mid),
                        &keys.queue(sid),
                        mid,
                        str_of(step, "token"),
                        state,
                        outcome,
                        retention,
                        now,
                    );
                    assert_eq!(json!(owned), step["expect"], "{at}");
                }
                "extend" => {
                    let held = store.extend(
                        &keys.outbound(sid, mid),
                        str_of(step, "token"),
                        u64_of(step, "lease_ms"),
                        now,
                    );
                    assert_eq!(json!(held), step["expect"], "{at}");
                }
                "acquire" => {
                    let got = store.acquire(
                        &keys.lock(ct, "u1"),
                        str_of(step, "token"),
                        u64_of(step, "lease_ms"),
                        now,
                    );
                    assert_eq!(json!(got), step["expect"], "{at}");
                }
                "release" => {
                    store.release(&keys.lock(ct, "u1"), str_of(step, "token"), now);
                }
                "put_session" => {
                    let record = json!({"v": 1, "session_id": str_of(step, "session_id")});
                    store.put(
                        &keys.session(ct, "u1"),
                        &record.to_string(),
                        Some(retention),
                        now,
                    );
                }
                "forget" => {
                    let got =
                        store.forget(&keys.session(ct, "u1"), str_of(step, "session_id"), now);
                    assert_eq!(json!(got), step["expect"], "{at}");
                }
                "index_due" => {
                    let limit = step["limit"].as_u64().unwrap_or(100) as usize;
                    let due = store.index_due(
                        &keys.pending(ct),
                        now + step["after_ms"].as_i64().unwrap(),
                        limit,
                    );
                    let got: Vec<String> = due.into_iter().map(|(m, _)| m).collect();
                    let want: Vec<String> = step["expect"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| keys.pending_member(sid, m.as_str().unwrap()))
                        .collect();
                    assert_eq!(got, want, "{at}");
                }
                "index_put" => store.index_put(
                    &keys.pending(ct),
                    &keys.pending_member(sid, mid),
                    now + step["after_ms"].as_i64().unwrap(),
                ),
                "index_drop" => {
                    let members: Vec<String> = step["message_ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| keys.pending_member(sid, m.as_str().unwrap()))
                        .collect();
                    store.index_drop(&keys.pending(ct), &members);
                }
                other => panic!("{at}: unknown op {other}"),
            }
        }
    }
}

#[test]
fn expired_values_are_gone_and_swept() {
    let mut store = MemoryStore::new();
    store.put("a", "1", Some(10), 0);
    store.put("b", "2", None, 0);
    assert_eq!(
        store.get_many(&["a".into(), "b".into(), "c".into()], 9),
        [Some("1".into()), Some("2".into()), None]
    );
    assert_eq!(store.get("a", 10), None);
    // A lapsed lock is free; a held one is not; only its holder releases it.
    assert!(store.acquire("lock", "t1", 5, 0));
    assert!(!store.acquire("lock", "t2", 5, 4));
    assert!(!store.release("lock", "t2", 4));
    assert!(store.acquire("lock", "t2", 5, 5));
    assert!(store.release("lock", "t2", 6));
    // Thousands of short-lived writes do not pile up.
    for i in 0..10_000 {
        store.put(&format!("k{i}"), "v", Some(1), i);
    }
    assert!(store.len() < 4096, "{} values held", store.len());
}

#[test]
fn a_finish_state_is_read_by_its_name() {
    assert_eq!(
        "released".parse::<FinishState>().unwrap(),
        FinishState::Released
    );
    let e = "settled".parse::<FinishState>().unwrap_err();
    assert_eq!(
        (e.kind(), e.info().field.as_deref()),
        ("invalid_request", Some("state"))
    );
}
