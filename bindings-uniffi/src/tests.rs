//! The send loop and the conversions, in Rust alone: a host transport and
//! timer written in Rust, driven by a minimal executor (the binding itself
//! has none).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::*;

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// Answers from a script, recording what was sent.
struct Script {
    replies: Mutex<Vec<Result<HttpResponse, HttpTransportError>>>,
    sent: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl HttpTransport for Script {
    async fn send(
        &self,
        request: HttpRequest,
        _timeout_ms: i64,
    ) -> Result<HttpResponse, HttpTransportError> {
        let id = request
            .headers
            .iter()
            .find(|h| h.name == "x-request-id")
            .map_or(String::new(), |h| h.value.clone());
        self.sent.lock().unwrap().push(format!("{request} {id}"));
        self.replies.lock().unwrap().remove(0)
    }
}

/// Never finishes a deadline wait; records (and skips) the retry waits.
struct Waits(Mutex<Vec<i64>>);

#[async_trait::async_trait]
impl Sleeper for Waits {
    async fn sleep(&self, millis: i64) -> Result<(), HttpTransportError> {
        if millis >= 60_000 {
            std::future::pending::<()>().await;
        }
        self.0.lock().unwrap().push(millis);
        Ok(())
    }
}

fn reply(status: i32, body: &str) -> Result<HttpResponse, HttpTransportError> {
    Ok(HttpResponse {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

fn client(
    replies: Vec<Result<HttpResponse, HttpTransportError>>,
) -> (Arc<Client>, Arc<Script>, Arc<Waits>) {
    let script = Arc::new(Script {
        replies: Mutex::new(replies),
        sent: Mutex::new(vec![]),
    });
    let waits = Arc::new(Waits(Mutex::new(vec![])));
    let options = ClientOptions {
        base_url: Some("https://api.test/conversations/v2/api/v1".into()),
        timeout_ms: 60_000,
        total_timeout_ms: None,
        max_retries: 2,
        max_response_bytes: 1024,
    };
    let c = Client::new(
        script.clone(),
        waits.clone(),
        options,
        Some("sk_test_secret_token".into()),
        HashMap::new(),
    )
    .unwrap();
    (c, script, waits)
}

#[test]
fn the_loop_retries_a_get_then_returns_the_typed_result() {
    let (c, script, waits) = client(vec![
        reply(503, ""),
        Err(HttpTransportError::Io {
            description: "reset".into(),
        }),
        reply(200, r#"{"id":"sess_1","metadata":{"k":"v"}}"#),
    ]);
    let s = block_on(c.sessions_api().get("sess_1".into())).unwrap();
    assert_eq!(s.id, "sess_1");
    assert_eq!(s.metadata, r#"{"k":"v"}"#);
    assert_eq!(script.sent.lock().unwrap().len(), 3);
    assert_eq!(waits.0.lock().unwrap().len(), 2, "two backoffs");
}

#[test]
fn a_create_is_not_repeated_after_a_broken_connection_and_the_error_is_typed() {
    let (c, script, _) = client(vec![
        Err(HttpTransportError::Io {
            description: "reset by peer".into(),
        }),
        reply(200, r#"{"id":"s"}"#),
    ]);
    let e = block_on(
        c.sessions_api()
            .create("c".into(), "n".into(), None, None, None),
    )
    .unwrap_err();
    assert!(matches!(e, AntonniaError::Transport { .. }), "{e:?}");
    assert!(e.to_string().contains("reset by peer"), "{e}");
    assert_eq!(script.sent.lock().unwrap().len(), 1);
}

#[test]
fn errors_map_by_kind_and_never_show_the_token() {
    let (c, _, _) = client(vec![reply(
        404,
        r#"{"detail":"no session; Authorization: Bearer sk_test_secret_token"}"#,
    )]);
    let e = block_on(c.sessions_api().get("s".into())).unwrap_err();
    assert_eq!(e.kind(), "not_found");
    assert_eq!(e.status(), Some(404));
    let config = antonnia_core::Config::new("sk_test_secret_token").unwrap();
    let call =
        antonnia_core::Call::from_json("sessions.get", serde_json::json!({"session_id": "s"}));
    let request = HttpRequest::new(&call.unwrap().build(&config).unwrap(), 1);
    assert!(
        request
            .headers
            .iter()
            .any(|h| h.value.contains("sk_test_secret_token"))
    );
    let shown = format!("{e} {e:?} {c} {c:?} {request} {request:?}");
    assert!(!shown.contains("sk_test_secret_token"), "{shown}");
}

#[test]
fn a_body_over_the_cap_is_payload_too_large() {
    let (c, _, _) = client(vec![reply(200, &"x".repeat(2000))]);
    let e = block_on(c.agents_api().get("a".into())).unwrap_err();
    assert_eq!(e.kind(), "payload_too_large");
}

#[test]
fn the_deadline_wins_over_a_transport_that_never_answers() {
    struct Never;
    #[async_trait::async_trait]
    impl HttpTransport for Never {
        async fn send(&self, _r: HttpRequest, _t: i64) -> Result<HttpResponse, HttpTransportError> {
            std::future::pending().await
        }
    }
    struct Instant0;
    #[async_trait::async_trait]
    impl Sleeper for Instant0 {
        async fn sleep(&self, _millis: i64) -> Result<(), HttpTransportError> {
            Ok(())
        }
    }
    let options = ClientOptions {
        base_url: None,
        timeout_ms: 10,
        total_timeout_ms: None,
        max_retries: 0,
        max_response_bytes: 10,
    };
    let c = Client::new(
        Arc::new(Never),
        Arc::new(Instant0),
        options,
        None,
        HashMap::new(),
    )
    .unwrap();
    let e = block_on(c.sessions_api().get("s".into())).unwrap_err();
    assert_eq!(e.kind(), "timeout");
}

#[test]
fn content_and_records_round_trip_through_the_core() {
    let wire = r#"{"type":"location","lat":1.5,"label":{"pt":"São Paulo"}}"#;
    let c = message_content_from_json(wire.into()).unwrap();
    assert!(
        matches!(&c, MessageContent::Unknown { content_type, .. } if content_type == "location")
    );
    let back: serde_json::Value =
        serde_json::from_str(&message_content_to_json(c).unwrap()).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(wire).unwrap()
    );
    let e = message_content_from_json(r#"{"type":"text"}"#.into()).unwrap_err();
    assert_eq!(e.kind(), "invalid_request");
    let core: antonnia_core::Message = serde_json::from_value(serde_json::json!({
        "id": "m1", "role": "robot", "content": {"type": "text", "text": "hi"},
        "created_at": "2025-01-15T07:30:00.5-03:00"
    }))
    .unwrap();
    let m: Message = types::mirror(serde_json::to_value(core).unwrap()).unwrap();
    assert_eq!(
        m.role,
        Some(MessageRole::Other {
            value: "robot".into()
        })
    );
    assert_eq!(m.created_at.as_deref(), Some("2025-01-15T10:30:00.5Z"));
    assert_eq!(m.delivery_status, DeliveryStatus::Pending);
    let json: serde_json::Value = serde_json::from_str(&m.to_json().unwrap()).unwrap();
    assert_eq!(json["role"], "robot");
}

#[test]
fn every_call_sends_a_request_id_and_its_errors_carry_it() {
    let (c, script, _) = client(vec![reply(404, r#"{"detail":"no"}"#), reply(500, "")]);
    let e = block_on(c.sessions_api().get("s".into())).unwrap_err();
    let sent = script.sent.lock().unwrap().clone();
    let id = sent[0].rsplit(' ').next().unwrap().to_string();
    assert!(id.starts_with("req_") && id.len() == 36, "{sent:?}");
    assert_eq!(e.request_id(), Some(id.as_str()));
    // The server's own id wins; another call draws another id.
    let (c, script, _) = client(vec![Ok(HttpResponse {
        status: 409,
        headers: vec![HttpHeader {
            name: "x-request-id".into(),
            value: "srv_1".into(),
        }],
        body: br#"{"detail":"no"}"#.to_vec(),
    })]);
    let e = block_on(c.sessions_api().get("s".into())).unwrap_err();
    assert_eq!(e.request_id(), Some("srv_1"));
    assert_ne!(
        script.sent.lock().unwrap()[0].rsplit(' ').next().unwrap(),
        id
    );
}

#[test]
fn a_sleeper_that_fails_ends_the_call_with_a_transport_error() {
    struct Broken;
    #[async_trait::async_trait]
    impl Sleeper for Broken {
        async fn sleep(&self, _millis: i64) -> Result<(), HttpTransportError> {
            Err(HttpTransportError::Io {
                description: "timer broke".into(),
            })
        }
    }
    let script = Arc::new(Script {
        replies: Mutex::new(vec![reply(503, "")]),
        sent: Mutex::new(vec![]),
    });
    let c = Client::new(
        script,
        Arc::new(Broken),
        ClientOptions {
            base_url: None,
            timeout_ms: 1000,
            total_timeout_ms: None,
            max_retries: 2,
            max_response_bytes: 100,
        },
        None,
        HashMap::new(),
    )
    .unwrap();
    let e = block_on(c.sessions_api().get("s".into())).unwrap_err();
    assert_eq!(e.kind(), "transport");
    assert!(e.to_string().contains("timer broke"), "{e}");
}

#[test]
fn an_authorization_header_is_the_proxy_pattern_without_a_token_and_refused_with_one() {
    let headers = HashMap::from([("Authorization".to_string(), "Bearer app_1".to_string())]);
    let options = || ClientOptions {
        base_url: None,
        timeout_ms: 1000,
        total_timeout_ms: None,
        max_retries: 0,
        max_response_bytes: 100,
    };
    let script = Arc::new(Script {
        replies: Mutex::new(vec![]),
        sent: Mutex::new(vec![]),
    });
    let waits = Arc::new(Waits(Mutex::new(vec![])));
    assert!(
        Client::new(
            script.clone(),
            waits.clone(),
            options(),
            None,
            headers.clone()
        )
        .is_ok()
    );
    let e = Client::new(script, waits, options(), Some("sk_x".into()), headers).unwrap_err();
    assert_eq!(e.kind(), "invalid_request");
}

#[test]
fn a_capturing_client_records_the_response_a_call_ended_with() {
    let (c, script, _) = client(vec![
        reply(503, ""),
        Ok(HttpResponse {
            status: 201,
            headers: vec![HttpHeader {
                name: "X-Request-ID".into(),
                value: "srv_9".into(),
            }],
            body: br#"{"id":"a","type":"ai"}"#.to_vec(),
        }),
        reply(200, r#"{"id":"b","type":"ai"}"#),
        reply(202, r#"{"id":"c","type":"ai"}"#),
    ]);
    let capture = ResponseCapture::new();
    let raw = c.capturing(capture.clone());
    assert_eq!(capture.response(), None);
    let a = block_on(raw.agents_api().get("a".into())).unwrap();
    assert_eq!(a.id, "a");
    let info = capture.response().unwrap();
    assert_eq!(
        info.status, 201,
        "the response the call ended with, not the 503"
    );
    assert_eq!(info.headers[0].value, "srv_9");
    assert_eq!(info.request_id.as_deref(), Some("srv_9"));
    // Without a server id: the one the SDK sent.
    let again = ResponseCapture::new();
    block_on(c.capturing(again.clone()).agents_api().get("b".into())).unwrap();
    let sent = script.sent.lock().unwrap().last().unwrap().clone();
    let id = again.response().unwrap().request_id.unwrap();
    assert!(id.starts_with("req_") && sent.ends_with(&id), "{id} {sent}");
    // The client it was made from records nothing.
    block_on(c.agents_api().get("c".into())).unwrap();
    assert_eq!(again.response().unwrap().status, 200);
    assert_eq!(capture.response().unwrap().status, 201);
}

#[test]
fn time_limits_beyond_what_host_timers_hold_are_refused_by_name() {
    let make = |timeout_ms: i64, total_timeout_ms: Option<i64>| {
        let options = ClientOptions {
            base_url: None,
            timeout_ms,
            total_timeout_ms,
            max_retries: 0,
            max_response_bytes: 10,
        };
        let waits = Arc::new(Waits(Mutex::new(vec![])));
        let script = Arc::new(Script {
            replies: Mutex::new(vec![]),
            sent: Mutex::new(vec![]),
        });
        Client::new(script, waits, options, None, HashMap::new())
    };
    for (timeout, total, field) in [
        (i64::MAX, None, "timeout_ms"),
        (-1, None, "timeout_ms"),
        (1000, Some(i64::MAX), "total_timeout_ms"),
        (1000, Some(i64::from(i32::MAX) + 1), "total_timeout_ms"),
    ] {
        let e = make(timeout, total).unwrap_err();
        assert_eq!(e.kind(), "invalid_request");
        assert!(
            e.to_string().contains(field) && e.to_string().contains("2147483647"),
            "{e}"
        );
    }
    assert!(make(i64::from(i32::MAX), Some(i64::from(i32::MAX))).is_ok());
}

#[test]
fn records_read_back_from_their_wire_json() {
    let wire = r#"{"id":"sess_1","contact_id":"c","status":"open","metadata":{"k":[1,true]},"created_at":"2024-01-02T03:04:05Z"}"#;
    let s = session_from_json(wire.into()).unwrap();
    assert_eq!(s.contact_id.as_deref(), Some("c"));
    let back = session_from_json(s.to_json().unwrap()).unwrap();
    assert_eq!(back, s);
    let e = session_from_json(r#"{"id":1}"#.into()).unwrap_err();
    assert_eq!(e.kind(), "decode");
    let m = message_from_json(
        r#"{"id":"m","session_id":"s","role":"user","content":{"type":"text","text":"hi"}}"#.into(),
    )
    .unwrap();
    assert_eq!(message_from_json(m.to_json().unwrap()).unwrap(), m);
}

/// The records Kotlin and Swift see have exactly the fields the core's
/// schema declares, in its order: a field added to a resource in the core
/// fails here until the record has it too.
#[test]
fn every_record_has_its_schemas_fields() {
    use antonnia_core::schema::{self, Shape, differential::derived_fields};
    fn names(shape: &Shape) -> Vec<&'static str> {
        shape.fields.iter().map(|f| f.name).collect()
    }
    assert_eq!(derived_fields::<Session>(), names(&schema::SESSION));
    assert_eq!(derived_fields::<Message>(), names(&schema::MESSAGE));
    assert_eq!(derived_fields::<Agent>(), names(&schema::AGENT));
    assert_eq!(
        derived_fields::<SurveySubmission>(),
        names(&schema::SURVEY_SUBMISSION)
    );
    assert_eq!(
        derived_fields::<SessionSchedule>(),
        names(&schema::SESSION_SCHEDULE)
    );
}

/// Every typed method hands the core exactly the arguments its call's
/// signature declares (`Call::SPECS`): called with every option given, the
/// names it sends are the signature's, nested `fields` included. The methods
/// are thin typed signatures written by hand; this holds them to the one
/// declaration, as `test_signatures.py` holds Python's.
#[test]
fn every_method_sends_its_calls_declared_arguments() {
    use antonnia_core::ops::CallSpec;
    use antonnia_core::schema::ArgTy;

    use crate::client::tests_support::SENT_ARGUMENTS;

    let replies = (0..100).map(|_| reply(400, "{}")).collect();
    let (c, _, _) = client(replies);
    let (s, m, a) = (
        c.sessions_api(),
        c.sessions_api().messages_api(),
        c.agents_api(),
    );
    let surveys = c.sessions_api().survey_submissions_api();
    let x = || "x".to_string();
    let text = || MessageContent::Text {
        text: x(),
        template_id: None,
        template_parameters: None,
    };
    let when = || "2025-01-16T12:00:00Z".to_string();
    let md = || Some("{}".to_string());
    block_on(async {
        let _ = s
            .create(x(), x(), Some(x()), Some(SessionStatus::Open), md())
            .await;
        let _ = s.get(x()).await;
        let _ = s
            .update(
                x(),
                Some(x()),
                Some(SessionStatus::Open),
                Some(x()),
                Some(x()),
                md(),
            )
            .await;
        let _ = s.transfer(x(), Some(x()), Some(true)).await;
        let _ = s.finish(x(), Some(x())).await;
        let _ = s.reply(x(), Some(3), Some(x())).await;
        let _ = s
            .search(
                Some(x()),
                Some(SessionStatus::Open),
                md(),
                Some(0),
                Some(10),
            )
            .await;
        let _ = s
            .schedule(x(), when(), ScheduleConfig::Node { node_id: x() })
            .await;
        let _ = m
            .create(
                x(),
                text(),
                Some(MessageRole::User),
                Some(x()),
                Some(x()),
                Some(x()),
            )
            .await;
        let _ = m.get(x(), x()).await;
        let _ = m
            .update(
                x(),
                x(),
                Some(x()),
                Some(x()),
                Some(DeliveryStatus::Sent),
                Some(1),
                Some(x()),
                Some(when()),
            )
            .await;
        let _ = m
            .search(
                Some(x()),
                Some(x()),
                Some(x()),
                Some(MessageRole::User),
                Some(0),
                Some(10),
            )
            .await;
        let _ = a.create(x(), AgentType::Ai, Some(x()), Some(x())).await;
        let _ = a.get(x()).await;
        let _ = a.update(x(), Some(x()), Some(x()), Some(x())).await;
        let _ = a.delete(x()).await;
        let _ = a
            .search(Some(AgentType::Ai), Some(x()), Some(x()), Some(0), Some(10))
            .await;
        let _ = surveys.get(x(), x()).await;
        let _ = surveys.reply(x(), x()).await;
        let _ = surveys.cancel(x(), x()).await;
    });
    let sent = SENT_ARGUMENTS.with(|sent| sent.take());
    let mut called: Vec<&str> = sent.iter().map(|(name, _)| name.as_str()).collect();
    called.sort_unstable();
    let mut every: Vec<&str> = antonnia_core::Call::NAMES.to_vec();
    every.sort_unstable();
    assert_eq!(called, every, "each call once");
    for (name, args) in &sent {
        let spec = CallSpec::named(name).expect("a call");
        let declared: Vec<&str> = spec.signature.args.iter().map(|a| a.name).collect();
        let mut given: Vec<&str> = args.keys().map(String::as_str).collect();
        let mut want = declared.clone();
        given.sort_unstable();
        want.sort_unstable();
        assert_eq!(given, want, "{name}");
        for arg in spec.signature.args {
            if let ArgTy::Object(inner) = arg.ty {
                let nested = args[arg.name].as_object().expect("an object");
                let mut given: Vec<&str> = nested.keys().map(String::as_str).collect();
                let mut want: Vec<&str> = inner.iter().map(|a| a.name).collect();
                given.sort_unstable();
                want.sort_unstable();
                assert_eq!(given, want, "{name}.{}", arg.name);
            }
        }
    }
}
