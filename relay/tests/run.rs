//! The webhook procedure ([`antonnia_relay::run`]) branch by branch: each
//! test plays the host, answering the effects the run yields, and checks the
//! sequence the Python and Node relays performed by hand before.

use antonnia_relay::run::{
    Answer, ClaimArgs, Effect, FinishState, HostError, MAX_DEPTH, RunConfig, RunDriver, RunFailure,
    RunKind, WebhookRun,
};
use antonnia_relay::{Delivery, Outcome};
use serde_json::{Value, json};

const SID: &str = "s1";
const CONTACT: &str = r#"{"v":1,"channel_type":"wa","channel_user_id":"u1","contact_name":"Jane"}"#;

/// An assistant message's JSON text, created `second` seconds after 10:00
/// (`None`: no `created_at`).
fn msg(id: &str, second: Option<u32>) -> String {
    let mut m = json!({
        "id": id,
        "session_id": SID,
        "role": "assistant",
        "content": {"type": "text", "text": format!("text of {id}")},
        "delivery_status": "pending",
    });
    if let Some(s) = second {
        m["created_at"] = json!(format!("2026-01-01T10:00:{s:02}Z"));
    }
    m.to_string()
}

fn ms(second: u32) -> i64 {
    1_767_261_600_000 + i64::from(second) * 1000
}

fn config() -> RunConfig {
    RunConfig::new("wa")
}

fn webhook(id: &str, second: Option<u32>) -> WebhookRun {
    let created = second.map_or(0, ms);
    WebhookRun::new(
        RunKind::Webhook,
        config(),
        "tok",
        SID,
        &msg(id, second),
        created,
    )
    .unwrap()
}

fn claim_result(v: Value) -> Answer {
    Answer::Claimed {
        result: v,
        waited_ms: 0,
    }
}

fn claimed(attempt: u32) -> Answer {
    claim_result(json!({"result": "claimed", "attempt": attempt, "contact": CONTACT}))
}

fn sent(id: &str) -> Answer {
    Answer::Delivered(Delivery::Sent {
        provider_message_id: Some(id.into()),
    })
}

fn go(run: &mut WebhookRun, answer: Answer) -> Effect {
    run.resume(answer).unwrap()
}

fn claim_args(e: &Effect) -> &ClaimArgs {
    match e {
        Effect::Claim { args } => args,
        other => panic!("want a claim, got {other:?}"),
    }
}

fn assert_done(e: &Effect, outcome: &str, status: u16, retry_after: Option<u64>) {
    match e {
        Effect::Done {
            outcome: o,
            response,
            ..
        } => {
            assert_eq!(o, outcome);
            assert_eq!(response.status, status);
            assert_eq!(response.retry_after, retry_after);
        }
        other => panic!("want done {outcome}, got {other:?}"),
    }
}

fn assert_finish(e: &Effect, message_id: &str, state: FinishState) -> Option<Outcome> {
    match e {
        Effect::Finish {
            message_id: m,
            state: s,
            outcome,
            ..
        } => {
            assert_eq!(m, message_id);
            assert_eq!(*s, state);
            outcome.clone()
        }
        other => panic!("want finish {message_id} {state:?}, got {other:?}"),
    }
}

/// Answers a delivery of `id` that goes out and is reported: deliver, report, finish.
/// m3's run, claimed, with the earlier m1 listed: its next effect claims m1.
fn m3_waiting_on_m1() -> WebhookRun {
    let mut run = webhook("m3", Some(30));
    go(&mut run, claimed(1));
    go(
        &mut run,
        Answer::Messages {
            messages: vec![msg("m1", Some(10))],
        },
    );
    run
}

/// After an earlier message went out, the run extends the claim of the one
/// waiting on it (`token`); answers that it is still held.
fn extended(run: &mut WebhookRun, e: &Effect, token: &str) -> Effect {
    match e {
        Effect::Extend { token: t, .. } if t == token => {}
        other => panic!("want the claim {token} extended, got {other:?}"),
    }
    go(run, Answer::Extended { held: true })
}

fn deliver_and_report(run: &mut WebhookRun, e: Effect, id: &str) -> Effect {
    let Effect::Deliver {
        idempotency_key, ..
    } = &e
    else {
        panic!("want deliver {id}, got {e:?}")
    };
    assert_eq!(idempotency_key, id);
    let e = go(run, sent(&format!("p-{id}")));
    let Effect::Report { message_id, .. } = &e else {
        panic!("want report, got {e:?}")
    };
    assert_eq!(message_id, id);
    let e = go(run, Answer::Ok);
    assert_finish(&e, id, FinishState::Done);
    go(run, Answer::Ok)
}

