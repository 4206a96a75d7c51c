//! `antonnia-wasm`: the core in WebAssembly, for the npm package `antonnia-sdk`.
//!
//! A small, generic surface: the hand-written ESM wrapper (`js/`) turns it
//! into the typed client. Structured values cross the boundary as JSON text
//! (one `JSON.stringify` / `JSON.parse` on the JS side), because serde_json's
//! recursion limit and error paths then apply to every argument, and a string
//! is the cheapest way to move a tree into and out of wasm.
//!
//! Nothing here panics on input: a panic in wasm traps and leaves the instance
//! unusable. Every failure is thrown as a JS `Error` named
//! `AntonniaCoreError` whose message is the core's `ErrorInfo` as JSON; the
//! wrapper turns it into its error class, chosen by `kind`. There is no clock
//! here either (`SystemTime::now` panics on wasm32-unknown-unknown): the
//! wrapper passes `now`.

#![forbid(unsafe_code)]

use std::time::Duration;

use antonnia_core::channel::{DeliveryReport, is_outbound_json};
use antonnia_core::json;
use antonnia_core::ops::{Callable, DynamicCall};
use antonnia_core::stream::MessageText;
#[cfg(feature = "relay")]
use antonnia_core::webhook::WebhookEvent;
#[cfg(feature = "webhook-signatures")]
use antonnia_core::webhook::{WebhookHeaders, WebhookReceiver as CoreReceiver, WebhookSecret};
use antonnia_core::{
    Config as CoreConfig, Error, Exchange as CoreExchange, Failure, HttpResponse, Limits,
    MessageStream as CoreStream, RetryPolicy as CorePolicy, Step, StreamOptions, Timestamp,
};
use serde_json::Value;
use wasm_bindgen::prelude::*;

// The browser build trades a little allocation speed for size (feature `talc`).
#[cfg(all(
    feature = "talc",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The JS error the wrapper recognises: `name` `AntonniaCoreError`, `message`
/// the `ErrorInfo` JSON.
fn throw(e: &Error) -> JsValue {
    core_error(e.info().to_json())
}

fn core_error(info_json: String) -> JsValue {
    let err = js_sys::Error::new(&info_json);
    err.set_name("AntonniaCoreError");
    err.into()
}

fn invalid(field: &str, message: impl Into<String>) -> JsValue {
    throw(&Error::invalid(field, message))
}

fn json_arg(field: &str, text: &str) -> Result<Value, JsValue> {
    json::parse_value(text.as_bytes())
        .map_err(|e| invalid(field, format!("is not valid JSON: {}", e.info().message)))
}

/// `v` as JSON: delivery report fields (string keys, no floats) here, the
/// relay's records and answers in the relay's build.
/// That cannot fail; serde_json's error, if it ever did, is not described,
/// as its `Display` would compile serde_json's messages into the wasm again.
fn to_json(v: &impl serde::Serialize) -> Result<String, JsValue> {
    serde_json::to_string(v).map_err(|_| invalid("result", "could not be written as JSON"))
}

fn millis(field: &str, ms: f64) -> Result<Duration, JsValue> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        invalid(
            field,
            "must be a non-negative, finite number of milliseconds",
        )
    })
}

fn secs(field: &str, s: f64) -> Result<Duration, JsValue> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| invalid(field, "must be a non-negative, finite number of seconds"))
}

fn timestamp_ms(field: &str, ms: f64) -> Result<Timestamp, JsValue> {
    Timestamp::from_unix_seconds_f64(ms / 1000.0).ok_or_else(|| invalid(field, "is out of range"))
}

fn count(field: &str, n: f64) -> Result<usize, JsValue> {
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= usize::MAX as f64 {
        Ok(n as usize)
    } else {
        Err(invalid(field, "must be a whole number, 0 or more"))
    }
}

