//! Requests built from arbitrary arguments, then driven through an
//! `Exchange` with arbitrary answers.
//!
//! Input: byte 0 picks the call, byte 1 the configuration; up to the first
//! NUL byte come the arguments (JSON text, or — when that does not parse —
//! bytes an arbitrary JSON object is derived from); after it, the script of
//! the exchange (policy, limits, then responses and failures).
//!
//! Checks: never a panic; a built request's URL is the base URL followed by
//! exactly the call's route, each id percent-encoded in its one segment; the
//! body, when present, is JSON (and announced by `content-type`); the
//! `Authorization` header is exactly `Bearer <token>`; an exchange never
//! retries more than `max_attempts - 1` times, never gives an attempt more
//! than its limits allow, never waits past the total deadline, and never
//! shows the token in the error it ends with.
#![no_main]

mod common;

use std::time::Duration;

use antonnia_core::exchange::{Exchange, Failure, Limits, Step};
use antonnia_core::{Call, Config, HttpRequest, HttpResponse, RetryPolicy, Timestamp};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const TOKENS: &[&str] = &["sk_test_fuzz_token_0123456789", "sk_live_Zx9", "t"];
const BASE_URLS: &[&str] = &[
    "https://services.antonnia.com/conversations/v2/api/v1",
    "http://127.0.0.1:8080/conversations/v2/api/v1/",
    "http://[::1]:1/x",
    "https://h.test",
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let name = Call::NAMES[usize::from(data[0]) % Call::NAMES.len()];
    let token = TOKENS[usize::from(data[1]) % TOKENS.len()];
    let base_url = BASE_URLS[usize::from(data[1] >> 4) % BASE_URLS.len()];
    let config = Config::new(token)
        .and_then(|c| c.with_base_url(base_url))
        .expect("a valid configuration");
    let rest = &data[2..];
    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let (arg_bytes, script) = rest.split_at(split);
    let args = match serde_json::from_slice::<Value>(arg_bytes) {
        Ok(v) => v,
        Err(_) => match common::object(&mut Unstructured::new(arg_bytes), 3) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    // Arguments the call does not take are dropped (each call refuses
    // unknown ones), so that derived objects reach the builders too.
    let Ok((call, args)) = common::call_from_json(name, args) else {
        return;
    };
    assert_eq!(call.name(), name);
    let request = match call.build(&config) {
        Ok(request) => request,
        Err(e) => {
            assert_eq!(e.kind(), "invalid_request", "{e:?}");
            return;
        }
    };
    check_request(&request, &config, name, &args);
    assert_eq!(
        call.build(&config).as_ref(),
        Ok(&request),
        "building is deterministic"
    );
    // A token the caller put in the arguments is theirs to see again (in
    // the URL of an error); only one the server or transport echoes is not.
    let token_in_args = args
        .to_string()
        .contains(config.token().expect("built with a token").expose());
    let script = &mut Unstructured::new(script.get(1..).unwrap_or(&[]));
    let _ = exchange(script, call, &config, &request, !token_in_args);
});

fn check_request(request: &HttpRequest, config: &Config, name: &str, args: &Value) {
    let auth: Vec<&(String, String)> = request
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .collect();
    assert_eq!(auth.len(), 1, "one Authorization header");
    assert_eq!(
        auth[0].1,
        format!(
            "Bearer {}",
            config.token().expect("built with a token").expose()
        )
    );
    match &request.body {
        Some(body) => {
            if let Err(e) = serde_json::from_slice::<Value>(body) {
                panic!(
                    "the body of {name} is not JSON ({e}): {:?}",
                    String::from_utf8_lossy(body)
                );
            }
            assert_eq!(request.header("content-type"), Some("application/json"));
        }
        None => assert_eq!(request.header("content-type"), None),
    }

    let base = config.base_url();
    let Some(path) = request.url.strip_prefix(base) else {
        panic!("{} does not start with the base URL {base}", request.url);
    };
    let Some(path) = path.strip_prefix('/') else {
        panic!("{} has no path after the base URL", request.url);
    };
    let segments: Vec<&str> = path.split('/').collect();
    for raw in &segments {
        assert!(
            raw != &"." && raw != &"..",
            "a dot segment in {}",
            request.url
        );
        if percent_decode(raw).is_none() {
            panic!(
                "segment {raw:?} of {} is not percent-encoded text",
                request.url
            );
        }
    }
    // serde also reads a struct from an array, by field position: such
    // arguments name no ids to compare with.
    if !args.is_object() {
        return;
    }
    let expected = route(name, args);
    assert_eq!(
        segments.len(),
        expected.len(),
        "{name}: {} is not the route {expected:?}",
        request.url
    );
    for (raw, want) in segments.iter().zip(&expected) {
        let decoded = percent_decode(raw).expect("checked above");
        assert_eq!(&decoded, want, "{name}: segment {raw:?} of {}", request.url);
    }
}

