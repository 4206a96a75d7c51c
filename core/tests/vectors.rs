//! Replays every shared vector in `tests/fixtures/` against the core.
//!
//! Each file is replayed by one test that collects every mismatch and fails
//! listing them all, so one broken case does not hide the others.

use std::time::Duration;

use antonnia_core::channel::{DeliveryReport, whatsapp_error_description};
use antonnia_core::ops::{Callable, DynamicCall};
use antonnia_core::webhook::{WebhookHeaders, WebhookReceiver, WebhookSecret};
use antonnia_core::{
    Call, Config, Error, Exchange, Failure, HttpRequest, HttpResponse, Limits, Message,
    MessageStream, Outcome, RetryDecision, RetryPolicy, RetrySafety, Step, StreamOptions,
    Timestamp,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[path = "../../tests/support/replay.rs"]
mod replay;
use replay::{body_of, check_error, expect_eq, fixtures_dir, load, replay};

fn headers_of(v: &Value) -> Vec<(String, String)> {
    v.get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn config_of(defaults: &Value, v: &Value) -> Result<Config, Error> {
    let base = &defaults["config"];
    let over = v.get("config").cloned().unwrap_or(json!({}));
    let token = over
        .get("token")
        .or(base.get("token"))
        .and_then(Value::as_str)
        .unwrap();
    let url = over
        .get("base_url")
        .or(base.get("base_url"))
        .and_then(Value::as_str)
        .unwrap();
    Config::new(token)?.with_base_url(url)
}

fn check_request(req: &HttpRequest, want: &Value) -> Result<(), String> {
    expect_eq("method", &json!(req.method.as_str()), &want["method"])?;
    expect_eq("url", &json!(req.url), &want["url"])?;
    for (name, value) in want["headers"].as_object().unwrap() {
        expect_eq(&format!("header {name}"), &json!(req.header(name)), value)?;
    }
    let ua = req.header("user-agent").unwrap_or_default();
    if !ua.starts_with("antonnia-sdk/") {
        return Err(format!("user-agent {ua:?}"));
    }
    let body = match &req.body {
        Some(b) => {
            serde_json::from_slice::<Value>(b).map_err(|e| format!("body is not JSON: {e}"))?
        }
        None => Value::Null,
    };
    if req.body.is_some() != req.header("content-type").is_some() {
        return Err("content-type must go with a body, and only with one".into());
    }
    expect_eq("body", &body, &want["body"])
}

#[test]
fn request_vectors() {
    let n = replay("requests.json", |defaults, v| {
        let config = config_of(defaults, v);
        if let Some(want) = v.get("config_error") {
            return match config {
                Err(e) => check_error(&e, want),
                Ok(_) => Err("configuration was accepted".into()),
            };
        }
        let config = config.map_err(|e| format!("config: {e}"))?;
        let name = v["call"].as_str().unwrap();
        // The typed builder, then the schema's generic one (the web build's).
        let typed = Call::from_json(name, v["args"].clone()).and_then(|call| call.build(&config));
        let generic = DynamicCall::from_json(name, v["args"].clone())
            .and_then(|call| Callable::build(&call, &config));
        for (builder, built) in [("typed", typed), ("schema", generic)] {
            match (built, v.get("request"), v.get("error")) {
                (Ok(req), Some(want), None) => check_request(&req, want),
                (Err(e), None, Some(want)) => check_error(&e, want),
                (Ok(req), None, Some(_)) => Err(format!("built {req:?}, want an error")),
                (Err(e), Some(_), None) => Err(format!("failed: {e:?}")),
                _ => Err("a vector needs exactly one of request / error".into()),
            }
            .map_err(|e| format!("{builder} builder: {e}"))?;
        }
        Ok(())
    });
    assert!(n >= 80, "{n}");
}

#[test]
fn response_vectors() {
    let n = replay("responses.json", |_, v| {
        let call = Call::from_json(v["call"].as_str().unwrap(), v["args"].clone())
            .map_err(|e| format!("args: {e}"))?;
        let r = &v["response"];
        let response = HttpResponse {
            status: r["status"].as_u64().unwrap() as u16,
            headers: headers_of(r),
            body: body_of(r),
        };
        match (call.parse(&response), v.get("result"), v.get("error")) {
            (Ok(out), Some(want), None) => expect_eq("result", &out.to_json(), want),
            (Err(e), None, Some(want)) => check_error(&e, want),
            (Ok(out), None, Some(_)) => Err(format!("parsed {:?}, want an error", out.to_json())),
            (Err(e), Some(_), None) => Err(format!("failed: {e:?}")),
            _ => Err("a vector needs exactly one of result / error".into()),
        }
    });
    assert!(n >= 60, "{n}");
}

#[test]
fn webhook_vectors() {
    let n = replay("webhooks.json", |defaults, v| {
        if v.get("sign").is_some() {
            let secret =
                WebhookSecret::new(v["secret"].as_str().unwrap()).map_err(|e| e.to_string())?;
            let sig = secret.sign(
                v["id"].as_str().unwrap(),
                v["timestamp"].as_i64().unwrap(),
                v["body"].as_str().unwrap().as_bytes(),
            );
            return expect_eq("signature", &json!(sig), &v["signature"]);
        }
        let tolerance = v.get("tolerance").unwrap_or(&defaults["tolerance"]);
        let limit = v
            .get("max_body_bytes")
            .unwrap_or(&defaults["max_body_bytes"]);
        let now = Timestamp::from_unix_seconds(v.get("now").and_then(Value::as_i64).unwrap_or(0))
            .unwrap();
        // Without a `secret`, a vector parses unverified unless it says `verify: true`.
        let secret = v.get("secret").and_then(Value::as_str);
        let verify = v
            .get("verify")
            .and_then(Value::as_bool)
            .unwrap_or(secret.is_some());
        let receiver = WebhookReceiver::from_options(secret, verify).map(|r| {
            r.with_tolerance(Duration::from_secs(tolerance.as_u64().unwrap()))
                .with_max_body_bytes(limit.as_u64().unwrap() as usize)
        });
        if let Ok(r) = &receiver {
            same_with_host_mac(r, &body_of(v), &headers_of(v), now)?;
        }
        let received = receiver.and_then(|r| r.receive(&body_of(v), &headers_of(v), now));
        match (received, v.get("event"), v.get("error")) {
            (Ok(event), Some(want), None) => {
                expect_eq("event", &event.to_json(), want)?;
                if let Some(outbound) = v.get("outbound") {
                    let got = antonnia_core::channel::outbound_message(&event).is_some();
                    expect_eq("outbound", &json!(got), outbound)?;
                }
                Ok(())
            }
            (Err(e), None, Some(want)) => check_error(&e, want),
            (Ok(event), None, Some(_)) => Err(format!("parsed {}, want an error", event.to_json())),
            (Err(e), Some(_), None) => Err(format!("failed: {e:?}")),
            _ => Err("a vector needs exactly one of event / error".into()),
        }
    });
    assert!(n >= 40, "{n}");
}

/// A verifying receiver whose host computes the HMAC's inner hash (the JS
/// binding on Node hashes with Node's SHA-256) must read every delivery as
/// it does on its own: the same canonical event, or the same error.
fn same_with_host_mac(
    r: &WebhookReceiver,
    body: &[u8],
    headers: &[(String, String)],
    now: Timestamp,
) -> Result<(), String> {
    let headers = WebhookHeaders::from_pairs(headers);
    let mut alone = Vec::new();
    let alone = r
        .receive_canonical_into(body, &headers, now, &mut alone)
        .map(|()| alone);
    if !r.verifies() {
        return Ok(());
    }
    let mut scratch = Vec::new();
    let mut hosted = Vec::new();
    let hosted = r
        .receive_canonical_into_hashing_with(
            body,
            &headers,
            now,
            &mut hosted,
            &mut scratch,
            |input| Some(Sha256::digest(input).into()),
        )
        .map(|()| hosted);
    if hosted != alone {
        return Err(format!("with the host's HMAC {hosted:?}, alone {alone:?}"));
    }
    // The relay's typed read too.
    let typed = r.receive_from(body, &headers, now);
    let hosted = r.receive_from_hashing_with(body, &headers, now, &mut scratch, |input| {
        Some(Sha256::digest(input).into())
    });
    if hosted == typed {
        Ok(())
    } else {
        Err(format!(
            "typed, with the host's HMAC {hosted:?}, alone {typed:?}"
        ))
    }
}

fn secs(v: &Value) -> Duration {
    Duration::from_secs_f64(v.as_f64().unwrap())
}

/// The defaults' `key` object with the vector's own fields over it.
fn merged(defaults: &Value, v: &Value, key: &str) -> Value {
    let mut p = defaults[key].clone();
    if let Some(over) = v.get(key).and_then(Value::as_object) {
        for (k, x) in over {
            p[k] = x.clone();
        }
    }
    p
}

fn policy_of(defaults: &Value, v: &Value) -> RetryPolicy {
    let p = merged(defaults, v, "policy");
    RetryPolicy {
        max_attempts: p["max_attempts"].as_u64().unwrap() as u32,
        initial_backoff: secs(&p["initial_backoff"]),
        max_backoff: secs(&p["max_backoff"]),
        max_retry_after: secs(&p["max_retry_after"]),
    }
}

#[test]
fn exchange_vectors() {
    // Each vector twice: results read by the typed decoders, and as
    // canonical JSON by the schema's generic one (what the web build uses).
    let n = replay("exchange.json", |defaults, v| {
        replay_exchange(defaults, v, false)?;
        replay_exchange(defaults, v, true).map_err(|e| format!("canonical: {e}"))
    });
    assert!(n >= 16, "{n}");
}

fn replay_exchange(defaults: &Value, v: &Value, canonical: bool) -> Result<(), String> {
    {
        let l = merged(defaults, v, "limits");
        let limits = Limits {
            timeout: secs(&l["timeout"]),
            total_timeout: l["total_timeout"].as_f64().map(Duration::from_secs_f64),
            max_response_bytes: l["max_response_bytes"].as_u64().unwrap() as usize,
        };
        let config = config_of(defaults, v).map_err(|e| format!("config: {e}"))?;
        let call = Call::from_json(v["call"].as_str().unwrap(), v["args"].clone())
            .map_err(|e| format!("args: {e}"))?;
        let mut exchange = Exchange::new(call, &config, policy_of(defaults, v), limits)
            .map_err(|e| format!("start: {e}"))?;
        if let Some(id) = v.get("request_id").and_then(Value::as_str) {
            exchange
                .set_request_id(id)
                .map_err(|e| format!("request_id: {e}"))?;
        }
        let steps = v["steps"].as_array().unwrap();
        for (i, s) in steps.iter().enumerate() {
            let field = |k: &str| s.get(k).unwrap_or(&defaults[k]).clone();
            let elapsed = secs(&field("elapsed"));
            let jitter = field("jitter").as_f64().unwrap();
            if let Some(want) = s.get("attempt_timeout") {
                expect_eq(
                    &format!("step {i} attempt_timeout"),
                    &json!(exchange.attempt_timeout(elapsed).as_secs_f64()),
                    &json!(want.as_f64().unwrap()),
                )?;
            }
            let step = if let Some(r) = s.get("response") {
                let response = HttpResponse {
                    status: r["status"].as_u64().unwrap() as u16,
                    headers: headers_of(r),
                    body: body_of(r),
                };
                let now = Timestamp::from_unix_seconds(field("now").as_i64().unwrap()).unwrap();
                if canonical {
                    match exchange.on_response_canonical(&response, elapsed, now, jitter) {
                        Step::Done(text) => Step::Done(
                            serde_json::from_str::<Value>(&text).map_err(|e| e.to_string())?,
                        ),
                        Step::Retry(after) => Step::Retry(after),
                        Step::Fail(e) => Step::Fail(e),
                    }
                } else {
                    match exchange.on_response(&response, elapsed, now, jitter) {
                        Step::Done(out) => Step::Done(out.to_json()),
                        Step::Retry(after) => Step::Retry(after),
                        Step::Fail(e) => Step::Fail(e),
                    }
                }
            } else {
                let failure = match s["failure"].as_str().unwrap() {
                    "body_too_large" => Failure::BodyTooLarge {
                        received: s["received"].as_u64().unwrap() as usize,
                    },
                    name => Failure::from_name(name).ok_or(format!("failure {name}"))?,
                };
                let detail = s.get("detail").and_then(Value::as_str).unwrap_or("");
                match exchange.on_failure(failure, detail, elapsed, jitter) {
                    Step::Done(out) => Step::Done(out.to_json()),
                    Step::Retry(after) => Step::Retry(after),
                    Step::Fail(e) => Step::Fail(e),
                }
            };
            let want = &s["expect"];
            let last = i + 1 == steps.len();
            match (
                step,
                want.get("retry_after"),
                want.get("result"),
                want.get("error"),
            ) {
                (Step::Retry(after), Some(w), None, None) if !last => expect_eq(
                    &format!("step {i} retry_after"),
                    &json!(after.as_secs_f64()),
                    w,
                )?,
                (Step::Done(out), None, Some(w), None) if last => {
                    expect_eq(&format!("step {i} result"), &out, w)?
                }
                (Step::Fail(e), None, None, Some(w)) if last => check_error(&e, w)?,
                (got, ..) => return Err(format!("step {i}: got {got:?}, want {want}")),
            }
        }
        Ok(())
    }
}

#[test]
fn stream_vectors() {
    let n = replay("stream.json", |defaults, v| {
        let o = merged(defaults, v, "options");
        let options = StreamOptions {
            poll_interval: secs(&o["poll_interval"]),
            max_poll_interval: secs(&o["max_poll_interval"]),
            page_size: o["page_size"].as_i64().unwrap(),
            from_start: o["from_start"].as_bool().unwrap(),
        };
        let session = v.get("session_id").unwrap_or(&defaults["session_id"]);
        let started = MessageStream::new(session.as_str().unwrap(), options).and_then(|mut s| {
            match v.get("after").and_then(Value::as_str) {
                Some(after) => s.start_after(after).map(|()| s),
                None => Ok(s),
            }
        });
        let mut stream = match (started, v.get("start_error")) {
            (Ok(s), None) => s,
            (Err(e), Some(want)) => return check_error(&e, want),
            (Ok(_), Some(_)) => return Err("the stream started, want an error".into()),
            (Err(e), None) => return Err(format!("start: {e}")),
        };
        for (i, step) in v["steps"].as_array().unwrap().iter().enumerate() {
            let call = stream.next_call();
            let want_call = Call::from_json("messages.search", step["call"].clone())
                .map_err(|e| format!("step {i} call: {e}"))?;
            if call != want_call {
                return Err(format!("step {i}: call {call:?}, want {want_call:?}"));
            }
            let want = &step["expect"];
            if let Some(page) = step.get("page") {
                let page: Vec<Message> =
                    serde_json::from_value(page.clone()).map_err(|e| e.to_string())?;
                let poll = stream.on_page(page);
                let ids: Vec<&str> = poll.messages.iter().map(|m| m.id.as_str()).collect();
                expect_eq(
                    &format!("step {i} messages"),
                    &json!(ids),
                    &want["messages"],
                )?;
                expect_eq(
                    &format!("step {i} wait"),
                    &json!(poll.wait.as_secs_f64()),
                    &want["wait"],
                )?;
            } else {
                let e = &step["error"];
                let error = match e.get("failure").and_then(Value::as_str) {
                    Some(_) => Error::transport("connection reset"),
                    None => Error::from_response(
                        &HttpResponse {
                            status: e["status"].as_u64().unwrap() as u16,
                            headers: headers_of(e),
                            body: body_of(e),
                        },
                        None,
                    ),
                };
                match (stream.on_error(error), want.get("wait"), want.get("stop")) {
                    (Ok(wait), Some(w), None) => {
                        expect_eq(&format!("step {i} wait"), &json!(wait.as_secs_f64()), w)?
                    }
                    (Err(e), None, Some(stop)) => check_error(&e, stop)?,
                    (got, ..) => return Err(format!("step {i}: got {got:?}, want {want}")),
                }
            }
        }
        Ok(())
    });
    assert!(n >= 12, "{n}");
}

#[test]
fn retry_vectors() {
    replay("retry.json", |defaults, v| {
        let policy = policy_of(defaults, v);
        let safety = match (v.get("safety").and_then(Value::as_str), v.get("call")) {
            (Some("idempotent"), _) => RetrySafety::Idempotent,
            (Some("not_idempotent"), _) => RetrySafety::NotIdempotent,
            (_, Some(call)) => {
                // Any arguments do: safety belongs to the call, not its arguments.
                let args = match call.as_str().unwrap() {
                    "sessions.get" => json!({"session_id": "s"}),
                    "messages.update" => json!({"session_id": "s", "message_id": "m"}),
                    "agents.delete" => json!({"agent_id": "a"}),
                    "messages.create" => {
                        json!({"session_id": "s", "content": {"type": "text", "text": "x"}})
                    }
                    "sessions.reply" => json!({"session_id": "s"}),
                    "sessions.create" => json!({"contact_id": "c", "contact_name": "n"}),
                    "agents.create" => json!({"name": "n", "type": "ai"}),
                    "survey_submissions.cancel" => {
                        json!({"session_id": "s", "survey_submission_id": "x"})
                    }
                    _ => json!({}),
                };
                Call::from_json(call.as_str().unwrap(), args)
                    .map_err(|e| e.to_string())?
                    .retry_safety()
            }
            _ => return Err("needs safety or call".into()),
        };
        let outcome = Outcome::from_json(&v["outcome"]).map_err(|e| e.to_string())?;
        let decision = policy.decide(
            safety,
            v["attempt"].as_u64().unwrap() as u32,
            &outcome,
            v["jitter"].as_f64().unwrap(),
        );
        let got = match decision {
            RetryDecision::Retry { after } => json!({"retry_after": after.as_secs_f64()}),
            RetryDecision::Stop => json!("stop"),
        };
        expect_eq("decision", &got, &v["decision"])
    });
}

#[test]
fn channel_vectors() {
    replay("channel.json", |defaults, v| {
        match v["kind"].as_str().unwrap() {
            "delivery" => {
                let config = config_of(defaults, v).map_err(|e| e.to_string())?;
                let update = DeliveryReport::from_json(v["report"].clone())
                    .map_err(|e| e.to_string())?
                    .to_update(
                        v["session_id"].as_str().unwrap(),
                        v["message_id"].as_str().unwrap(),
                    );
                let req =
                    antonnia_core::Operation::build(&update, &config).map_err(|e| e.to_string())?;
                check_request(&req, &v["request"])
            }
            "whatsapp" => expect_eq(
                "description",
                &json!(whatsapp_error_description(v["code"].as_i64().unwrap())),
                &v["description"],
            ),
            "next_page" => {
                let call = Call::from_json(v["call"].as_str().unwrap(), v["args"].clone())
                    .map_err(|e| e.to_string())?;
                let next = call.next_page(v["returned"].as_u64().unwrap() as usize);
                let want = match &v["next_args"] {
                    Value::Null => None,
                    args => Some(
                        Call::from_json(v["call"].as_str().unwrap(), args.clone())
                            .map_err(|e| e.to_string())?,
                    ),
                };
                if next == want {
                    Ok(())
                } else {
                    Err(format!("next page {next:?}, want {want:?}"))
                }
            }
            other => Err(format!("unknown kind {other}")),
        }
    });
}

#[test]
fn at_least_120_vectors_in_all() {
    let total: usize = [
        "requests.json",
        "responses.json",
        "webhooks.json",
        "retry.json",
        "channel.json",
    ]
    .iter()
    .map(|f| load(f).1.len())
    .sum();
    assert!(total >= 120, "{total}");
}

#[test]
fn benchmark_event_is_410_bytes_and_a_vector() {
    let body = std::fs::read(fixtures_dir().join("message_created_410.json")).unwrap();
    assert_eq!(body.len(), 410);
    let (_, vectors) = load("webhooks.json");
    assert!(
        vectors
            .iter()
            .any(|v| v["body"].as_str().map(str::as_bytes) == Some(body.as_slice()))
    );
}
