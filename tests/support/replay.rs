//! The shared vectors' replay, for each crate's Rust tests (`core/tests/vectors.rs`,
//! `relay/tests/vectors.rs` include this file): loading a fixture, one test
//! that collects every mismatch and fails listing them all, and the checks
//! every language makes of a result or an error. With `PARITY_DIR` set, each
//! vector's outcome is appended to `$PARITY_DIR/rust.jsonl` for `make
//! parity`'s cross-language table.

// Each including test uses only some of them.
#![allow(dead_code)]

use std::path::PathBuf;

use antonnia_core::Error;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

pub fn load(file: &str) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(fixtures_dir().join(file)).expect("fixture file");
    let doc: Value = serde_json::from_str(&text).expect("fixture JSON");
    let vectors = doc["vectors"].as_array().expect("vectors array").clone();
    (doc["defaults"].clone(), vectors)
}

/// Runs `check` on every vector and fails with the list of every mismatch.
/// With `PARITY_DIR` set, also appends each vector's outcome to
/// `$PARITY_DIR/rust.jsonl` for `make parity`'s cross-language table.
pub fn replay(file: &str, check: impl Fn(&Value, &Value) -> Result<(), String>) -> usize {
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

pub fn body_of(v: &Value) -> Vec<u8> {
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

pub fn expect_eq(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}:\n  got  {got}\n  want {want}"))
    }
}

/// Checks an error against the fields a vector pins down.
pub fn check_error(e: &Error, want: &Value) -> Result<(), String> {
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
