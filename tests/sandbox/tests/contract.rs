//! The sandbox's responses and webhook bodies checked against the documented
//! shapes, without antonnia-core: raw HTTP in, raw JSON out, compared key by
//! key with example objects copied from the contract (the Quick Start's own
//! samples, and CONTRACT.md's field lists written out as objects). Field
//! names, JSON types, `type` tags and the RFC 3339 `Z` form of times must
//! match; ids, times and texts may differ.

use std::net::SocketAddr;
use std::time::Duration;

use antonnia_sandbox::{Sandbox, SandboxConfig};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

// ---- The documented examples --------------------------------------------------

/// The Quick Start's session response, verbatim.
fn quickstart_session() -> Value {
    json!({
        "id": "sess_abc123",
        "contact_id": "user_123",
        "status": "open",
        "agent": {
            "id": "agent_abc",
            "name": "Support Bot",
            "type": "ai"
        },
        "metadata": {
            "channel_type": "my_channel",
            "channel_user_id": "ext_user_456"
        },
        "created_at": "2025-01-15T10:30:00Z"
    })
}

/// The Quick Start's `message.created` webhook, verbatim.
fn quickstart_webhook() -> Value {
    json!({
        "type": "message.created",
        "data": {
            "object": {
                "id": "msg_xyz789",
                "session_id": "sess_abc123",
                "role": "assistant",
                "content": { "type": "text", "text": "I'd be happy to help with your order. Could you share your order number?" },
                "delivery_status": "pending"
            }
        }
    })
}