/// Header pairs from one text of `name:value` lines: how headers a request
/// or response carried cross into wasm, in one string. The wrapper writes it
/// from `fetch`'s `Headers`, which hold no line breaks, or from the caller's
/// headers after refusing a line break, NUL or a colon in a name.
fn header_lines(text: &str) -> Vec<(String, String)> {
    antonnia_core::http::header_lines(text)
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// The core's linear memory, where JS writes a webhook delivery and reads
/// the event back ([`DeliveryBuffers`]).
#[wasm_bindgen(js_name = coreMemory)]
pub fn core_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// A webhook receiver's two buffers in the core's memory, which JS writes
/// and reads itself: the delivery (its `name:value` header lines, then its
/// body), encoded by JS straight into the buffer `deliveryAt` gives, and the
/// event's canonical JSON, decoded by JS from where `eventAt` says.
/// wasm-bindgen would allocate, copy and free both on every call.
#[derive(Default)]
struct DeliveryBuffers {
    delivery: Vec<u8>,
    event: Vec<u8>,
    /// The event's tape (`tapeAt`): its count of words, then the words; a
    /// count of 0 when there is none, which leaves JS to parse the text.
    #[cfg(feature = "event-tape")]
    tape: Vec<u32>,
}

/// What a receiver's buffers keep between deliveries: a larger delivery's
/// memory is let go after it.
const KEPT_BYTES: usize = 64 * 1024;

impl DeliveryBuffers {
    /// Where JS may write a delivery of up to `len` bytes.
    fn delivery_at(&mut self, len: usize) -> usize {
        if self.delivery.len() < len {
            self.delivery.resize(len, 0);
        }
        self.delivery.as_ptr() as usize
    }

    /// The delivery JS wrote (its first `len` bytes), its header lines (the
    /// first `headers_len`) split from its body, and the event buffer,
    /// emptied for what is read from it.
    fn take(
        &mut self,
        len: usize,
        headers_len: usize,
    ) -> Result<(&str, &[u8], &mut Vec<u8>), JsValue> {
        let delivery = self
            .delivery
            .get(..len)
            .ok_or_else(|| invalid("len", "is past the end of the delivery buffer"))?;
        let (headers, body) = delivery
            .split_at_checked(headers_len)
            .ok_or_else(|| invalid("headersLen", "is past the end of the delivery"))?;
        let headers =
            std::str::from_utf8(headers).map_err(|_| invalid("headers", "are not UTF-8"))?;
        self.event.clear();
        self.event.shrink_to(KEPT_BYTES);
        Ok((headers, body, &mut self.event))
    }

    /// Lets go of a large delivery's memory, once it is read.
    fn done(&mut self) {
        if self.delivery.len() > KEPT_BYTES {
            self.delivery = Vec::new();
        }
    }

    /// The tape of the event just read, behind its count of words.
    #[cfg(feature = "event-tape")]
    fn write_tape(&mut self) {
        self.tape.clear();
        self.tape.shrink_to(KEPT_BYTES / 4);
        self.tape.push(0);
        if antonnia_core::tape::write_tape(&self.event, &mut self.tape) {
            self.tape[0] = u32::try_from(self.tape.len() - 1).unwrap_or(0);
        }
    }
}

/// Header pairs from JSON text: an array of `[name, value]` string arrays
/// (absent: none). JSON rather than a JS array read element by element: one
/// crossing, and the core's own reader instead of a second deserializer.
fn header_pairs(
    field: &str,
    headers_json: Option<String>,
) -> Result<Vec<(String, String)>, JsValue> {
    let Some(text) = headers_json else {
        return Ok(Vec::new());
    };
    let wrong = || invalid(field, "must be a list of [name, value] string pairs");
    let Value::Array(items) = json_arg(field, &text)? else {
        return Err(wrong());
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                Ok([Value::String(name), Value::String(value)]) => Ok((name, value)),
                _ => Err(wrong()),
            },
            _ => Err(wrong()),
        })
        .collect()
}

/// Where requests go and how they are signed. The token cannot be read back.
#[wasm_bindgen]
pub struct Config {
    inner: CoreConfig,
}

#[wasm_bindgen]
impl Config {
    /// `token` (absent: no Authorization header), `baseUrl` (absent:
    /// production), `headersJson` a JSON array of `[name, value]` pairs.
    #[wasm_bindgen(constructor)]
    pub fn new(
        token: Option<String>,
        base_url: Option<String>,
        headers_json: Option<String>,
    ) -> Result<Config, JsValue> {
        // Without a token (behind a proxy that adds it) no Authorization
        // header is sent.
        let mut c = match token {
            Some(token) => CoreConfig::new(&token),
            None => Ok(CoreConfig::anonymous()),
        }
        .and_then(|c| c.with_binding("js"))
        .map_err(|e| throw(&e))?;
        if let Some(url) = base_url {
            c = c.with_base_url(&url).map_err(|e| throw(&e))?;
        }
        for (k, v) in header_pairs("headers", headers_json)? {
            c = c.with_header(&k, &v).map_err(|e| throw(&e))?;
        }
        Ok(Config { inner: c })
    }