/// The call's path after the base URL, ids as given (an independent
/// statement of the contract's routes, not the core's code).
fn route(name: &str, args: &Value) -> Vec<String> {
    let id = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{name} was built without a string {key}"))
            .to_string()
    };
    let w = |s: &str| s.to_string();
    match name {
        "sessions.create" => vec![w("sessions")],
        "sessions.get" | "sessions.update" => vec![w("sessions"), id("session_id")],
        "sessions.transfer" | "sessions.finish" | "sessions.reply" | "sessions.schedule" => {
            let action = name.trim_start_matches("sessions.");
            vec![w("sessions"), id("session_id"), w(action)]
        }
        "sessions.search" => vec![w("sessions"), w("search")],
        "messages.create" => vec![w("sessions"), id("session_id"), w("messages")],
        "messages.get" | "messages.update" => {
            vec![
                w("sessions"),
                id("session_id"),
                w("messages"),
                id("message_id"),
            ]
        }
        "messages.search" => match args.get("session_id") {
            Some(Value::String(s)) => vec![w("sessions"), s.clone(), w("messages"), w("search")],
            _ => vec![w("messages"), w("search")],
        },
        "agents.create" => vec![w("agents")],
        "agents.get" | "agents.update" | "agents.delete" => vec![w("agents"), id("agent_id")],
        "agents.search" => vec![w("agents"), w("search")],
        "survey_submissions.get" => {
            vec![
                w("sessions"),
                id("session_id"),
                w("surveys"),
                id("survey_submission_id"),
            ]
        }
        "survey_submissions.reply" | "survey_submissions.cancel" => vec![
            w("sessions"),
            id("session_id"),
            w("surveys"),
            id("survey_submission_id"),
            w(name.trim_start_matches("survey_submissions.")),
        ],
        other => panic!("no route written for {other}: add it here"),
    }
}

/// Decodes a path segment made only of RFC 3986 unreserved characters and
/// `%XX` escapes; anything else (a raw `/`, `?`, `#`, space, non-ASCII) is
/// `None`.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

fn duration(u: &mut Unstructured<'_>) -> Result<Duration> {
    Ok(match u.int_in_range(0..=7)? {
        0 => Duration::ZERO,
        1 => Duration::MAX,
        2 => Duration::new(u.arbitrary()?, u.int_in_range(0..=999_999_999)?),
        3 => Duration::from_secs_f64(u.int_in_range(0..=1_000_000)? as f64 / 1000.0),
        _ => Duration::from_millis(u.int_in_range(0..=120_000)?),
    })
}

/// Bodies that reach every branch: resources, lists, error details (one
/// echoing the token), HTML, garbage.
fn body(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    const BODIES: &[&str] = &[
        "",
        "{}",
        "[]",
        "null",
        r#"{"id":"x"}"#,
        r#"[{"id":"x"}]"#,
        r#"{"id":"msg_1","content":{"type":"text","text":"hi"}}"#,
        r#"{"detail":"not found"}"#,
        r#"{"detail":[{"loc":["body","x"],"msg":"bad","type":"value_error"}]}"#,
        r#"{"detail":"echo: Bearer sk_test_fuzz_token_0123456789","retry_after":2}"#,
        r#"{"message":"sk_test_fuzz_token_0123456789","retry_after":"1.5"}"#,
        r#"{"detail":"revoked","tokens":{"sk_test_fuzz_token_0123456789":"revoked"}}"#,
        r#"{"detail":[{"loc":["header"],"msg":"bad","type":"sk_test_fuzz_token_0123456789"}]}"#,
        "<html>login</html>",
    ];
    if u.ratio(2, 3)? {
        Ok(u.choose(BODIES)?.as_bytes().to_vec())
    } else {
        u.arbitrary()
    }
}