/// CONTRACT.md's Agent, `ai`.
fn ai_agent() -> Value {
    json!({
        "id": "agent_abc",
        "type": "ai",
        "organization_id": "org_abc",
        "name": "Support Bot",
        "assistant_id": "asst_abc",
        "created_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's Agent, `human`.
fn human_agent() -> Value {
    json!({
        "id": "agent_def",
        "type": "human",
        "organization_id": "org_abc",
        "name": "Ana",
        "profile_id": "prof_abc",
        "created_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's Session, every field set; `{}` marks free-form metadata.
fn session() -> Value {
    json!({
        "id": "sess_abc123",
        "contact_id": "user_123",
        "organization_id": "org_abc",
        "conversation_id": "conv_abc",
        "thread_id": "thread_abc",
        "status": "open",
        "agent": ai_agent(),
        "ending_survey_submission_id": "survsub_abc",
        "metadata": {},
        "created_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's message content, one of each kind with every field set.
fn contents() -> Vec<Value> {
    vec![
        json!({"type": "text", "text": "Hello, I need help with my order",
               "template_id": "tmpl_abc", "template_parameters": {}}),
        json!({"type": "image", "url": "https://files.test/a.png"}),
        json!({"type": "video", "url": "https://files.test/a.mp4"}),
        json!({"type": "audio", "url": "https://files.test/a.ogg", "transcript": "hello"}),
        json!({"type": "file", "url": "https://files.test/a.pdf", "mime_type": "application/pdf",
               "name": "order.pdf"}),
        json!({"type": "function_call", "id": "call_abc", "name": "lookup_order",
               "input": "{\"order\": 42}"}),
        json!({"type": "function_result", "id": "call_abc", "name": "lookup_order",
               "output": "shipped"}),
        json!({"type": "thought", "thought": "The user wants their order status."}),
    ]
}

/// CONTRACT.md's Message, every field set, with `content` of the given kind.
fn message(content: Value) -> Value {
    json!({
        "id": "msg_xyz789",
        "session_id": "sess_abc123",
        "conversation_id": "conv_abc",
        "organization_id": "org_abc",
        "role": "user",
        "content": content,
        "provider_message_id": "ext_msg_001",
        "replied_provider_message_id": "ext_msg_000",
        "run_id": "run_abc",
        "created_at": "2025-01-15T10:30:00Z",
        "delivery_status": "failed",
        "delivery_error_code": 131047,
        "delivery_error_message": "Re-engagement message",
        "delivered_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's SurveySubmission.
fn survey_submission() -> Value {
    json!({
        "id": "survsub_abc",
        "survey_id": "survey_csat",
        "session_id": "sess_abc123",
        "organization_id": "org_abc",
        "status": "pending",
        "created_at": "2025-01-15T10:30:00Z",
        "expires_at": "2025-01-16T10:30:00Z",
        "finished_at": "2025-01-15T11:00:00Z",
        "updated_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's SessionSchedule with the given `config`.
fn schedule(config: Value) -> Value {
    json!({
        "id": "sched_abc",
        "session_id": "sess_abc123",
        "organization_id": "org_abc",
        "scheduled_for": "2025-01-15T12:00:00Z",
        "config": config,
        "status": "scheduled",
        "created_at": "2025-01-15T10:30:00Z"
    })
}

/// CONTRACT.md's webhook envelope.
fn event(event_type: &str, object: Value) -> Value {
    json!({
        "id": "evt_abc",
        "type": event_type,
        "created_at": "2025-01-15T10:30:00Z",
        "data": {"object": object, "action": "expired"}
    })
}

/// The values CONTRACT.md allows for its enumerated fields.
const ENUMS: &[(&str, &[&str])] = &[
    ("role", &["user", "assistant"]),
    (
        "delivery_status",
        &["pending", "sent", "delivered", "read", "failed", "rejected"],
    ),
    (
        "status",
        &[
            "open",
            "closed",
            "pending",
            "finished",
            "cancelled",
            "scheduled",
            "completed",
            "failed",
        ],
    ),
];

// ---- The comparison ---------------------------------------------------------

/// Fields an example has that a response may lack (the sandbox leaves unset
/// optional fields out).
const NONE: &[&str] = &[];
const UNDELIVERED: &[&str] = &[
    "delivery_error_code",
    "delivery_error_message",
    "delivered_at",
];

/// How `actual` differs from `example`: a documented key missing (unless
/// `optional`), a key the example does not have (when `strict`), another JSON
/// type, another `type` tag, a time not in RFC 3339 UTC, an undocumented enum value.
fn differences(actual: &Value, example: &Value, optional: &[&str], strict: bool) -> Vec<String> {
    let mut found = Vec::new();
    compare("$", "", actual, example, optional, strict, &mut found);
    found
}

fn compare(
    path: &str,
    key: &str,
    actual: &Value,
    example: &Value,
    optional: &[&str],
    strict: bool,
    found: &mut Vec<String>,
) {
    match (actual, example) {
        // `{}` in an example is a free-form object (metadata, template parameters).
        (Value::Object(_), Value::Object(e)) if e.is_empty() => {}
        (Value::Object(a), Value::Object(e)) => {
            for (k, ev) in e {
                let at = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => compare(&at, k, av, ev, optional, strict, found),
                    None if optional.contains(&k.as_str()) => {}
                    None => found.push(format!("{at}: missing")),
                }
            }
            if strict {
                for k in a.keys().filter(|k| !e.contains_key(*k)) {
                    found.push(format!("{path}.{k}: not in the contract"));
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let Some(e0) = e.first() {
                for (i, av) in a.iter().enumerate() {
                    compare(
                        &format!("{path}[{i}]"),
                        key,
                        av,
                        e0,
                        optional,
                        strict,
                        found,
                    );
                }
            }
        }
        (Value::String(a), Value::String(e)) => {
            if is_utc_time(e) && !is_utc_time(a) {
                found.push(format!("{path}: {a:?} is not an RFC 3339 UTC time with Z"));
            }
            if key == "type" && a != e {
                found.push(format!("{path}: type {a:?}, documented {e:?}"));
            }
            if let Some((_, allowed)) = ENUMS.iter().find(|(name, _)| *name == key) {
                if !allowed.contains(&a.as_str()) {
                    found.push(format!("{path}: {a:?} is not one of {allowed:?}"));
                }
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            if e.is_i64() && !a.is_i64() {
                found.push(format!("{path}: {a} is not an integer"));
            }
        }
        (Value::Bool(_), Value::Bool(_)) | (Value::Null, Value::Null) => {}
        _ => found.push(format!(
            "{path}: {} where the contract has {}",
            type_name(actual),
            type_name(example)
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
fn is_utc_time(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let head = shape.iter().zip(b).all(|(want, got)| {
        if *want == b'd' {
            got.is_ascii_digit()
        } else {
            want == got
        }
    });
    let tail = &b[19..b.len() - 1];
    head && (tail.is_empty()
        || (tail[0] == b'.' && tail.len() > 1 && tail[1..].iter().all(u8::is_ascii_digit)))
}

#[track_caller]
fn assert_shape(what: &str, actual: &Value, example: &Value, optional: &[&str]) {
    let found = differences(actual, example, optional, true);
    assert!(found.is_empty(), "{what}: {found:#?}\nresponse: {actual:#}");
}

/// Every key of a (partial) sample is there with its type; more keys are fine.
#[track_caller]
fn assert_has_sample(what: &str, actual: &Value, sample: &Value) {
    let found = differences(actual, sample, NONE, false);
    assert!(found.is_empty(), "{what}: {found:#?}\nresponse: {actual:#}");
}

#[test]
fn the_comparison_catches_what_it_promises_to() {
    let example = json!({"id": "a", "type": "text", "n": 1, "at": "2025-01-15T10:30:00Z",
                         "status": "open", "meta": {}});
    let good = json!({"id": "b", "type": "text", "n": 7, "at": "2026-02-01T00:00:00.5Z",
                      "status": "closed", "meta": {"x": [1]}});
    assert!(differences(&good, &example, NONE, true).is_empty());
    let cases = [
        (json!({"identifier": "b"}), "$.id: missing"),
        (json!({"extra": 1}), "$.extra: not in the contract"),
        (
            json!({"n": "7"}),
            "$.n: a string where the contract has a number",
        ),
        (json!({"n": 7.5}), "$.n: 7.5 is not an integer"),
        (json!({"type": "image"}), "$.type: type"),
        (json!({"at": "2025-01-15T10:30:00+00:00"}), "$.at: "),
        (json!({"at": "2025-01-15 10:30:00Z"}), "$.at: "),
        (
            json!({"status": "paused"}),
            "$.status: \"paused\" is not one of",
        ),
        (json!({"meta": []}), "$.meta: an array where"),
    ];
    for (change, expected) in cases {
        let mut bad = good.clone();
        let change = change.as_object().unwrap();
        for (k, v) in change {
            bad.as_object_mut().unwrap().insert(k.clone(), v.clone());
        }
        if change.contains_key("identifier") {
            bad.as_object_mut().unwrap().remove("id");
        }
        let found = differences(&bad, &example, &["identifier"], true);
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{change:?}: {found:?}"
        );
    }
    assert!(differences(&json!({}), &json!({"id": "a"}), &["id"], true).is_empty());
    assert!(
        differences(
            &json!({"id": "a", "more": 1}),
            &json!({"id": "a"}),
            NONE,
            false
        )
        .is_empty()
    );
}

// ---- The sandbox ------------------------------------------------------------

/// A bare webhook endpoint that hands out each body as JSON.
struct Hook {
    url: String,
    bodies: mpsc::UnboundedReceiver<Value>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Hook {
    async fn start() -> Hook {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (tx, bodies) = mpsc::unbounded_channel();
        async fn accept(State(tx): State<mpsc::UnboundedSender<Value>>, body: Bytes) -> StatusCode {
            let parsed = serde_json::from_slice(&body)
                .unwrap_or_else(|e| json!({"unparsable": e.to_string()}));
            let _ = tx.send(parsed);
            StatusCode::NO_CONTENT
        }
        let app = Router::new().route("/hook", post(accept)).with_state(tx);
        let (stop, mut stopping) = watch::channel(false);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopping.wait_for(|s| *s).await;
                })
                .await;
        });
        Hook {
            url,
            bodies,
            stop,
            server,
        }
    }

    /// The next body whose `type` is `event_type` and whose object passes `wanted`.
    async fn next(&mut self, event_type: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let body = tokio::time::timeout_at(deadline, self.bodies.recv())
                .await
                .unwrap_or_else(|_| panic!("no {event_type} webhook within 5 s"))
                .expect("hook open");
            if body["type"] == event_type && wanted(&body["data"]["object"]) {
                return body;
            }
        }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.base),
            )
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A call that must answer `status`; its body.
    async fn ok(&self, status: u16, method: &str, path: &str, body: Value) -> Value {
        let (got, reply) = self.call(method, path, body).await;
        assert_eq!(got, status, "{method} {path}: {reply}");
        reply
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn responses_and_webhooks_have_the_documented_shapes() {
    let mut hook = Hook::start().await;
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.01,
        webhook_urls: vec![hook.url.clone()],
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let api = Api {
        http: reqwest::Client::new(),
        base: sandbox.base_url().to_string(),
        token: sandbox.token().to_string(),
    };

    // Sessions: the Quick Start's request gets (at least) the Quick Start's response.
    let created = api
        .ok(
            200,
            "POST",
            "/sessions",
            json!({
            "contact_id": "user_123", "contact_name": "Jane Doe", "agent_id": "agent_abc",
            "metadata": {"channel_type": "my_channel", "channel_user_id": "ext_user_456"}}),
        )
        .await;
    assert_has_sample("session (Quick Start)", &created, &quickstart_session());
    let unset = &["thread_id", "ending_survey_submission_id"];
    assert_shape("session", &created, &session(), unset);
    let sid = id(&created);
    let got = api
        .ok(200, "GET", &format!("/sessions/{sid}"), Value::Null)
        .await;
    assert_shape("GET session", &got, &session(), unset);
    let updated = api
        .ok(
            200,
            "PATCH",
            &format!("/sessions/{sid}"),
            json!({"fields": {"thread_id": "thread_1", "metadata": {"channel_type": "web"}}}),
        )
        .await;
    assert_shape(
        "PATCH session",
        &updated,
        &session(),
        &["ending_survey_submission_id"],
    );
    let found = api
        .ok(
            200,
            "POST",
            "/sessions/search",
            json!({"contact_id": "user_123"}),
        )
        .await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_shape(
        "session search",
        &found,
        &json!([session()]),
        &["ending_survey_submission_id"],
    );

    // Agents.
    let seeded = api.ok(200, "GET", "/agents/agent_abc", Value::Null).await;
    assert_shape("seeded agent", &seeded, &ai_agent(), NONE);
    let ai = api
        .ok(
            201,
            "POST",
            "/agents",
            json!({"name": "Sales Bot", "type": "ai", "assistant_id": "asst_9"}),
        )
        .await;
    assert_shape("ai agent", &ai, &ai_agent(), NONE);
    let human = api
        .ok(
            201,
            "POST",
            "/agents",
            json!({"name": "Ana", "type": "human", "profile_id": "prof_1"}),
        )
        .await;
    assert_shape("human agent", &human, &human_agent(), NONE);
    let renamed = api
        .ok(
            200,
            "PATCH",
            &format!("/agents/{}", id(&human)),
            json!({"fields": {"name": "Ana B"}}),
        )
        .await;
    assert_shape("PATCH agent", &renamed, &human_agent(), NONE);
    let humans = api
        .ok(200, "POST", "/agents/search", json!({"type": "human"}))
        .await;
    assert_shape("agent search", &humans, &json!([human_agent()]), NONE);

    // Messages: every kind of content, with every optional field.
    let mut first_message = None;
    for (i, content) in contents().into_iter().enumerate() {
        let mut sent = content.clone();
        if sent["type"] == "text" {
            sent["template_parameters"] = json!({"order": "42"});
        }
        let created = api
            .ok(
                200,
                "POST",
                &format!("/sessions/{sid}/messages"),
                json!({
                "content": sent, "role": "user", "provider_message_id": format!("ext_msg_{i}"),
                "replied_provider_message_id": "ext_msg_000", "run_id": "run_1"}),
            )
            .await;
        assert_shape(
            &format!("{} message", content["type"]),
            &created,
            &message(content.clone()),
            UNDELIVERED,
        );
        assert_eq!(created["content"], sent, "content comes back as sent");
        first_message.get_or_insert(created);
    }
    let first = first_message.expect("messages were created");
    let mid = id(&first);
    let got = api
        .ok(
            200,
            "GET",
            &format!("/sessions/{sid}/messages/{mid}"),
            Value::Null,
        )
        .await;
    assert_shape(
        "GET message",
        &got,
        &message(contents()[0].clone()),
        UNDELIVERED,
    );
    let reported = api
        .ok(
            200,
            "PATCH",
            &format!("/sessions/{sid}/messages/{mid}"),
            json!({
            "delivery_status": "failed", "delivery_error_code": 131047,
            "delivery_error_message": "Re-engagement message",
            "delivered_at": "2025-01-15T07:30:00.250-03:00"}),
        )
        .await;
    assert_shape(
        "PATCH message",
        &reported,
        &message(contents()[0].clone()),
        NONE,
    );
    assert_eq!(
        reported["delivered_at"], "2025-01-15T10:30:00.25Z",
        "times go out in UTC"
    );
    for path in [
        format!("/sessions/{sid}/messages/search"),
        "/messages/search".to_string(),
    ] {
        let found = api
            .ok(
                200,
                "POST",
                &path,
                json!({"provider_message_id": "ext_msg_0"}),
            )
            .await;
        assert_shape(
            &path,
            &found,
            &json!([message(contents()[0].clone())]),
            NONE,
        );
    }

    // Schedules, one of each config.
    let reminder = json!({"type": "message", "message": {"type": "text", "text": "Reminder"}});
    let node = json!({"type": "node", "node_id": "node_1"});
    for config in [reminder, node] {
        let scheduled = api
            .ok(
                200,
                "POST",
                &format!("/sessions/{sid}/schedule"),
                json!({"scheduled_for": "2099-01-15T09:00:00-03:00", "config": config}),
            )
            .await;
        assert_shape("schedule", &scheduled, &schedule(config.clone()), NONE);
        assert_eq!(scheduled["scheduled_for"], "2099-01-15T12:00:00Z");
    }

    // The webhooks so far, in the order they were sent.
    let any = |_: &Value| true;
    let body = hook.next("session.created", any).await;
    assert_shape(
        "session.created",
        &body,
        &event("session.created", session()),
        &["thread_id", "ending_survey_submission_id", "action"],
    );
    let body = hook.next("message.created", any).await;
    assert_shape(
        "message.created (user)",
        &body,
        &event("message.created", message(contents()[0].clone())),
        &[UNDELIVERED, &["action"]].concat(),
    );

    // The AI answers (awaited: finishing the session would cancel it).
    api.ok(
        200,
        "POST",
        &format!("/sessions/{sid}/reply"),
        json!({"debounce_time": 0}),
    )
    .await;
    let answer = hook
        .next("message.created", |m| m["role"] == "assistant")
        .await;
    assert_has_sample(
        "message.created (Quick Start)",
        &answer,
        &quickstart_webhook(),
    );
    let unset_by_the_ai = &[
        UNDELIVERED,
        &[
            "provider_message_id",
            "replied_provider_message_id",
            "action",
        ],
        &["template_id", "template_parameters"],
    ]
    .concat();
    assert_shape(
        "message.created (assistant)",
        &answer,
        &event("message.created", message(contents()[0].clone())),
        unset_by_the_ai,
    );

    // The session moves and finishes with a survey.
    let moved = api
        .ok(
            200,
            "POST",
            &format!("/sessions/{sid}/transfer"),
            json!({"agent_id": "agent_abc"}),
        )
        .await;
    assert_shape(
        "transfer",
        &moved,
        &session(),
        &["ending_survey_submission_id"],
    );
    let finished = api
        .ok(
            200,
            "POST",
            &format!("/sessions/{sid}/finish"),
            json!({"ending_survey_id": "survey_csat"}),
        )
        .await;
    assert_shape("finish", &finished, &session(), NONE);
    let path = format!(
        "/sessions/{sid}/surveys/{}",
        finished["ending_survey_submission_id"].as_str().unwrap()
    );
    let unanswered = &["finished_at"];
    let survey = api.ok(200, "GET", &path, Value::Null).await;
    assert_shape(
        "survey submission",
        &survey,
        &survey_submission(),
        unanswered,
    );
    let asked = api
        .ok(200, "POST", &format!("{path}/reply"), Value::Null)
        .await;
    assert_shape("survey reply", &asked, &survey_submission(), unanswered);
    let cancelled = api
        .ok(200, "POST", &format!("{path}/cancel"), Value::Null)
        .await;
    assert_shape(
        "survey cancel",
        &cancelled,
        &survey_submission(),
        unanswered,
    );

    let body = hook.next("session.transferred", any).await;
    assert_shape(
        "session.transferred",
        &body,
        &event("session.transferred", session()),
        &["ending_survey_submission_id", "action"],
    );
    let body = hook.next("session.finished", any).await;
    assert_shape(
        "session.finished",
        &body,
        &event("session.finished", session()),
        &["action"],
    );

    sandbox.stop().await;
    hook.stop().await;
}