    /// The API root, without a trailing slash.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_string()
    }

    /// The `User-Agent` the SDK sends.
    #[wasm_bindgen(getter, js_name = userAgent)]
    pub fn user_agent(&self) -> String {
        self.inner.user_agent().to_string()
    }
}

/// One API call with checked arguments: read and built by the schema's one
/// generic builder, so the wasm holds no decoder or encoder per call.
#[wasm_bindgen]
pub struct Call {
    inner: DynamicCall,
}

#[wasm_bindgen]
impl Call {
    /// A call by name (`sessions.get`, ...) with its arguments as JSON
    /// (an object keyed by the wire's names).
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, args_json: &str) -> Result<Call, JsValue> {
        let args = json_arg("arguments", args_json)?;
        let inner = DynamicCall::from_json(name, args).map_err(|e| throw(&e))?;
        Ok(Call { inner })
    }

    /// The call's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// For searches: the call for the page after one that returned
    /// `returned` items, or undefined after the last page.
    #[wasm_bindgen(js_name = nextPage)]
    pub fn next_page(&self, returned: f64) -> Result<Option<Call>, JsValue> {
        let returned = count("returned", returned)?;
        Ok(self.inner.next_page(returned).map(|inner| Call { inner }))
    }
}

/// How many times, and when, failed calls are sent again.
#[wasm_bindgen]
pub struct RetryPolicy {
    inner: CorePolicy,
}

#[wasm_bindgen]
impl RetryPolicy {
    /// `maxRetries` (default 2); the others in seconds (absent: the core's defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_retries: Option<f64>,
        initial_backoff: Option<f64>,
        max_backoff: Option<f64>,
        max_retry_after: Option<f64>,
    ) -> Result<RetryPolicy, JsValue> {
        let retries = match max_retries {
            None => 2,
            Some(n) => count("maxRetries", n)?.min(u32::MAX as usize) as u32,
        };
        let mut p = CorePolicy::with_max_retries(retries);
        if let Some(v) = initial_backoff {
            p.initial_backoff = secs("initial_backoff", v)?;
        }
        if let Some(v) = max_backoff {
            p.max_backoff = secs("max_backoff", v)?;
        }
        if let Some(v) = max_retry_after {
            p.max_retry_after = secs("max_retry_after", v)?;
        }
        Ok(RetryPolicy { inner: p })
    }
}

// What only the shared vectors ask of the core directly (the retry decision
// alone, a call's safety, call equality): the wrapper never calls these, so
// they are built only into the relay's wasm (server-side), which
// tests/vectors.test.mjs replays them through; browsers do not download them.
#[cfg(feature = "relay")]
#[wasm_bindgen]
impl Call {
    /// Whether repeating it cannot duplicate a side effect.
    #[wasm_bindgen(getter)]
    pub fn idempotent(&self) -> bool {
        self.inner.spec().retry_safety == antonnia_core::RetrySafety::Idempotent
    }

    /// Whether both are the same call with the same arguments.
    pub fn equals(&self, other: &Call) -> bool {
        self.inner == other.inner
    }
}

#[cfg(feature = "relay")]
#[wasm_bindgen]
impl RetryPolicy {
    /// Seconds to wait before sending again after `attempt` ended with
    /// `outcome` (JSON, the vectors' form), or undefined to stop.
    pub fn decide(
        &self,
        idempotent: bool,
        attempt: u32,
        outcome_json: &str,
        jitter: f64,
    ) -> Result<Option<f64>, JsValue> {
        use antonnia_core::{Outcome, RetrySafety};
        let outcome =
            Outcome::from_json(&json_arg("outcome", outcome_json)?).map_err(|e| throw(&e))?;
        let safety = RetrySafety::from_idempotent(idempotent);
        Ok(self
            .inner
            .decide(safety, attempt, &outcome, jitter)
            .wait()
            .map(|d| d.as_secs_f64()))
    }
}

/// One call in progress: the core decides each attempt's time limit, the
/// retries and the final error; the wrapper's loop only sends and sleeps.
#[wasm_bindgen]
pub struct Exchange {
    inner: CoreExchange<DynamicCall>,
    // Debug logging on: each outcome's log line is kept for `takeLog`.
    log: bool,
    last_log: Option<String>,
    // What the last `onResponse` left: the wait before a retry, the id of
    // the response that ended the call.
    retry_after_ms: f64,
    response_request_id: Option<String>,
}