#[test]
fn a_first_delivery_is_claimed_listed_delivered_reported_and_finished() {
    let mut run = webhook("m1", Some(5));
    let e = run.next();
    let args = claim_args(&e);
    assert_eq!(args.outbound_key, "antonnia:relay:{s1}:out:m1");
    assert_eq!(args.queue_key, "antonnia:relay:{s1}:queue");
    assert_eq!(args.contact_key, "antonnia:relay:{s1}:contact");
    assert_eq!(args.session_base, "antonnia:relay:{s1}:");
    assert_eq!(args.pending_key, "antonnia:relay:pending:wa");
    assert_eq!(args.pending_member, "s1:m1");
    assert_eq!(args.created_at_ms, ms(5));
    assert_eq!(args.message_json, msg("m1", Some(5)));
    assert_eq!((args.lease_ms, args.token.as_str()), (30_000, "tok"));
    // next() repeats the pending effect.
    assert_eq!(run.next(), e);

    let e = go(&mut run, claimed(1));
    assert_eq!(
        e,
        Effect::ListMessages {
            session_id: SID.into()
        }
    );
    let e = go(
        &mut run,
        Answer::Messages {
            messages: vec![msg("m1", Some(5))],
        },
    );
    let Effect::Deliver {
        message,
        contact,
        redelivery,
        token,
        outbound_key,
        lease_ms,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(message, &msg("m1", Some(5)));
    assert!(!redelivery);
    assert_eq!(
        (
            contact.channel_type.as_str(),
            contact.channel_user_id.as_str()
        ),
        ("wa", "u1")
    );
    assert_eq!(contact.contact_name.as_deref(), Some("Jane"));
    assert_eq!(contact.session_id, SID);
    assert_eq!((token.as_str(), *lease_ms), ("tok", 30_000));
    assert_eq!(outbound_key, "antonnia:relay:{s1}:out:m1");

    let e = go(&mut run, sent("p1"));
    assert_eq!(
        e,
        Effect::Report {
            session_id: SID.into(),
            message_id: "m1".into(),
            outcome: Outcome {
                status: "sent".into(),
                provider_message_id: Some("p1".into()),
                code: None,
                message: None
            },
        }
    );
    let e = go(&mut run, Answer::Ok);
    let outcome = assert_finish(&e, "m1", FinishState::Done).unwrap();
    assert_eq!(outcome.provider_message_id.as_deref(), Some("p1"));
    let e = go(&mut run, Answer::Ok);
    assert_done(&e, "sent", 200, None);
    assert!(run.is_over());
    // Nothing more to answer once it is over.
    assert_eq!(
        run.resume(Answer::Ok).unwrap_err().kind(),
        "invalid_request"
    );
}

#[test]
fn without_strict_order_or_a_created_at_nothing_is_listed() {
    let mut c = config();
    c.strict_order = false;
    let mut run =
        WebhookRun::new(RunKind::Webhook, c, "tok", SID, &msg("m1", Some(5)), ms(5)).unwrap();
    assert!(matches!(go(&mut run, claimed(1)), Effect::Deliver { .. }));

    let mut run = webhook("m1", None);
    assert_eq!(claim_args(&run.next()).created_at_ms, 0);
    assert!(matches!(go(&mut run, claimed(1)), Effect::Deliver { .. }));
}

#[test]
fn a_duplicate_waits_on_a_busy_claim_then_finds_it_done() {
    let mut run = webhook("m1", Some(5));
    let e = go(
        &mut run,
        claim_result(json!({"result": "busy", "lease_ms": 250})),
    );
    assert_eq!(e, Effect::Sleep { ms: 100 });
    let e = go(&mut run, Answer::Ok);
    claim_args(&e);
    let e = go(
        &mut run,
        Answer::Claimed {
            result: json!({"result": "busy", "lease_ms": 30}),
            waited_ms: 100,
        },
    );
    assert_eq!(e, Effect::Sleep { ms: 30 });
    go(&mut run, Answer::Ok);
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    assert_done(&e, "duplicate", 200, None);
}

#[test]
fn a_claim_held_past_the_wait_budget_is_answered_503_busy() {
    let mut run = webhook("m1", Some(5));
    let e = go(
        &mut run,
        Answer::Claimed {
            result: json!({"result": "busy", "lease_ms": 2500}),
            waited_ms: 4950,
        },
    );
    assert_done(&e, "busy", 503, Some(3));
}

#[test]
fn a_redelivery_after_an_expired_lease_is_verified_first() {
    // Still pending at the API: delivered again, flagged.
    let mut run = webhook("m1", Some(5));
    go(&mut run, claimed(2));
    let e = go(&mut run, Answer::Messages { messages: vec![] });
    assert_eq!(
        e,
        Effect::GetMessage {
            session_id: SID.into(),
            message_id: "m1".into()
        }
    );
    let e = go(
        &mut run,
        Answer::Message {
            delivery_status: "pending".into(),
        },
    );
    assert!(matches!(
        e,
        Effect::Deliver {
            redelivery: true,
            ..
        }
    ));
    let e = deliver_and_report(&mut run, e, "m1");
    assert_done(&e, "sent", 200, None);

    // Reported already by the worker that died: settled as done, not sent.
    let mut run = webhook("m1", Some(5));
    go(&mut run, claimed(2));
    go(&mut run, Answer::Messages { messages: vec![] });
    let e = go(
        &mut run,
        Answer::Message {
            delivery_status: "delivered".into(),
        },
    );
    let outcome = assert_finish(&e, "m1", FinishState::Done).unwrap();
    assert_eq!(outcome.status, "delivered");
    assert_done(&go(&mut run, Answer::Ok), "duplicate", 200, None);
}

#[test]
fn earlier_undelivered_messages_go_out_first_in_order() {
    let mut run = webhook("m3", Some(30));
    go(&mut run, claimed(1));
    let user = json!({"id": "u9", "role": "user", "content": {"type": "text", "text": "x"},
        "created_at": "2026-01-01T10:00:10Z"})
    .to_string();
    let sent_already = json!({"id": "m0", "role": "assistant", "delivery_status": "sent",
        "content": {"type": "text", "text": "x"}, "created_at": "2026-01-01T10:00:01Z"})
    .to_string();
    let mut far = config();
    far.order_window_ms = 60_000;
    let listed = vec![
        msg("m3", Some(30)),
        msg("m2", Some(20)),
        msg("m4", Some(40)),
        user,
        sent_already,
        msg("m1", Some(10)),
        msg("m1b", Some(10)),
        msg("nodate", None),
    ];
    let e = go(
        &mut run,
        Answer::Messages {
            messages: listed.clone(),
        },
    );
    // m1 first (then m1b: same instant, by id), then m2; never m3 itself,
    // a later one, a user message, a sent one or one without a date.
    let args = claim_args(&e).clone();
    assert_eq!(
        (args.message_id.as_str(), args.created_at_ms),
        ("m1", ms(10))
    );
    assert_ne!(args.token, "tok");
    // m1 is done already; m3's claim is extended after each earlier one.
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    let e = extended(&mut run, &e, "tok");
    assert_eq!(claim_args(&e).message_id, "m1b");
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    let e = extended(&mut run, &e, "tok");
    let m2 = claim_args(&e).clone();
    assert_eq!(m2.message_id, "m2");
    assert_ne!(m2.token, args.token);
    // m2 is ours: its own earlier ones are listed first (the same list).
    let e = go(&mut run, claimed(1));
    assert!(matches!(e, Effect::ListMessages { .. }));
    let e = go(&mut run, Answer::Messages { messages: listed });
    assert_eq!(claim_args(&e).message_id, "m1");
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    extended(&mut run, &e, &m2.token);
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    let e = extended(&mut run, &e, &m2.token);
    assert!(
        matches!(&e, Effect::Deliver { idempotency_key, token, .. } if idempotency_key == "m2" && *token == m2.token)
    );
    let e = deliver_and_report(&mut run, e, "m2");
    // Then m3 itself.
    let e = extended(&mut run, &e, "tok");
    let e = deliver_and_report(&mut run, e, "m3");
    assert_done(&e, "sent", 200, None);

    // Outside the order window: not held against m3.
    let mut run = WebhookRun::new(
        RunKind::Webhook,
        far,
        "tok",
        SID,
        &msg("m3", Some(30)),
        ms(30),
    )
    .unwrap();
    go(&mut run, claimed(1));
    let old = json!({"id": "old", "role": "assistant", "content": {"type": "text", "text": "x"},
        "created_at": "2026-01-01T09:58:00Z"})
    .to_string();
    let e = go(
        &mut run,
        Answer::Messages {
            messages: vec![old],
        },
    );
    assert!(matches!(e, Effect::Deliver { .. }));
}

#[test]
fn an_unclaimed_earlier_message_is_taken_over_then_this_one_claimed_again() {
    let mut run = webhook("m3", Some(30));
    let e = go(
        &mut run,
        claim_result(
            json!({"result": "earlier", "message_id": "m1", "lease_ms": 0,
            "message": msg("m1", Some(10))}),
        ),
    );
    let args = claim_args(&e);
    assert_eq!((args.message_id.as_str(), args.created_at_ms), ("m1", 0));
    go(&mut run, claimed(1));
    let e = go(&mut run, Answer::Messages { messages: vec![] }); // m1's earlier ones
    let e = deliver_and_report(&mut run, e, "m1");
    let args = claim_args(&e);
    assert_eq!(
        (args.message_id.as_str(), args.token.as_str()),
        ("m3", "tok")
    );
    // A held earlier message is waited for like a busy claim.
    let e = go(
        &mut run,
        claim_result(json!({"result": "earlier", "message_id": "m2", "lease_ms": 40})),
    );
    assert_eq!(e, Effect::Sleep { ms: 40 });
}

#[test]
fn a_deliver_that_raises_is_reported_failed_or_releases_the_claim() {
    // DeliveryError: reported failed with the channel's code.
    let mut run = webhook("m1", None);
    go(&mut run, claimed(1));
    let e = go(
        &mut run,
        Answer::Delivered(Delivery::Refused {
            code: Some(131047),
            message: Some("window".into()),
        }),
    );
    let Effect::Report { outcome, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (outcome.status.as_str(), outcome.code),
        ("failed", Some(131047))
    );
    go(&mut run, Answer::Ok);
    assert_done(&go(&mut run, Answer::Ok), "failed", 200, None);

    // Anything else: the claim released, 503.
    let mut run = webhook("m1", None);
    go(&mut run, claimed(1));
    let e = go(&mut run, Answer::Delivered(Delivery::Crashed));
    assert_eq!(assert_finish(&e, "m1", FinishState::Released), None);
    assert_done(&go(&mut run, Answer::Ok), "deliver_crashed", 503, Some(1));
}

#[test]
fn a_failed_report_is_recorded_delivered_and_reported_by_the_next_delivery() {
    let mut run = webhook("m1", None);
    go(&mut run, claimed(1));
    go(&mut run, sent("p1"));
    let e = go(&mut run, Answer::Error(HostError::ApiUnavailable));
    let outcome = assert_finish(&e, "m1", FinishState::Delivered).unwrap();
    assert_eq!(outcome.provider_message_id.as_deref(), Some("p1"));
    assert_done(&go(&mut run, Answer::Ok), "api_unavailable", 503, Some(1));

    // The next delivery finds it unreported: reports it, never delivers.
    let mut run = webhook("m1", None);
    let e = go(
        &mut run,
        claim_result(
            json!({"result": "unreported", "attempt": 2, "contact": CONTACT,
            "outcome": {"status": "sent", "provider_message_id": "p1"}}),
        ),
    );
    assert!(
        matches!(&e, Effect::Report { outcome, .. } if outcome.provider_message_id.as_deref() == Some("p1"))
    );
    go(&mut run, Answer::Ok);
    assert_done(&go(&mut run, Answer::Ok), "sent", 200, None);

    // A store failure while recording it: the store's failure is the answer.
    let mut run = webhook("m1", None);
    go(&mut run, claimed(1));
    go(&mut run, sent("p1"));
    go(&mut run, Answer::Error(HostError::NotFound));
    let e = go(&mut run, Answer::Error(HostError::StoreUnavailable));
    assert_done(&e, "store_unavailable", 503, Some(1));
}

#[test]
fn an_unknown_session_is_fetched_and_stored_or_is_not_ours() {
    let mut run = webhook("m1", None);
    let e = go(&mut run, claim_result(json!({"result": "unknown_session"})));
    assert_eq!(
        e,
        Effect::FetchSession {
            session_id: SID.into()
        }
    );
    let e = go(
        &mut run,
        Answer::Session {
            metadata: Some(json!({"channel_type": "wa", "channel_user_id": 42})),
            status: "open".into(),
        },
    );
    assert_eq!(
        e,
        Effect::Put {
            key: "antonnia:relay:{s1}:contact".into(),
            value: r#"{"v":1,"channel_type":"wa","channel_user_id":"42"}"#.into(),
            ttl_ms: 7 * 24 * 3600 * 1000,
        }
    );
    claim_args(&go(&mut run, Answer::Ok));
    assert_done(
        &go(&mut run, claim_result(json!({"result": "not_ours"}))),
        "not_ours",
        200,
        None,
    );

    let mut run = webhook("m1", None);
    go(&mut run, claim_result(json!({"result": "unknown_session"})));
    let e = go(
        &mut run,
        Answer::Session {
            metadata: None,
            status: String::new(),
        },
    );
    assert!(
        matches!(&e, Effect::Put { value, .. } if value == r#"{"v":1,"channel_type":"","channel_user_id":""}"#)
    );

    let mut run = webhook("m1", None);
    go(&mut run, claim_result(json!({"result": "unknown_session"})));
    let e = go(&mut run, Answer::Error(HostError::NotFound));
    assert_done(&e, "not_ours", 200, None);
}

#[test]
fn take_overs_nest_at_most_max_depth_deep() {
    let mut run = webhook("m0", Some(59));
    let mut depth = 0;
    let e = loop {
        let next = format!("e{depth}");
        let e = go(
            &mut run,
            claim_result(
                json!({"result": "earlier", "message_id": next, "lease_ms": 0,
                "message": msg(&next, Some(1))}),
            ),
        );
        if !matches!(e, Effect::Claim { .. }) {
            break e;
        }
        depth += 1;
    };
    assert_eq!(depth, MAX_DEPTH + 1);
    assert_done(&e, "busy", 503, Some(1));

    // A take-over without the stored message: retry later.
    let mut run = webhook("m1", None);
    let e = go(
        &mut run,
        claim_result(json!({"result": "earlier", "message_id": "m0", "lease_ms": 0})),
    );
    assert_done(&e, "busy", 503, Some(1));
}

#[test]
fn a_failure_while_earlier_messages_go_out_releases_every_claim_on_the_way() {
    // The listing fails: this claim is released, the API's failure answered.
    let mut run = webhook("m3", Some(30));
    go(&mut run, claimed(1));
    let e = go(&mut run, Answer::Error(HostError::ApiUnavailable));
    assert_finish(&e, "m3", FinishState::Released);
    assert_done(&go(&mut run, Answer::Ok), "api_unavailable", 503, Some(1));

    // An earlier message's deliver crashes: its claim, then this one's, released.
    let mut run = m3_waiting_on_m1();
    go(&mut run, claimed(1)); // m1
    let e = go(&mut run, Answer::Messages { messages: vec![] });
    assert!(matches!(e, Effect::Deliver { .. }));
    let e = go(&mut run, Answer::Delivered(Delivery::Crashed));
    assert_finish(&e, "m1", FinishState::Released);
    let e = go(&mut run, Answer::Ok);
    let Effect::Finish { token, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(token, "tok");
    assert_finish(&e, "m3", FinishState::Released);
    assert_done(&go(&mut run, Answer::Ok), "deliver_crashed", 503, Some(1));

    // An earlier message held elsewhere past the budget: this claim released, busy.
    let mut run = m3_waiting_on_m1();
    let e = go(
        &mut run,
        Answer::Claimed {
            result: json!({"result": "busy", "lease_ms": 9000}),
            waited_ms: 5000,
        },
    );
    assert_finish(&e, "m3", FinishState::Released);
    assert_done(&go(&mut run, Answer::Ok), "busy", 503, Some(9));

    // The release itself fails: the store's failure wins.
    let mut run = webhook("m3", Some(30));
    go(&mut run, claimed(1));
    go(&mut run, Answer::Error(HostError::ApiUnavailable));
    let e = go(&mut run, Answer::Error(HostError::StoreUnavailable));
    assert_done(&e, "store_unavailable", 503, Some(1));
}

#[test]
fn a_host_failure_releases_what_is_held_then_fails_the_run() {
    let mut run = m3_waiting_on_m1();
    go(&mut run, claimed(1)); // m1
    go(&mut run, Answer::Messages { messages: vec![] });
    // A cancellation during m1's deliver: m1's claim is not released (as a
    // crash inside `deliver` would be), m3's is.
    let e = go(&mut run, Answer::Error(HostError::Other));
    assert_finish(&e, "m3", FinishState::Released);
    let e = go(&mut run, Answer::Ok);
    assert_eq!(e, Effect::failed(RunFailure::Host, Some(HostError::Other)));
    assert!(run.is_over());

    let mut run = webhook("m1", None);
    let e = go(&mut run, Answer::Error(HostError::StoreUnavailable));
    assert_done(&e, "store_unavailable", 503, Some(1));
}

#[test]
fn a_sweep_never_waits_and_raises_store_failures() {
    let sweep = || {
        WebhookRun::new(
            RunKind::Sweep,
            config(),
            "tok",
            SID,
            &msg("m1", Some(5)),
            ms(5),
        )
        .unwrap()
    };
    let mut run = sweep();
    assert_eq!(run.kind(), RunKind::Sweep);
    let e = go(
        &mut run,
        claim_result(json!({"result": "busy", "lease_ms": 1200})),
    );
    assert_done(&e, "busy", 503, Some(2));

    let mut run = sweep();
    let e = go(&mut run, Answer::Error(HostError::StoreUnavailable));
    assert_eq!(
        e,
        Effect::failed(
            RunFailure::StoreUnavailable,
            Some(HostError::StoreUnavailable)
        )
    );

    let mut run = sweep();
    let e = go(&mut run, Answer::Error(HostError::ApiUnavailable));
    assert_done(&e, "api_unavailable", 503, Some(1));

    // A stranded claim: redelivered after the check, as for a webhook.
    let mut run = sweep();
    go(&mut run, claimed(2));
    go(&mut run, Answer::Messages { messages: vec![] });
    let e = go(
        &mut run,
        Answer::Message {
            delivery_status: "pending".into(),
        },
    );
    let e = deliver_and_report(&mut run, e, "m1");
    assert_done(&e, "sent", 200, None);
}

#[test]
fn an_unreadable_claim_result_or_contact_is_a_retryable_failure() {
    let mut run = webhook("m1", None);
    let e = go(&mut run, claim_result(json!({"result": "from_the_future"})));
    assert_done(&e, "api_unavailable", 503, Some(1));

    let mut run = webhook("m1", None);
    let e = go(
        &mut run,
        claim_result(json!({"result": "claimed", "attempt": 1, "contact": "{\"v\":2}"})),
    );
    assert_done(&e, "api_unavailable", 503, Some(1));
}

#[test]
fn answers_of_the_wrong_kind_and_bad_inputs_are_refused() {
    let mut run = webhook("m1", None);
    let before = run.next();
    let err = run.resume(Answer::Ok).unwrap_err();
    assert_eq!(err.kind(), "invalid_request");
    assert_eq!(run.next(), before);

    let bad = |c: RunConfig, token: &str, sid: &str, m: &str| {
        WebhookRun::new(RunKind::Webhook, c, token, sid, m, 0)
            .unwrap_err()
            .kind()
    };
    let mut braces = config();
    braces.prefix = "a{b".into();
    assert_eq!(bad(braces, "t", SID, &msg("m", None)), "invalid_request");
    assert_eq!(
        bad(RunConfig::default(), "t", SID, &msg("m", None)),
        "invalid_request"
    );
    assert_eq!(bad(config(), "", SID, &msg("m", None)), "invalid_request");
    assert_eq!(bad(config(), "t", "", &msg("m", None)), "invalid_request");
    assert_eq!(bad(config(), "t", SID, "{}"), "decode");
    assert_eq!(bad(config(), "t", SID, "not json"), "decode");
}

#[test]
fn the_json_driver_runs_the_same_machine() {
    let input = json!({
        "config": {"channel_type": "wa", "prefix": "p", "claim_lease_ms": 9000,
                   "policy": {"max_wait_ms": 1000, "poll_ms": 50}},
        "token": "tok", "session_id": SID, "message": msg("m1", Some(5)), "created_at_ms": ms(5),
    })
    .to_string();
    let mut d = RunDriver::new("webhook", &input).unwrap();
    let e: Value = serde_json::from_str(&d.next()).unwrap();
    assert_eq!(e["effect"], "claim");
    assert_eq!(e["args"]["outbound_key"], "p:{s1}:out:m1");
    assert_eq!(e["args"]["lease_ms"], 9000);
    let step = |d: &mut RunDriver, a: Value| -> Value {
        serde_json::from_str(&d.resume(&a.to_string()).unwrap()).unwrap()
    };
    let e = step(
        &mut d,
        json!({"result": {"result": "busy", "lease_ms": 500}, "waited_ms": 0}),
    );
    assert_eq!(e, json!({"effect": "sleep", "ms": 50}));
    step(&mut d, Value::Null);
    let e = step(
        &mut d,
        json!({"result": {"result": "claimed", "attempt": 1, "contact": CONTACT}, "waited_ms": 60}),
    );
    assert_eq!(e["effect"], "list_messages");
    let e = step(&mut d, json!({"messages": []}));
    assert_eq!(e["effect"], "deliver");
    assert_eq!(e["contact"]["contact_name"], "Jane");
    assert_eq!(e["redelivery"], false);
    let e = step(
        &mut d,
        json!({"delivery": "sent", "provider_message_id": "p1"}),
    );
    assert_eq!(e["effect"], "report");
    assert_eq!(
        e["outcome"],
        json!({"status": "sent", "provider_message_id": "p1"})
    );
    let e = step(&mut d, json!({"error": "api_unavailable"}));
    assert_eq!(e["effect"], "finish");
    assert_eq!(e["state"], "delivered");
    let e = step(&mut d, Value::Null);
    assert_eq!(
        e,
        json!({"effect": "done", "outcome": "api_unavailable", "retry_after": null,
               "response": {"status": 503, "retry_after": 1}})
    );
    assert_eq!(d.resume("null").unwrap_err().kind(), "invalid_request");

    assert_eq!(
        RunDriver::new("resend", &input).unwrap_err().kind(),
        "invalid_request"
    );
    assert_eq!(
        RunDriver::new("webhook", "{").unwrap_err().kind(),
        "invalid_request"
    );
    assert_eq!(
        RunDriver::new("webhook", r#"{"token":"t"}"#)
            .unwrap_err()
            .kind(),
        "invalid_request"
    );
    let mut d = RunDriver::new("sweep", &input).unwrap();
    assert_eq!(d.kind(), RunKind::Sweep);
    assert_eq!(
        d.resume(r#"{"error":"nonsense"}"#).unwrap_err().kind(),
        "invalid_request"
    );
    assert_eq!(d.resume("not json").unwrap_err().kind(), "invalid_request");
    // Debug never shows the token.
    assert!(!format!("{:?}", d).contains("tok"));
}

#[test]
fn the_driver_takes_json_values_as_well_as_text() {
    let input = json!({"config": {"channel_type": "wa"}, "token": "tok", "session_id": SID,
        "message": msg("m1", None)});
    let mut d = RunDriver::from_value("webhook", input).unwrap();
    assert_eq!(d.next_value()["effect"], "claim");
    let e = d
        .resume_value(json!({"result": {"result": "done"}}))
        .unwrap();
    assert_eq!(e["effect"], "done");
    assert_eq!(e["outcome"], "duplicate");
    assert_eq!(
        RunDriver::from_value("webhook", json!([]))
            .unwrap_err()
            .kind(),
        "invalid_request"
    );
}

#[test]
fn a_claim_lost_while_earlier_messages_went_out_is_never_delivered_by_this_run() {
    // m3 waits on m1; meanwhile m3's lease lapses and another run claims it.
    let mut run = webhook("m3", Some(30));
    go(&mut run, claimed(1));
    let e = go(
        &mut run,
        Answer::Messages {
            messages: vec![msg("m1", Some(10)), msg("m3", Some(30))],
        },
    );
    assert_eq!(claim_args(&e).message_id, "m1");
    let e = go(&mut run, claim_result(json!({"result": "done"})));
    let Effect::Extend {
        outbound_key,
        token,
        lease_ms,
    } = &e
    else {
        panic!("want the claim extended, got {e:?}")
    };
    assert_eq!(
        (outbound_key.as_str(), token.as_str(), *lease_ms),
        ("antonnia:relay:{s1}:out:m3", "tok", 30_000)
    );
    // Not held any more: the other run delivers it, this one stops here
    // (no deliver, no finish with a token that is not its own).
    let e = go(&mut run, Answer::Extended { held: false });
    assert_done(&e, "duplicate", 200, None);

    // A store failure while extending unwinds like any other.
    let mut run = m3_waiting_on_m1();
    go(&mut run, claim_result(json!({"result": "done"})));
    let e = go(&mut run, Answer::Error(HostError::StoreUnavailable));
    assert!(matches!(e, Effect::Done { .. }), "{e:?}");
}