fn exchange(
    u: &mut Unstructured<'_>,
    call: Call,
    config: &Config,
    request: &HttpRequest,
    check_redaction: bool,
) -> Result<()> {
    let policy = RetryPolicy {
        max_attempts: if u.ratio(1, 8)? {
            u.arbitrary()?
        } else {
            u.int_in_range(0..=6)?
        },
        initial_backoff: duration(u)?,
        max_backoff: duration(u)?,
        max_retry_after: duration(u)?,
    };
    let limits = Limits {
        timeout: duration(u)?,
        total_timeout: if u.arbitrary()? {
            Some(duration(u)?)
        } else {
            None
        },
        max_response_bytes: u.arbitrary()?,
    };
    let now = Timestamp::from_unix_seconds(1_700_000_000 + i64::from(u.arbitrary::<i32>()?))
        .expect("in range");
    let mut ex = Exchange::new(call, config, policy, limits).expect("the call built once already");
    assert_eq!(ex.request(), request);
    let mut elapsed = Duration::ZERO;
    let mut retries = 0u32;
    let token = config.token().expect("built with a token").expose();
    for _ in 0..32 {
        let limit = ex.attempt_timeout(elapsed);
        assert!(
            limit <= limits.timeout,
            "{limit:?} over the timeout {limits:?}"
        );
        if let Some(total) = limits.total_timeout {
            assert!(
                limit <= total.saturating_sub(elapsed),
                "{limit:?} past the deadline"
            );
        }
        elapsed = elapsed.saturating_add(duration(u)?);
        let jitter: f64 = u.arbitrary()?;
        let step = match u.int_in_range(0..=5)? {
            0 => ex.on_failure(Failure::ConnectFailed, "", elapsed, jitter),
            1 => ex.on_failure(Failure::TransportFailed, &common::string(u)?, elapsed, jitter),
            2 => ex.on_failure(Failure::TimedOut, "", elapsed, jitter),
            3 => ex.on_failure(
                Failure::BodyTooLarge {
                    received: u.arbitrary()?,
                },
                "",
                elapsed,
                jitter,
            ),
            _ => {
                let status = if u.ratio(3, 4)? {
                    *u.choose(&[
                        200, 201, 204, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503,
                        504,
                    ])?
                } else {
                    u.arbitrary()?
                };
                let mut response = HttpResponse::new(status, body(u)?);
                if u.arbitrary()? {
                    response = response.with_header("Retry-After", common::string(u)?);
                }
                if u.arbitrary()? {
                    response = response.with_header("content-type", common::string(u)?);
                }
                ex.on_response(&response, elapsed, now, jitter)
            }
        };
        match step {
            Step::Retry(wait) => {
                retries += 1;
                assert!(
                    retries <= policy.max_attempts.saturating_sub(1),
                    "retry {retries} with max_attempts {}",
                    policy.max_attempts
                );
                assert_eq!(ex.attempt(), retries + 1);
                if let Some(total) = limits.total_timeout {
                    assert!(
                        elapsed.saturating_add(wait) < total,
                        "a wait past the deadline"
                    );
                }
                elapsed = elapsed.saturating_add(wait);
            }
            Step::Done(_) => return Ok(()),
            Step::Fail(e) => {
                if check_redaction && token.len() >= 6 {
                    let shown = format!(
                        "{e} {e:?} {}",
                        serde_json::to_string(&e.info()).expect("error info serializes")
                    );
                    assert!(!shown.contains(token), "the token leaked: {shown}");
                }
                return Ok(());
            }
        }
    }
    Ok(())
}