#[wasm_bindgen]
impl Exchange {
    /// Limits: `timeoutMs` per attempt, `totalTimeoutMs` for the whole call
    /// (absent: none), `maxResponseBytes`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        call: &Call,
        config: &Config,
        policy: &RetryPolicy,
        timeout_ms: f64,
        total_timeout_ms: Option<f64>,
        max_response_bytes: f64,
    ) -> Result<Exchange, JsValue> {
        let limits = Limits {
            timeout: millis("timeoutMs", timeout_ms)?,
            total_timeout: total_timeout_ms
                .map(|t| millis("totalTimeoutMs", t))
                .transpose()?,
            max_response_bytes: count("maxResponseBytes", max_response_bytes)?,
        };
        let inner = CoreExchange::new(call.inner.clone(), &config.inner, policy.inner, limits)
            .map_err(|e| throw(&e))?;
        Ok(Exchange {
            inner,
            log: false,
            last_log: None,
            retry_after_ms: 0.0,
            response_request_id: None,
        })
    }

    /// Sends `id` as the call's `x-request-id` and names it in the call's
    /// errors (refused unless 1 to 200 printable ASCII characters).
    #[wasm_bindgen(js_name = setRequestId)]
    pub fn set_request_id(&mut self, id: &str) -> Result<(), JsValue> {
        self.inner.set_request_id(id).map_err(|e| throw(&e))
    }

    /// The id sent with the call, if one was set.
    #[wasm_bindgen(getter, js_name = requestId)]
    pub fn request_id(&self) -> Option<String> {
        self.inner.request_id().map(str::to_string)
    }

    /// Turns on debug logging: from now on `logAttempt` and `takeLog` give
    /// the core's log lines (never a header value or a body).
    #[wasm_bindgen(js_name = enableLog)]
    pub fn enable_log(&mut self) {
        self.log = true;
    }

    /// The log line for the attempt about to be sent.
    #[wasm_bindgen(js_name = logAttempt)]
    pub fn log_attempt(&self) -> String {
        self.inner.log_attempt()
    }

    /// The log line for how the last attempt ended, once (with logging on).
    #[wasm_bindgen(js_name = takeLog)]
    pub fn take_log(&mut self) -> Option<String> {
        self.last_log.take()
    }

    /// The call's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.call().name().to_string()
    }

    /// The current attempt, 1 for the first.
    #[wasm_bindgen(getter)]
    pub fn attempt(&self) -> u32 {
        self.inner.attempt()
    }

    /// The largest response body to read.
    #[wasm_bindgen(getter, js_name = maxResponseBytes)]
    pub fn max_response_bytes(&self) -> f64 {
        self.inner.limits().max_response_bytes as f64
    }

    /// The request to send: JSON `{method, url, headers: [[name, value]...]}`
    /// (the token included: pass them straight to `fetch`).
    #[wasm_bindgen(js_name = requestJson)]
    pub fn request_json(&self) -> Result<String, JsValue> {
        // Written straight from the request, without a `Value` tree or
        // serde (this runs once per attempt of every call).
        let req = self.inner.request();
        let mut out = Vec::with_capacity(64 + req.url.len() + 48 * req.headers.len());
        out.extend_from_slice(b"{\"method\":");
        json::write_str(&mut out, req.method.as_str());
        out.extend_from_slice(b",\"url\":");
        json::write_str(&mut out, &req.url);
        out.extend_from_slice(b",\"headers\":[");
        for (i, (name, value)) in req.headers.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"[" } else { b",[" });
            json::write_str(&mut out, name);
            out.push(b',');
            json::write_str(&mut out, value);
            out.push(b']');
        }
        out.extend_from_slice(b"]}");
        String::from_utf8(out).map_err(|_| invalid("request", "could not be written as JSON"))
    }

    /// The request body, if any.
    #[wasm_bindgen(js_name = requestBody)]
    pub fn request_body(&self) -> Option<Vec<u8>> {
        self.inner.request().body.clone()
    }

    /// Milliseconds the current attempt may take, `elapsedMs` into the call.
    #[wasm_bindgen(js_name = attemptTimeoutMs)]
    pub fn attempt_timeout_ms(&self, elapsed_ms: f64) -> Result<f64, JsValue> {
        let elapsed = millis("elapsedMs", elapsed_ms)?;
        Ok(self.inner.attempt_timeout(elapsed).as_secs_f64() * 1000.0)
    }

    /// A whole response: the result's JSON text when the call is done, or
    /// undefined to send again after `retryAfterMs`; throws the call's error.
    /// A result leaves the id the server answered with in
    /// `responseRequestId`. Plain values rather than a step object: building
    /// a JS object from wasm costs a crossing per property. `headers` is one
    /// text of `name:value` lines (what `fetch`'s `Headers` can hold has no
    /// line breaks), so that they cross into wasm as one string.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(
        &mut self,
        status: u16,
        headers: &str,
        body: Vec<u8>,
        elapsed_ms: f64,
        now_ms: f64,
        jitter: f64,
    ) -> Result<Option<String>, JsValue> {
        let headers = header_lines(headers);
        let response = HttpResponse {
            status,
            headers,
            body,
        };
        let elapsed = millis("elapsedMs", elapsed_ms)?;
        let now = timestamp_ms("nowMs", now_ms)?;
        // The result as canonical JSON from the core's one generic decoder:
        // no typed decoder per resource in the wasm, and no second
        // serialization before JS parses it.
        let step = self
            .inner
            .on_response_canonical(&response, elapsed, now, jitter);
        let response_id = response.request_id();
        if self.log {
            self.last_log = Some(
                self.inner
                    .log_step(Some(status), response_id, elapsed, &step),
            );
        }
        match step {
            Step::Done(text) => {
                self.response_request_id = self
                    .inner
                    .response_request_id(&response)
                    .map(str::to_string);
                Ok(Some(text))
            }
            Step::Retry(wait) => {
                self.retry_after_ms = wait.as_secs_f64() * 1000.0;
                Ok(None)
            }
            Step::Fail(e) => Err(throw(&e)),
        }
    }

    /// Milliseconds to wait before sending again, after an `onResponse`
    /// that returned undefined.
    #[wasm_bindgen(getter, js_name = retryAfterMs)]
    pub fn retry_after_ms(&self) -> f64 {
        self.retry_after_ms
    }

    /// The request id of the response that ended the call, if it had one
    /// (the server's, else the one sent).
    #[wasm_bindgen(getter, js_name = responseRequestId)]
    pub fn response_request_id(&self) -> Option<String> {
        self.response_request_id.clone()
    }

    /// An attempt without a whole response (`connect_failed`,
    /// `transport_failed`, `timed_out`, `body_too_large` with `received`
    /// bytes): milliseconds to wait before sending again; throws the call's
    /// error.
    #[wasm_bindgen(js_name = onFailure)]
    pub fn on_failure(
        &mut self,
        failure: &str,
        detail: &str,
        elapsed_ms: f64,
        jitter: f64,
        received: f64,
    ) -> Result<f64, JsValue> {
        let failure = match failure {
            "body_too_large" => Failure::BodyTooLarge {
                received: count("received", received)?,
            },
            other => Failure::from_name(other)
                .ok_or_else(|| invalid("failure", format!("unknown failure {other:?}")))?,
        };
        let elapsed = millis("elapsedMs", elapsed_ms)?;
        let step = self.inner.on_failure(failure, detail, elapsed, jitter);
        if self.log {
            self.last_log = Some(self.inner.log_step(None, None, elapsed, &step));
        }
        match step {
            Step::Retry(wait) => Ok(wait.as_secs_f64() * 1000.0),
            Step::Fail(e) => Err(throw(&e)),
            Step::Done(_) => Err(invalid(
                "failure",
                "a failure cannot end a call with a result",
            )),
        }
    }
}

