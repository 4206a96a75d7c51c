//! Every endpoint of the contract over real HTTP, through the core, and every
//! error the sandbox promises.

use antonnia_core::Error;
use antonnia_sandbox::{CoreClient, Sandbox, SandboxConfig};
use serde_json::{Value, json};

async fn start() -> (Sandbox, CoreClient) {
    let sandbox = Sandbox::start(SandboxConfig {
        time_scale: 0.01,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = CoreClient::new(sandbox.base_url(), sandbox.token()).expect("client");
    (sandbox, client)
}

/// A raw request, for what the core would refuse to build.
async fn raw(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
    token: Option<&str>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", sandbox.base_url()),
    );
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn quickstart_session(client: &CoreClient) -> Value {
    client
        .call_json(
            "sessions.create",
            json!({"contact_id": "user_123", "contact_name": "Jane Doe", "agent_id": "agent_abc",
                   "metadata": {"channel_type": "my_channel", "channel_user_id": "ext_user_456",
                                "internal": {"user_id": 42}}}),
        )
        .await
        .expect("session created")
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn sessions_endpoints() {
    let (sandbox, client) = start().await;
    let session = quickstart_session(&client).await;
    let sid = id(&session);
    assert_eq!(session["status"], "open");
    assert_eq!(session["agent"]["id"], "agent_abc");
    assert_eq!(session["agent"]["name"], "Support Bot");
    assert_eq!(session["metadata"]["channel_user_id"], "ext_user_456");

    let got = client
        .call_json("sessions.get", json!({"session_id": sid}))
        .await
        .unwrap();
    assert_eq!(got["id"], session["id"]);

    let updated = client
        .call_json(
            "sessions.update",
            json!({"session_id": sid, "fields": {"thread_id": "th_1", "metadata": {"channel_type": "web"}}}),
        )
        .await
        .unwrap();
    assert_eq!(updated["thread_id"], "th_1");
    assert_eq!(updated["metadata"], json!({"channel_type": "web"}));

    let agent = client
        .call_json(
            "agents.create",
            json!({"name": "Ana", "type": "human", "profile_id": "prof_1"}),
        )
        .await
        .unwrap();
    let moved = client
        .call_json(
            "sessions.transfer",
            json!({"session_id": sid, "agent_id": id(&agent)}),
        )
        .await
        .unwrap();
    assert_eq!(moved["agent"]["type"], "human");
    let unassigned = client
        .call_json(
            "sessions.transfer",
            json!({"session_id": sid, "agent_id": null}),
        )
        .await
        .unwrap();
    assert!(unassigned.get("agent").is_none());

    let scheduled = client
        .call_json(
            "sessions.schedule",
            json!({"session_id": sid, "scheduled_for": "2020-01-01T00:00:00Z",
                   "config": {"type": "message", "message": {"type": "text", "text": "Reminder"}}}),
        )
        .await
        .unwrap();
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["config"]["message"]["text"], "Reminder");

    let finished = client
        .call_json(
            "sessions.finish",
            json!({"session_id": sid, "ending_survey_id": "survey_csat"}),
        )
        .await
        .unwrap();
    assert_eq!(finished["status"], "closed");
    let submission_id = finished["ending_survey_submission_id"]
        .as_str()
        .unwrap()
        .to_string();

    let survey = client
        .call_json(
            "survey_submissions.get",
            json!({"session_id": sid, "survey_submission_id": submission_id}),
        )
        .await
        .unwrap();
    assert_eq!(survey["status"], "pending");
    assert_eq!(survey["survey_id"], "survey_csat");
    client
        .call_json(
            "survey_submissions.reply",
            json!({"session_id": sid, "survey_submission_id": submission_id}),
        )
        .await
        .unwrap();
    let cancelled = client
        .call_json(
            "survey_submissions.cancel",
            json!({"session_id": sid, "survey_submission_id": submission_id}),
        )
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    let again = client
        .call_json(
            "survey_submissions.cancel",
            json!({"session_id": sid, "survey_submission_id": submission_id}),
        )
        .await
        .unwrap_err();
    assert_eq!(again.kind(), "validation");

    // The schedule in the past ran at once: its message is in the session.
    let mut texts = vec![];
    for _ in 0..100 {
        let messages = client
            .call_json("messages.search", json!({"session_id": sid}))
            .await
            .unwrap();
        texts = messages
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"]["text"].clone())
            .collect();
        if texts.contains(&json!("Reminder")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(texts.contains(&json!("Reminder")), "{texts:?}");
    sandbox.stop().await;
}

#[tokio::test]
async fn session_search_filters_and_pages() {
    let (sandbox, client) = start().await;
    for i in 0..5 {
        client
            .call_json(
                "sessions.create",
                json!({"contact_id": format!("c{}", i % 2), "contact_name": "X",
                       "metadata": {"channel_type": if i < 3 { "whatsapp" } else { "web" }, "internal": {"user_id": i}}}),
            )
            .await
            .unwrap();
    }
    let search = |args: Value| client.call_json("sessions.search", args);
    assert_eq!(
        search(json!({})).await.unwrap().as_array().unwrap().len(),
        5
    );
    assert_eq!(
        search(json!({"contact_id": "c0"}))
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        search(json!({"metadata": {"channel_type": "whatsapp"}}))
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let dotted = search(json!({"metadata": {"internal.user_id": 4}}))
        .await
        .unwrap();
    assert_eq!(dotted.as_array().unwrap().len(), 1);
    assert_eq!(dotted[0]["metadata"]["internal"]["user_id"], 4);
    assert_eq!(
        search(json!({"status": "closed"}))
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let page = search(json!({"offset": 1, "limit": 2})).await.unwrap();
    let all = search(json!({})).await.unwrap();
    assert_eq!(page.as_array().unwrap()[..], all.as_array().unwrap()[1..3]);
    sandbox.stop().await;
}

#[tokio::test]
async fn messages_endpoints_and_searches() {
    let (sandbox, client) = start().await;
    let a = id(&quickstart_session(&client).await);
    let b = id(&quickstart_session(&client).await);
    let m1 = client
        .call_json(
            "messages.create",
            json!({"session_id": a, "content": {"type": "text", "text": "Hello, I need help with my order"},
                   "role": "user", "provider_message_id": "ext_msg_001"}),
        )
        .await
        .unwrap();
    assert_eq!(m1["role"], "user");
    assert_eq!(m1["delivery_status"], "pending");
    client
        .call_json(
            "messages.create",
            json!({"session_id": b, "content": {"type": "image", "url": "https://x.test/a.png"},
                   "provider_message_id": "ext_msg_002", "replied_provider_message_id": "ext_msg_001"}),
        )
        .await
        .unwrap();
    let got = client
        .call_json(
            "messages.get",
            json!({"session_id": a, "message_id": id(&m1)}),
        )
        .await
        .unwrap();
    assert_eq!(got, m1);

    let updated = client
        .call_json(
            "messages.update",
            json!({"session_id": a, "message_id": id(&m1), "delivery_status": "failed",
                   "delivery_error_code": 131047, "delivery_error_message": "Re-engagement message",
                   "delivered_at": "2025-01-15T10:30:00+02:00"}),
        )
        .await
        .unwrap();
    assert_eq!(updated["delivery_status"], "failed");
    assert_eq!(updated["delivery_error_code"], 131047);
    assert_eq!(updated["delivered_at"], "2025-01-15T08:30:00Z");

    let in_a = client
        .call_json("messages.search", json!({"session_id": a}))
        .await
        .unwrap();
    assert_eq!(in_a.as_array().unwrap().len(), 1);
    let across = client
        .call_json("messages.search", json!({}))
        .await
        .unwrap();
    assert_eq!(across.as_array().unwrap().len(), 2);
    let by_provider = client
        .call_json(
            "messages.search",
            json!({"provider_message_id": "ext_msg_002"}),
        )
        .await
        .unwrap();
    assert_eq!(by_provider.as_array().unwrap().len(), 1);
    assert_eq!(by_provider[0]["session_id"], json!(b));
    let by_reply = client
        .call_json(
            "messages.search",
            json!({"replied_provider_message_id": "ext_msg_001"}),
        )
        .await
        .unwrap();
    assert_eq!(by_reply.as_array().unwrap().len(), 1);
    let assistants = client
        .call_json("messages.search", json!({"role": "assistant"}))
        .await
        .unwrap();
    assert!(assistants.as_array().unwrap().is_empty());

    let duplicate = client
        .call_json(
            "messages.create",
            json!({"session_id": a, "content": {"type": "text", "text": "again"}, "provider_message_id": "ext_msg_001"}),
        )
        .await
        .unwrap_err();
    assert_eq!(duplicate.kind(), "conflict");
    sandbox.stop().await;
}

#[tokio::test]
async fn agents_endpoints() {
    let (sandbox, client) = start().await;
    let created = client
        .call_json(
            "agents.create",
            json!({"name": "Sales Bot", "type": "ai", "assistant_id": "asst_9"}),
        )
        .await
        .unwrap();
    let aid = id(&created);
    assert_eq!(created["assistant_id"], "asst_9");
    let got = client
        .call_json("agents.get", json!({"agent_id": aid}))
        .await
        .unwrap();
    assert_eq!(got, created);
    let renamed = client
        .call_json(
            "agents.update",
            json!({"agent_id": aid, "name": "Sales Bot 2"}),
        )
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Sales Bot 2");
    let ai = client
        .call_json("agents.search", json!({"type": "ai"}))
        .await
        .unwrap();
    assert_eq!(
        ai.as_array().unwrap().len(),
        2,
        "the seeded agent and the new one"
    );
    let by_assistant = client
        .call_json("agents.search", json!({"assistant_id": "asst_9"}))
        .await
        .unwrap();
    assert_eq!(by_assistant.as_array().unwrap().len(), 1);
    assert_eq!(
        client
            .call_json("agents.delete", json!({"agent_id": aid}))
            .await
            .unwrap(),
        Value::Null
    );
    let gone = client
        .call_json("agents.get", json!({"agent_id": aid}))
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)), "{gone:?}");
    sandbox.stop().await;
}

#[tokio::test]
async fn ids_stay_in_their_path_segment() {
    let (sandbox, client) = start().await;
    for weird in ["../x?y#z", "a/b", "sess with spaces", "sessão"] {
        let err = client
            .call_json("sessions.get", json!({"session_id": weird}))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::NotFound(api) if api.message.contains(weird)),
            "{weird}: {err:?}"
        );
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn validation_errors_are_422_with_a_detail_list() {
    let (sandbox, client) = start().await;
    let token = Some(sandbox.token());
    let sid = id(&quickstart_session(&client).await);
    let cases: Vec<(&str, String, Value, Vec<&str>)> = vec![
        (
            "POST",
            "/sessions".into(),
            json!({"contact_name": "Jane"}),
            vec!["body", "contact_id"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/reply"),
            json!({"debounce_time": 61}),
            vec!["body", "debounce_time"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/reply"),
            json!({"debounce_time": "soon"}),
            vec!["body", "debounce_time"],
        ),
        (
            "POST",
            "/sessions".into(),
            json!({"contact_id": "c", "contact_name": "n", "status": "paused"}),
            vec!["body", "status"],
        ),
        (
            "POST",
            "/sessions".into(),
            json!({"contact_id": 7, "contact_name": "n"}),
            vec!["body", "contact_id"],
        ),
        (
            "POST",
            "/sessions".into(),
            json!({"contact_id": "c", "contact_name": "n", "metadata": []}),
            vec!["body", "metadata"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/messages"),
            json!({"content": {"type": "text", "text": "x"}, "role": "bot"}),
            vec!["body", "role"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/messages"),
            json!({"content": {"type": "sticker"}, "role": "user"}),
            vec!["body", "content"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/messages"),
            json!({"content": {"type": "text"}, "role": "user"}),
            vec!["body", "content", "text", "text"],
        ),
        (
            "PATCH",
            format!("/sessions/{sid}/messages/x"),
            json!({"delivery_status": "lost"}),
            vec!["body", "delivery_status"],
        ),
        (
            "POST",
            "/agents".into(),
            json!({"name": "n", "type": "ai"}),
            vec!["body", "assistant_id"],
        ),
        (
            "POST",
            "/sessions/search".into(),
            json!({"limit": -1}),
            vec!["body", "limit"],
        ),
        ("POST", "/sessions".into(), json!([1, 2]), vec!["body"]),
        (
            "POST",
            format!("/sessions/{sid}/schedule"),
            json!({"config": {"type": "node", "node_id": "n"}}),
            vec!["body", "scheduled_for"],
        ),
        (
            "POST",
            format!("/sessions/{sid}/schedule"),
            json!({"scheduled_for": "tomorrow", "config": {"type": "node", "node_id": "n"}}),
            vec!["body", "scheduled_for"],
        ),
    ];
    for (method, path, body, loc) in cases {
        let (status, reply) = raw(
            &sandbox,
            method,
            &path,
            Some(body.to_string().into_bytes()),
            token,
        )
        .await;
        assert_eq!(status, 422, "{method} {path} {body}: {reply}");
        let problems = reply["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("{reply}"));
        assert!(
            problems
                .iter()
                .any(|p| p["loc"] == json!(loc) && p["msg"].is_string() && p["type"].is_string()),
            "{method} {path} {body}: expected a problem at {loc:?}, got {reply}"
        );
    }

    // Each missing field is reported once.
    let (status, reply) = raw(
        &sandbox,
        "POST",
        &format!("/sessions/{sid}/schedule"),
        Some(b"{}".to_vec()),
        token,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        reply["detail"]
            .as_array()
            .map(|d| d.iter().map(|p| p["loc"][1].clone()).collect::<Vec<_>>()),
        Some(vec![json!("scheduled_for"), json!("config")]),
        "{reply}"
    );

    // Read by the core, the list arrives as typed problems, every one reported.
    let body = json!({"content": {"type": "file", "url": "u"}, "role": "user"}).to_string();
    let (status, reply) = raw(
        &sandbox,
        "POST",
        &format!("/sessions/{sid}/messages"),
        Some(body.into_bytes()),
        token,
    )
    .await;
    let response = antonnia_core::HttpResponse::new(status, reply.to_string());
    let err = Error::from_response(&response, None);
    let Error::Validation(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.problems.len(), 2, "mime_type and name: {reply}");

    // reply on a closed session
    client
        .call_json("sessions.finish", json!({"session_id": sid}))
        .await
        .unwrap();
    let closed = client
        .call_json("sessions.reply", json!({"session_id": sid}))
        .await
        .unwrap_err();
    assert_eq!(closed.kind(), "validation");
    assert!(closed.to_string().contains("closed"), "{closed}");
    sandbox.stop().await;
}

#[tokio::test]
async fn transport_level_errors() {
    let (sandbox, _client) = start().await;
    let token = Some(sandbox.token());
    let (status, body) = raw(&sandbox, "GET", "/sessions/x", None, None).await;
    assert_eq!((status, body["detail"].is_string()), (401, true));
    let (status, _) = raw(&sandbox, "GET", "/sessions/x", None, Some("sk_live_wrong")).await;
    assert_eq!(status, 401);
    let (status, body) = raw(&sandbox, "GET", "/sessions/nope", None, token).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (404, Some("Session nope not found"))
    );
    let (status, _) = raw(&sandbox, "GET", "/no/such/route", None, token).await;
    assert_eq!(status, 404);
    let (status, body) = raw(
        &sandbox,
        "POST",
        "/sessions",
        Some(b"{not json".to_vec()),
        token,
    )
    .await;
    assert_eq!((status, body["detail"].is_string()), (400, true));
    let mut big = b"{\"contact_id\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 1));
    big.extend(b"\",\"contact_name\":\"x\"}");
    let (status, body) = raw(&sandbox, "POST", "/sessions", Some(big), token).await;
    assert_eq!((status, body["detail"].is_string()), (413, true));
    sandbox.stop().await;
}

#[tokio::test]
async fn cors_preflight_and_headers() {
    let (sandbox, client) = start().await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/sessions", sandbox.base_url()),
        )
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.status().as_u16(),
        204,
        "no token needed for a preflight"
    );
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PATCH")
    );
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization, content-type"
    );
    let session = http
        .post(format!("{}/sessions", sandbox.base_url()))
        .bearer_auth(sandbox.token())
        .body(json!({"contact_id": "c", "contact_name": "n"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(session.headers()["access-control-allow-origin"], "*");
    drop(client);
    sandbox.stop().await;
}

#[tokio::test]
async fn injected_failures_then_success() {
    let (sandbox, client) = start().await;
    let sid = id(&quickstart_session(&client).await);
    // The core's exchange retries a get through two injected 503s...
    let retrying = client
        .clone()
        .with_header("x-sandbox-fail", "503;times=2;id=retried")
        .unwrap();
    retrying
        .call_json("sessions.get", json!({"session_id": sid}))
        .await
        .unwrap();
    // ...and without retries each one is seen.
    let client = client.with_retry_policy(antonnia_core::RetryPolicy::never());
    let flaky = client
        .clone()
        .with_header("x-sandbox-fail", "503;times=2;id=flaky")
        .unwrap();
    for _ in 0..2 {
        let err = flaky
            .call_json("sessions.get", json!({"session_id": sid}))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503), "{err:?}");
    }
    flaky
        .call_json("sessions.get", json!({"session_id": sid}))
        .await
        .unwrap();

    let limited = client
        .clone()
        .with_header("x-sandbox-fail", "429;retry-after=7;id=rl")
        .unwrap();
    let err = limited
        .call_json("sessions.get", json!({"session_id": sid}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "rate_limit");
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));

    let bad = client.clone().with_header("x-sandbox-fail", "200").unwrap();
    let err = bad
        .call_json("sessions.get", json!({"session_id": sid}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("x-sandbox-fail"), "{err}");
    sandbox.stop().await;
}
