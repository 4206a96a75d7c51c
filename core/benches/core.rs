//! The core's hot paths: what a binding pays per call and per webhook.
//!
//! `cargo bench -p antonnia-core --bench core`; figures in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use antonnia_core::ops::{Callable, CreateMessage, DynamicCall, SearchSessions};
use antonnia_core::webhook::{
    DEFAULT_MAX_BODY_BYTES, WebhookHeaders, WebhookSecret, parse_event, parse_event_canonical,
};
use antonnia_core::{
    Call, Config, HttpResponse, MessageContent, MessageRole, Operation, Timestamp,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const WEBHOOK_410: &[u8] = include_bytes!("../../tests/fixtures/message_created_410.json");

fn fifty_sessions() -> Vec<u8> {
    let sessions: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"id":"sess_{i:03}","contact_id":"c{i}","organization_id":"org_1","conversation_id":"conv_{i}","status":"open","agent":{{"id":"agent_abc","name":"Support Bot","type":"ai","assistant_id":"asst_1"}},"metadata":{{"channel_type":"whatsapp","channel_user_id":"5511999{i:06}"}},"created_at":"2025-01-15T10:30:00.123456Z","updated_at":"2025-01-15T10:31:00Z"}}"#
            )
        })
        .collect();
    format!("[{}]", sessions.join(",")).into_bytes()
}

fn benches(c: &mut Criterion) {
    let config = Config::new("sk_live_benchmark")
        .unwrap()
        .with_base_url("http://127.0.0.1:8080/conversations/v2/api/v1")
        .unwrap();
    let create = CreateMessage {
        session_id: "sess_abc123".into(),
        content: MessageContent::text("Hello, I need help with my order"),
        role: MessageRole::User,
        provider_message_id: Some("ext_msg_001".into()),
        replied_provider_message_id: None,
        run_id: None,
    };
    c.bench_function("build create-message request", |b| {
        b.iter(|| black_box(&create).build(black_box(&config)).unwrap())
    });

    // From arguments JSON, as a binding hands them over: the typed path
    // (serde derive, then the call's checks) and the schema's generic one
    // (the web build's).
    let args = serde_json::json!({
        "session_id": "sess_abc123",
        "content": {"type": "text", "text": "Hello, I need help with my order"},
        "provider_message_id": "ext_msg_001",
    });
    let mut group = c.benchmark_group("arguments");
    group.bench_function("messages.create from JSON, typed Call", |b| {
        b.iter(|| {
            Call::from_json("messages.create", black_box(&args).clone())
                .and_then(|call| call.build(black_box(&config)))
                .unwrap()
        })
    });
    group.bench_function("messages.create from JSON, schema DynamicCall", |b| {
        b.iter(|| {
            DynamicCall::from_json("messages.create", black_box(&args).clone())
                .and_then(|call| call.build(black_box(&config)))
                .unwrap()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("webhook");
    group.throughput(Throughput::Bytes(WEBHOOK_410.len() as u64));
    group.bench_function("parse 410-byte message.created", |b| {
        b.iter(|| parse_event(black_box(WEBHOOK_410)).unwrap())
    });
    // The web build's path: the schema's generic decoder, canonical JSON out
    // (compare with the typed parse plus writing the event as JSON).
    group.bench_function(
        "parse 410-byte message.created to canonical JSON (schema)",
        |b| {
            b.iter(|| {
                parse_event_canonical(black_box(WEBHOOK_410), DEFAULT_MAX_BODY_BYTES).unwrap()
            })
        },
    );
    group.bench_function(
        "parse 410-byte message.created to canonical JSON (typed + serialize)",
        |b| {
            b.iter(|| serde_json::to_string(&parse_event(black_box(WEBHOOK_410)).unwrap()).unwrap())
        },
    );
    let secret = WebhookSecret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
    let signature = secret.sign("msg_1", 1_736_937_000, WEBHOOK_410);
    let headers = WebhookHeaders {
        id: Some("msg_1"),
        timestamp: Some("1736937000"),
        signature: Some(&signature),
    };
    let now = Timestamp::from_unix_seconds(1_736_937_000).unwrap();
    group.bench_function("verify signature of 410-byte body", |b| {
        b.iter(|| {
            secret
                .verify(
                    black_box(&headers),
                    black_box(WEBHOOK_410),
                    now,
                    Duration::from_secs(300),
                )
                .unwrap()
        })
    });
    group.finish();

    let page = HttpResponse::new(200, fifty_sessions());
    let search = SearchSessions::default();
    let mut group = c.benchmark_group("response");
    group.throughput(Throughput::Bytes(page.body.len() as u64));
    group.bench_function("parse 50-session search page", |b| {
        b.iter(|| {
            let sessions = search.parse(black_box(&page)).unwrap();
            assert_eq!(sessions.len(), 50);
            sessions
        })
    });
    let call = Call::from_json("sessions.search", serde_json::json!({})).unwrap();
    group.bench_function(
        "parse 50-session search page to canonical JSON (schema)",
        |b| b.iter(|| call.parse_canonical(black_box(&page)).unwrap()),
    );
    group.finish();

    // The core's own float reading and writing (json/float.rs) against
    // serde_json's table-driven ones: numbers metadata carries (short
    // decimals, JavaScript's 17-digit doubles), and the extremes.
    let mut group = c.benchmark_group("floats");
    for (name, numbers) in [
        (
            "7 metadata numbers",
            &b"[0.5,3.14159,-12.25,0.30000000000000004,-23.5505199,4.7,1234.5678]"[..],
        ),
        (
            "3 extremes",
            &b"[1.7976931348623157e308,5e-324,1.23456789e-300]"[..],
        ),
    ] {
        let value: serde_json::Value = serde_json::from_slice(numbers).unwrap();
        group.bench_function(format!("read {name}, core"), |b| {
            b.iter(|| antonnia_core::json::parse_value(black_box(numbers)).unwrap())
        });
        group.bench_function(format!("read {name}, serde_json"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(numbers)).unwrap())
        });
        group.bench_function(format!("write {name}, core"), |b| {
            b.iter(|| antonnia_core::schema::differential::value_text(black_box(&value)))
        });
        group.bench_function(format!("write {name}, serde_json"), |b| {
            b.iter(|| serde_json::to_string(black_box(&value)).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = core;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(core);