/// The cursor of `messages.stream`: the core decides each call, what is new
/// and how long to wait.
#[wasm_bindgen]
pub struct MessageStream {
    inner: CoreStream,
}

#[wasm_bindgen]
impl MessageStream {
    /// A stream of one session's messages (intervals in milliseconds).
    #[wasm_bindgen(constructor)]
    pub fn new(
        session_id: &str,
        poll_interval_ms: f64,
        max_poll_interval_ms: f64,
        page_size: f64,
        from_start: bool,
    ) -> Result<MessageStream, JsValue> {
        if !page_size.is_finite() || page_size.fract() != 0.0 {
            return Err(invalid("page_size", "must be a whole number"));
        }
        let options = StreamOptions {
            poll_interval: millis("pollIntervalMs", poll_interval_ms)?,
            max_poll_interval: millis("maxPollIntervalMs", max_poll_interval_ms)?,
            page_size: page_size.clamp(i64::MIN as f64, i64::MAX as f64) as i64,
            from_start,
        };
        let inner = CoreStream::new(session_id, options).map_err(|e| throw(&e))?;
        Ok(MessageStream { inner })
    }

    /// Starts right after the message `message_id` (before the first poll).
    #[wasm_bindgen(js_name = startAfter)]
    pub fn start_after(&mut self, message_id: &str) -> Result<(), JsValue> {
        self.inner.start_after(message_id).map_err(|e| throw(&e))
    }

