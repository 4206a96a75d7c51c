//! Property tests: what is built parses back to the same thing, and no input,
//! however hostile, makes the core panic.

use antonnia_core::error::parse_retry_after;
use antonnia_core::ops::{CreateMessage, CreateSession, GetMessage, SearchSessions};
use antonnia_core::webhook::{WebhookHeaders, WebhookReceiver, WebhookSecret, parse_event};
use antonnia_core::{
    Call, Config, HttpResponse, Message, MessageContent, MessageRole, Operation, Paginated,
    Session, Timestamp,
};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn config() -> Config {
    Config::new("sk_test_props")
        .unwrap()
        .with_base_url("http://127.0.0.1:9/base")
        .unwrap()
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (-62_167_219_200i64..=253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(s, n)| Timestamp::from_unix_parts(s, n).unwrap())
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_.]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn metadata() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,8}", json_value(), 0..4)
        .prop_map(|m| m.into_iter().collect())
}

fn content() -> impl Strategy<Value = MessageContent> {
    prop_oneof![
        "\\PC{0,40}".prop_map(MessageContent::text),
        "\\PC{0,20}"
            .prop_map(|url| MessageContent::Image(antonnia_core::types::ImageContent { url })),
        ("\\PC{0,20}", proptest::option::of("\\PC{0,20}")).prop_map(|(url, transcript)| {
            MessageContent::Audio(antonnia_core::types::AudioContent { url, transcript })
        }),
        "\\PC{0,20}".prop_map(|thought| {
            MessageContent::Thought(antonnia_core::types::ThoughtContent { thought })
        }),
        ("[a-z]{1,10}", metadata()).prop_filter_map("unknown kinds only", |(t, mut raw)| {
            let known = ["text", "image", "video", "audio", "file", "thought"];
            if known.contains(&t.as_str()) || t.starts_with("function") {
                return None;
            }
            raw.insert("type".into(), Value::String(t.clone()));
            Some(MessageContent::Unknown(
                antonnia_core::types::UnknownContent {
                    content_type: t,
                    raw,
                },
            ))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn timestamps_round_trip(t in timestamp()) {
        prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn ids_never_leave_their_segment(session_id in "\\PC{1,30}", message_id in "\\PC{1,30}") {
        prop_assume!(!session_id.trim().is_empty() && !message_id.trim().is_empty());
        let req = GetMessage { session_id: session_id.clone(), message_id: message_id.clone() }
            .build(&config())
            .unwrap();
        let path = req.url.strip_prefix("http://127.0.0.1:9/base/sessions/").unwrap();
        let segments: Vec<&str> = path.split('/').collect();
        prop_assert_eq!(segments.len(), 3);
        prop_assert_eq!(segments[1], "messages");
        for (seg, id) in [(segments[0], &session_id), (segments[2], &message_id)] {
            prop_assert!(!seg.contains(['?', '#', ' ']));
            prop_assert_eq!(&percent_decode_str(seg).decode_utf8().unwrap(), id);
        }
    }

    #[test]
    fn created_messages_round_trip_through_the_wire(
        session_id in "[a-z0-9_]{1,12}",
        content in content(),
        user in any::<bool>(),
        pid in proptest::option::of("\\PC{1,12}"),
    ) {
        prop_assume!(pid.as_deref().is_none_or(|p| !p.trim().is_empty()));
        let role = if user { MessageRole::User } else { MessageRole::Assistant };
        let call = CreateMessage {
            session_id,
            content: content.clone(),
            role: role.clone(),
            provider_message_id: pid.clone(),
            replied_provider_message_id: None,
            run_id: None,
        };
        let req = call.build(&config()).unwrap();
        // What a server would echo back: the request body plus an id.
        let mut echoed: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        echoed["id"] = json!("msg_1");
        let message = call
            .parse(&HttpResponse::new(200, serde_json::to_vec(&echoed).unwrap()))
            .unwrap();
        prop_assert_eq!(message.content, content);
        prop_assert_eq!(message.role, Some(role));
        prop_assert_eq!(message.provider_message_id, pid);
    }

    #[test]
    fn created_sessions_round_trip_through_the_wire(
        contact_id in "\\PC{1,12}",
        contact_name in "\\PC{0,12}",
        meta in proptest::option::of(metadata()),
    ) {
        prop_assume!(!contact_id.trim().is_empty());
        let call = CreateSession { contact_id: contact_id.clone(), contact_name, metadata: meta.clone(), ..Default::default() };
        let req = call.build(&config()).unwrap();
        let mut echoed: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        echoed["id"] = json!("sess_1");
        let session = call.parse(&HttpResponse::new(200, serde_json::to_vec(&echoed).unwrap())).unwrap();
        prop_assert_eq!(session.contact_id, Some(contact_id));
        prop_assert_eq!(session.metadata, meta.unwrap_or_default());
    }

    #[test]
    fn resources_survive_serialization(
        id in "\\PC{1,12}",
        meta in metadata(),
        created in proptest::option::of(timestamp()),
        content in content(),
    ) {
        let mut s = Session::with_id(id.clone());
        s.metadata = meta;
        s.created_at = created;
        let back: Session = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        prop_assert_eq!(back, s);
        let mut m = Message::new(id, content);
        m.delivered_at = created;
        let back: Message = serde_json::from_slice(&serde_json::to_vec(&m).unwrap()).unwrap();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn pages_advance_by_what_was_returned(limit in 1i64..500, offset in 0i64..10_000, returned in 0usize..600) {
        let search = SearchSessions { limit: Some(limit), offset: Some(offset), ..Default::default() };
        match search.next_page(returned) {
            Some(next) => {
                prop_assert!(returned as i64 >= limit);
                prop_assert_eq!(next.offset, Some(offset + returned as i64));
                prop_assert_eq!(next.limit, Some(limit));
            }
            None => prop_assert!((returned as i64) < limit),
        }
    }

    #[test]
    fn signatures_verify_and_tampering_is_caught(key in prop::collection::vec(any::<u8>(), 1..64), body in prop::collection::vec(any::<u8>(), 0..256), flip in any::<prop::sample::Index>()) {
        let secret = WebhookSecret::from_bytes(&key).unwrap();
        let sig = secret.sign("msg_1", 1_700_000_000, &body);
        let now = Timestamp::from_unix_seconds(1_700_000_000).unwrap();
        let headers = WebhookHeaders { id: Some("msg_1"), timestamp: Some("1700000000"), signature: Some(&sig) };
        let tol = std::time::Duration::from_secs(300);
        prop_assert!(secret.verify(&headers, &body, now, tol).is_ok());
        prop_assert!(WebhookSecret::new(&secret.to_whsec()).unwrap().verify(&headers, &body, now, tol).is_ok());
        if !body.is_empty() {
            let mut tampered = body.clone();
            let i = flip.index(body.len());
            tampered[i] ^= 0x01;
            prop_assert!(secret.verify(&headers, &tampered, now, tol).is_err());
        }
    }

    // --- no input panics ---

    #[test]
    fn any_webhook_body_is_an_event_or_an_error(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_event(&body);
    }

    #[test]
    fn any_json_webhook_is_an_event_or_an_error(t in prop_oneof![Just("message.created".to_string()), Just("session.created".to_string()), Just("session.finished".to_string()), Just("app.connection.created".to_string()), "[a-z.]{0,12}"], data in json_value(), id in json_leaf()) {
        let body = json!({"id": id, "type": t, "data": {"object": data.clone(), "action": data}});
        let _ = parse_event(&serde_json::to_vec(&body).unwrap());
    }

    #[test]
    fn any_response_is_a_result_or_an_error(
        status in 100u16..600,
        body in prop_oneof![prop::collection::vec(any::<u8>(), 0..256), json_value().prop_map(|v| serde_json::to_vec(&v).unwrap())],
        retry_after in proptest::option::of(prop_oneof!["\\PC{0,30}", "[+-]?[0-9]{0,3}(\\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?"]),
        call in prop::sample::select(Call::NAMES),
    ) {
        let args = json!({"session_id": "s", "message_id": "m", "agent_id": "a", "survey_submission_id": "x"});
        // Arguments that do not fit a call are an error too, never a panic.
        if let Ok(call) = Call::from_json(call, args) {
            let mut response = HttpResponse::new(status, body);
            if let Some(r) = retry_after {
                response = response.with_header("retry-after", r);
            }
            if let Err(e) = call.parse(&response) {
                // What the web build throws is what serde_json writes.
                let info = e.info();
                prop_assert_eq!(info.to_json(), serde_json::to_string(&info).unwrap());
            }
        }
    }

    #[test]
    fn retry_after_seconds_read_as_std_reads_them(
        text in prop_oneof!["[ +-]{0,2}[0-9]{0,4}(\\.[0-9]{0,4})?([eE][+-]?[0-9]{0,4})? ?", "\\PC{0,8}"],
    ) {
        let std = text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok());
        prop_assert_eq!(parse_retry_after(&text, None), std, "{:?}", text);
    }

    #[test]
    fn any_arguments_are_a_request_or_an_error(call in prop::sample::select(Call::NAMES), args in json_value()) {
        if let Ok(call) = Call::from_json(call, args) {
            let _ = call.build(&config());
        }
    }

    #[test]
    fn any_text_is_a_timestamp_or_an_error(text in "\\PC{0,40}", bytes in "[0-9T:.+Z -]{0,35}") {
        let _ = Timestamp::parse(&text);
        let _ = Timestamp::parse(&bytes);
        let _ = Timestamp::parse_http_date(&text);
        let _ = parse_retry_after(&text, Some(Timestamp::UNIX_EPOCH));
    }

    #[test]
    fn any_signature_headers_are_checked_without_panicking(
        secret in "\\PC{0,40}",
        id in proptest::option::of("\\PC{0,20}"),
        ts in proptest::option::of("\\PC{0,20}"),
        sig in proptest::option::of("\\PC{0,80}"),
        now in any::<i32>(),
    ) {
        let mut headers = Vec::new();
        for (k, v) in [("webhook-id", id), ("webhook-timestamp", ts), ("webhook-signature", sig)] {
            if let Some(v) = v {
                headers.push((k.to_string(), v));
            }
        }
        if let Ok(r) = WebhookReceiver::new(&secret) {
            let now = Timestamp::from_unix_seconds(i64::from(now)).unwrap();
            let _ = r.receive(b"{}", &headers, now);
        }
    }

    #[test]
    fn tokens_never_leak(secret in "[A-Za-z0-9]{12,32}", junk in "[\\x00-\\x1f\\x7f é]{0,3}", at in any::<prop::sample::Index>(), url in "\\PC{0,30}") {
        let token = format!("sk_live_{secret}");
        let cfg = Config::new(&token).unwrap();
        let req = GetMessage { session_id: "s".into(), message_id: "m".into() }.build(&cfg).unwrap();
        for shown in [format!("{cfg:?}"), format!("{req:?}"), cfg.token().unwrap().to_string()] {
            prop_assert!(!shown.contains(&secret), "{}", shown);
        }
        let _ = cfg.with_base_url(&url);
        // A token with junk inside is refused, and the refusal does not echo it.
        let cut = at.index(token.len());
        let bad = format!("{}{junk}{}", &token[..cut], &token[cut..]);
        if let Err(e) = Config::new(&bad) {
            prop_assert!(!e.to_string().contains(&secret[..8]));
            let debug = format!("{e:?}");
            prop_assert!(!debug.contains(&secret[..8]));
        } else {
            prop_assert!(junk.is_empty());
        }
    }
}
