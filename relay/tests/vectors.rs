//! Replays the channel relay's shared vectors (`tests/fixtures/relay.json`)
//! against this crate: key names, record encoding, which webhooks matter and
//! every decision by name.
//!
//! The replay helpers are those of `core/tests/vectors.rs` (one test that
//! collects every mismatch and fails listing them all; with `PARITY_DIR` set,
//! each vector's outcome is appended to `$PARITY_DIR/rust.jsonl` for
//! `make parity`'s cross-language table).

use std::path::PathBuf;

use antonnia_core::Error;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn load(file: &str) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(fixtures_dir().join(file)).expect("fixture file");
    let doc: Value = serde_json::from_str(&text).expect("fixture JSON");
    let vectors = doc["vectors"].as_array().expect("vectors array").clone();
    (doc["defaults"].clone(), vectors)
}

/// Runs `check` on every vector and fails with the list of every mismatch.
/// With `PARITY_DIR` set, also appends each vector's outcome to
/// `$PARITY_DIR/rust.jsonl` for `make parity`'s cross-language table.
fn replay(file: &str, check: impl Fn(&Value, &Value) -> Result<(), String>) -> usize {
    let (defaults, vectors) = load(file);
    let mut failures = Vec::new();
    let mut outcomes = String::new();
    let mut names = std::collections::HashSet::new();
    for v in &vectors {
        let name = v["name"].as_str().expect("every vector has a name");
        assert!(
            names.insert(name.to_string()),
            "duplicate vector name {name}"
        );
        let result = check(&defaults, v);
        outcomes.push_str(&json!({"file": file, "name": name, "ok": result.is_ok()}).to_string());
        outcomes.push('\n');
        if let Err(why) = result {
            failures.push(format!("{name}: {why}"));
        }
    }
    if let Some(dir) = std::env::var_os("PARITY_DIR") {
        use std::io::Write;
        std::fs::create_dir_all(&dir).expect("PARITY_DIR can be created");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(PathBuf::from(dir).join("rust.jsonl"))
            .and_then(|mut f| f.write_all(outcomes.as_bytes()))
            .expect("PARITY_DIR is writable");
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors in {file} failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    vectors.len()
}

fn body_of(v: &Value) -> Vec<u8> {
    if let Some(s) = v.get("body").and_then(Value::as_str) {
        s.as_bytes().to_vec()
    } else if let Some(j) = v.get("body_json") {
        serde_json::to_vec(j).unwrap()
    } else if let Some(b) = v.get("body_base64").and_then(Value::as_str) {
        STANDARD.decode(b).unwrap()
    } else if let Some(r) = v.get("body_repeat") {
        r["text"]
            .as_str()
            .unwrap()
            .repeat(r["count"].as_u64().unwrap() as usize)
            .into_bytes()
    } else {
        Vec::new()
    }
}

fn expect_eq(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}:\n  got  {got}\n  want {want}"))
    }
}

/// Checks an error against the fields a vector pins down.
fn check_error(e: &Error, want: &Value) -> Result<(), String> {
    let kind = want["kind"].as_str().unwrap();
    if e.kind() != kind {
        return Err(format!("error kind {} ({e}), want {kind}", e.kind()));
    }
    let text = e.to_string();
    let info = e.info();
    for (key, got) in [
        ("field", info.field.as_deref()),
        ("path", info.path.as_deref()),
        ("reason", info.reason),
    ] {
        if let Some(want) = want.get(key).and_then(Value::as_str) {
            if got != Some(want) {
                return Err(format!("want {key} {want:?}, got {e:?}"));
            }
        }
    }
    if let Some(prefix) = want.get("path_prefix").and_then(Value::as_str) {
        if !info.path.as_deref().unwrap_or("").starts_with(prefix) {
            return Err(format!("want a path starting {prefix:?}, got {e:?}"));
        }
    }
    if let Some(part) = want.get("message_contains").and_then(Value::as_str) {
        if !text.contains(part) {
            return Err(format!("message {text:?} lacks {part:?}"));
        }
    }
    if let Some(id) = want.get("request_id") {
        expect_eq("request_id", &json!(e.request_id()), id)?;
    }
    let api = e.api_error();
    if let Some(status) = want.get("status") {
        expect_eq("status", &json!(e.status()), status)?;
    }
    if let Some(message) = want.get("message") {
        expect_eq("message", &json!(api.map(|a| a.message.as_str())), message)?;
    }
    if let Some(retry) = want.get("retry_after") {
        expect_eq(
            "retry_after",
            &json!(e.retry_after().map(|d| d.as_secs_f64())),
            retry,
        )?;
    }
    if let Some(problems) = want.get("problems") {
        let got: Vec<Value> = api
            .map(|a| a.problems.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|p| json!({"loc": p.loc, "msg": p.msg, "type": p.kind}))
            .collect();
        expect_eq("problems", &json!(got), problems)?;
    }
    if let Some(data) = want.get("data") {
        expect_eq("data", &json!(api.and_then(|a| a.data.clone())), data)?;
    }
    if let Some(a) = api {
        assert!(a.body.len() <= antonnia_core::error::MAX_KEPT_ERROR_BODY + 3);
    }
    Ok(())
}

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