    /// The `messages.search` call to run now.
    #[wasm_bindgen(js_name = nextCall)]
    pub fn next_call(&self) -> Result<Call, JsValue> {
        let inner = DynamicCall::from_json("messages.search", self.inner.next_arguments())
            .map_err(|e| throw(&e))?;
        Ok(Call { inner })
    }

    /// Takes the page the call returned (its canonical JSON): JSON
    /// `{messages: [...new ones], waitMs}`.
    #[wasm_bindgen(js_name = onPage)]
    pub fn on_page(&mut self, page_json: &str) -> Result<String, JsValue> {
        let page = MessageText::read_page(page_json).map_err(|e| {
            let info = e.info();
            invalid(
                "page",
                format!(
                    "must be the messages a search returned: {} at `{}`",
                    info.message,
                    info.path.as_deref().unwrap_or_default()
                ),
            )
        })?;
        let poll = self.inner.on_page(page);
        // The new messages' own text, as they came: never decoded whole.
        let mut out = String::with_capacity(page_json.len() + 32);
        out.push_str("{\"messages\":[");
        for (i, item) in poll.messages.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(item.text);
        }
        out.push_str("],\"waitMs\":");
        out.push_str(&json::f64_text(poll.wait.as_secs_f64() * 1000.0));
        out.push('}');
        Ok(out)
    }

    /// A poll failed with an SDK error of this `kind`, `status` and
    /// `retryAfter` (seconds): milliseconds to wait before polling again, or
    /// undefined when the stream must end with that error.
    #[wasm_bindgen(js_name = onFailedPoll)]
    pub fn on_failed_poll(
        &mut self,
        kind: &str,
        status: Option<u16>,
        retry_after: Option<f64>,
    ) -> Option<f64> {
        let retry_after = retry_after.and_then(|s| Duration::try_from_secs_f64(s).ok());
        self.inner
            .on_failed_poll(kind, status, retry_after)
            .map(|d| d.as_secs_f64() * 1000.0)
    }
}

/// Verifies and parses webhook deliveries; skipping verification takes
/// `verify = false` (a missing secret is an error otherwise).
#[cfg(feature = "webhook-signatures")]
#[wasm_bindgen]
pub struct WebhookReceiver {
    inner: CoreReceiver,
    buffers: DeliveryBuffers,
    /// The host's SHA-256, when it is faster than the core's in wasm:
    /// Node's, through delivery.js.
    host: Option<HostHash>,
}

/// A host SHA-256 and what it hashes: the HMAC's inner hash input, which
/// the core writes.
#[cfg(feature = "webhook-signatures")]
struct HostHash {
    sha256: HostSha256,
    scratch: Vec<u8>,
}

#[cfg(feature = "webhook-signatures")]
impl HostHash {
    /// The host's SHA-256 of `input` (in the core's memory), or `None` when
    /// the host fails, which leaves the hashing to the core.
    fn digest(sha256: &HostSha256, input: &[u8]) -> Option<[u8; 32]> {
        let mut digest = [0u8; 32];
        let out = digest.as_mut_ptr() as usize;
        sha256
            .sha256(input.as_ptr() as usize, input.len(), out)
            .then_some(digest)
    }

    /// Lets go of a large delivery's copy, once it is hashed.
    fn done(&mut self) {
        self.scratch.clear();
        self.scratch.shrink_to(KEPT_BYTES);
    }
}

#[cfg(feature = "webhook-signatures")]
#[wasm_bindgen]
extern "C" {
    /// A SHA-256 of JS's own (delivery.js's `hostSha256`), which the
    /// receiver asks for the HMAC's inner hash of a verified delivery.
    pub type HostSha256;

    /// Writes the SHA-256 of the `len` bytes at `at` (in the core's memory)
    /// to the 32 bytes at `out`: `false` when it could not. It never
    /// throws, so the call needs no `catch` (whose glue cost a verified
    /// delivery a closure and an `arguments` object).
    #[wasm_bindgen(method)]
    fn sha256(this: &HostSha256, at: usize, len: usize, out: usize) -> bool;
}

#[cfg(feature = "webhook-signatures")]
#[wasm_bindgen]
impl WebhookReceiver {
    /// `toleranceSeconds` and `maxBodyBytes` absent: the core's defaults.
    /// `hostSha256` absent: the core computes the whole HMAC.
    #[wasm_bindgen(constructor)]
    pub fn new(
        secret: Option<String>,
        verify: bool,
        tolerance_seconds: Option<f64>,
        max_body_bytes: Option<f64>,
        host_sha256: Option<HostSha256>,
    ) -> Result<WebhookReceiver, JsValue> {
        let mut inner =
            CoreReceiver::from_options(secret.as_deref(), verify).map_err(|e| throw(&e))?;
        if let Some(t) = tolerance_seconds {
            inner = inner.with_tolerance(secs("toleranceSeconds", t)?);
        }
        if let Some(n) = max_body_bytes {
            inner = inner.with_max_body_bytes(count("maxBodyBytes", n)?);
        }
        Ok(WebhookReceiver {
            inner,
            buffers: DeliveryBuffers::default(),
            host: host_sha256.map(|sha256| HostHash {
                sha256,
                scratch: Vec::new(),
            }),
        })
    }

    /// Checks and parses the delivery written at `deliveryAt`: its first
    /// `len` bytes, the first `headersLen` of them its headers as
    /// `name:value` lines, the rest its body. `nowMs` is the clock, in Unix
    /// milliseconds. The event's canonical JSON is left at `eventAt`: its
    /// length in bytes is returned.
    pub fn receive(
        &mut self,
        len: usize,
        headers_len: usize,
        now_ms: f64,
    ) -> Result<usize, JsValue> {
        let now = timestamp_ms("now", now_ms)?;
        let WebhookReceiver {
            inner,
            buffers,
            host,
        } = self;
        let (headers, body, event) = buffers.take(len, headers_len)?;
        let headers = WebhookHeaders::from_lines(headers);
        let received = match host {
            Some(h) => inner.receive_canonical_into_hashing_with(
                body,
                &headers,
                now,
                event,
                &mut h.scratch,
                |input| HostHash::digest(&h.sha256, input),
            ),
            None => inner.receive_canonical_into(body, &headers, now, event),
        };
        let written = event.len();
        if let Some(h) = host {
            h.done();
        }
        buffers.done();
        received.map_err(|e| throw(&e))?;
        #[cfg(feature = "event-tape")]
        buffers.write_tape();
        Ok(written)
    }
}

#[cfg(feature = "relay")]
impl WebhookReceiver {
    /// The checked and parsed event, for `receive` and the relay's
    /// `receiveForRelay`.
    fn event(
        &mut self,
        len: usize,
        headers_len: usize,
        now_ms: f64,
    ) -> Result<WebhookEvent, JsValue> {
        let now = timestamp_ms("now", now_ms)?;
        let WebhookReceiver {
            inner,
            buffers,
            host,
        } = self;
        let (headers, body, _) = buffers.take(len, headers_len)?;
        let headers = WebhookHeaders::from_lines(headers);
        let received = match host {
            Some(h) => {
                inner.receive_from_hashing_with(body, &headers, now, &mut h.scratch, |input| {
                    HostHash::digest(&h.sha256, input)
                })
            }
            None => inner.receive_from(body, &headers, now),
        };
        if let Some(h) = host {
            h.done();
        }
        buffers.done();
        received.map_err(|e| throw(&e))
    }
}

/// The browser build's receiver (the `browser` export condition, built
/// without the feature `webhook-signatures`): it parses deliveries that a
/// server has already verified, and refuses to verify. A page cannot keep a
/// signing secret, so verifying there would only give a false sense of
/// safety; leaving HMAC-SHA256 and the signature checks out also saves a
/// page about 6 KiB gzip (BENCHMARKS.md, "Stop 27").
#[cfg(not(feature = "webhook-signatures"))]
#[wasm_bindgen]
pub struct WebhookReceiver {
    max_body_bytes: usize,
    buffers: DeliveryBuffers,
}

#[cfg(not(feature = "webhook-signatures"))]
#[wasm_bindgen]
impl WebhookReceiver {
    /// Only `verify = false`; the other arguments as in the full build.
    #[wasm_bindgen(constructor)]
    pub fn new(
        _secret: Option<String>,
        verify: bool,
        tolerance_seconds: Option<f64>,
        max_body_bytes: Option<f64>,
    ) -> Result<WebhookReceiver, JsValue> {
        if verify {
            return Err(not_in_browser_build("verify"));
        }
        if let Some(t) = tolerance_seconds {
            secs("toleranceSeconds", t)?;
        }
        let max_body_bytes = match max_body_bytes {
            Some(n) => count("maxBodyBytes", n)?,
            None => antonnia_core::webhook::DEFAULT_MAX_BODY_BYTES,
        };
        Ok(WebhookReceiver {
            max_body_bytes,
            buffers: DeliveryBuffers::default(),
        })
    }

    /// Parses the delivery written at `deliveryAt` (within the size limit),
    /// as in the full build; the headers and clock are not read without
    /// verification.
    pub fn receive(
        &mut self,
        len: usize,
        headers_len: usize,
        _now_ms: f64,
    ) -> Result<usize, JsValue> {
        let (_, body, event) = self.buffers.take(len, headers_len)?;
        let received =
            antonnia_core::webhook::parse_event_canonical_into(body, self.max_body_bytes, event);
        let written = event.len();
        self.buffers.done();
        received.map_err(|e| throw(&e))?;
        #[cfg(feature = "event-tape")]
        self.buffers.write_tape();
        Ok(written)
    }
}

/// Where a receiver's delivery and event are, in either build.
#[wasm_bindgen]
impl WebhookReceiver {
    /// Where to write a delivery of up to `len` bytes, in the core's memory
    /// (`coreMemory`): valid until the next call on the receiver.
    #[wasm_bindgen(js_name = deliveryAt)]
    pub fn delivery_at(&mut self, len: usize) -> usize {
        self.buffers.delivery_at(len)
    }

    /// Where the event `receive` read is, in the core's memory: valid until
    /// the next call on the receiver.
    #[wasm_bindgen(js_name = eventAt)]
    pub fn event_at(&self) -> usize {
        self.buffers.event.as_ptr() as usize
    }

    /// Where the tape of the event `receive` read is, in the core's memory
    /// (four-byte words): its count of words, then the words of
    /// `antonnia_core::tape`; a count of 0 when there is no tape. Valid
    /// until the next call on the receiver.
    #[cfg(feature = "event-tape")]
    #[wasm_bindgen(js_name = tapeAt)]
    pub fn tape_at(&self) -> usize {
        self.buffers.tape.as_ptr() as usize
    }
}

/// What the browser build says of webhook signing and verification, which
/// it leaves out.
#[cfg(not(feature = "webhook-signatures"))]
fn not_in_browser_build(field: &str) -> JsValue {
    invalid(
        field,
        "webhook signatures are not verified or made in antonnia-sdk's browser build (the \"browser\" \
         export condition): a signing secret must never reach a web page. Verify deliveries on your \
         server (Node, Deno, Bun and edge workers load the full build) and hand the page the checked \
         body with verify: false",
    )
}

/// Whether a message (canonical JSON) is one the channel must deliver.
#[wasm_bindgen(js_name = isOutbound)]
pub fn is_outbound_message(message_json: &str) -> Result<bool, JsValue> {
    is_outbound_json(message_json).map_err(|e| invalid("message", format!("is not a message: {e}")))
}

/// The Standard Webhooks signature (`v1,<base64>`) of a delivery.
#[cfg(feature = "webhook-signatures")]
#[wasm_bindgen(js_name = signWebhook)]
pub fn sign_webhook(
    secret: &str,
    id: &str,
    timestamp: f64,
    body: &[u8],
) -> Result<String, JsValue> {
    if !timestamp.is_finite() || timestamp.fract() != 0.0 || timestamp.abs() > 1e15 {
        return Err(invalid("timestamp", "must be whole Unix seconds"));
    }
    let s = WebhookSecret::new(secret).map_err(|e| throw(&e))?;
    Ok(s.sign(id, timestamp as i64, body))
}

/// The browser build's `signWebhook`: an error saying why it is not there.
#[cfg(not(feature = "webhook-signatures"))]
#[wasm_bindgen(js_name = signWebhook)]
pub fn sign_webhook(
    _secret: &str,
    _id: &str,
    _timestamp: f64,
    _body: &[u8],
) -> Result<String, JsValue> {
    Err(not_in_browser_build("secret"))
}

/// The `messages.update` fields (JSON) that report a delivery outcome
/// (`reportJson`: `{status, provider_message_id?, at?, code?, message?}`).
#[wasm_bindgen(js_name = deliveryFields)]
pub fn delivery_fields(report_json: &str) -> Result<String, JsValue> {
    let report =
        DeliveryReport::from_json(json_arg("report", report_json)?).map_err(|e| throw(&e))?;
    to_json(&report.fields())
}

// The channel relay's exports: only in the relay's own build (feature
// `relay`, loaded by the server-only antonnia-sdk/relay), so the wasm that
// browsers download does not grow by them.
#[cfg(feature = "relay")]
mod relay;
