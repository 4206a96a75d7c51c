//! The client tree and the one send loop.
//!
//! Every typed method only puts its arguments into the JSON object the core's
//! `Call::from_json` reads (the same names as the Python keyword arguments
//! and the shared vectors) and hands the call to [`Inner::run`], the single
//! loop over the core's `Exchange`. The core checks the arguments, builds the
//! request, decides each attempt's time limit, the retries, their waits and
//! the final (token-free) error.

use std::collections::HashMap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::hash::{BuildHasher, Hasher};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use antonnia_core::stream::{MessageStream as CoreStream, StreamOptions};
use antonnia_core::{
    Call, CallOutput, Config, Exchange, Failure, HttpResponse as CoreResponse, Limits, RetryPolicy,
    Step, Timestamp,
};
use serde_json::{Map, Value};

use crate::channel::DeliveryReport;
use crate::errors::{AntonniaError, HttpTransportError};
use crate::transport::{HttpHeader, HttpRequest, HttpTransport, Sleeper};
use crate::types::{
    Agent, AgentType, DeliveryStatus, Message, MessageContent, MessageRole, ScheduleConfig,
    Session, SessionSchedule, SessionStatus, SurveySubmission, mirror,
};

/// How long calls may take, how often they are retried, how much they read.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClientOptions {
    /// The API root; production when absent. Point it at your own backend
    /// (a proxy that adds the token) in a mobile app.
    #[uniffi(default)]
    pub base_url: Option<String>,
    /// The longest one attempt may take, request to last body byte.
    #[uniffi(default = 60000)]
    pub timeout_ms: i64,
    /// The longest a whole call may take, retries included; absent: the
    /// SDK's default of 120 s (`defaultTotalTimeoutMs()`). Every call has one.
    #[uniffi(default)]
    pub total_timeout_ms: Option<i64>,
    /// How many times a failed call is sent again when that is safe.
    #[uniffi(default = 2)]
    pub max_retries: i32,
    /// The largest response body read.
    #[uniffi(default = 10485760)]
    pub max_response_bytes: i64,
}

#[derive(Clone)]
pub(crate) struct Inner {
    config: Config,
    policy: RetryPolicy,
    limits: Limits,
    transport: Arc<dyn HttpTransport>,
    sleeper: Arc<dyn Sleeper>,
    /// `ANTONNIA_LOG=debug` when the client was made: one line per attempt
    /// and one per outcome on stderr (the core's text: no header value, no body).
    debug: bool,
    /// Where the calls of a `withRawResponse` view record the response they
    /// ended with (see [`Client::capturing`]); none on an ordinary client.
    capture: Option<Arc<ResponseCapture>>,
}

/// The HTTP response a call ended with, beside its parsed result: what the
/// `withRawResponse` views of the Kotlin and Swift layers return with the
/// value (`RawResponse`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ResponseInfo {
    /// The status code.
    pub status: i32,
    /// The response's headers, as received.
    pub headers: Vec<HttpHeader>,
    /// The call's request id: the server's `x-request-id` (or `request-id`),
    /// else the one the SDK sent.
    pub request_id: Option<String>,
}

/// Holds the response of the last call that succeeded through a client made
/// by [`Client::capturing`]: the machinery under `withRawResponse` (use that).
#[derive(Debug, Default, uniffi::Object)]
pub struct ResponseCapture {
    last: Mutex<Option<ResponseInfo>>,
}

#[uniffi::export]
impl ResponseCapture {
    /// An empty capture.
    #[uniffi::constructor]
    pub fn new() -> Arc<ResponseCapture> {
        Arc::new(ResponseCapture::default())
    }

    /// The response the last successful call ended with; none before one.
    pub fn response(&self) -> Option<ResponseInfo> {
        lock(&self.last).clone()
    }
}

/// A fresh id for a call's `x-request-id`: `req_` and 32 hex digits from
/// std's random hash keys, a process-wide counter and the clock.
fn new_request_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut a = std::collections::hash_map::RandomState::new().build_hasher();
    a.write_u64(n);
    a.write_u64(nanos);
    let mut b = std::collections::hash_map::RandomState::new().build_hasher();
    b.write_u64(a.finish());
    b.write_u64(n);
    format!("req_{:016x}{:016x}", a.finish(), b.finish())
}

/// The default overall deadline of a call, in milliseconds (120 s).
#[uniffi::export]
pub fn default_total_timeout_ms() -> i64 {
    millis(antonnia_core::exchange::DEFAULT_TOTAL_TIMEOUT)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The longest time limit a client takes: 2^31 - 1 ms (about 24.8 days),
/// the most the hosts' own timers and socket timeouts hold (Java's `int`
/// socket timeouts, JavaScript's `setTimeout`). A larger value (such as
/// `Long.MAX_VALUE` for "no limit") would overflow them, or wait forever.
pub(crate) const MAX_TIMEOUT_MS: i64 = i32::MAX as i64;

/// Milliseconds given by the host: 0 to [`MAX_TIMEOUT_MS`].
fn duration_ms(field: &str, ms: i64) -> Result<Duration, AntonniaError> {
    if !(0..=MAX_TIMEOUT_MS).contains(&ms) {
        return Err(AntonniaError::invalid(
            field,
            format!("must be 0 to {MAX_TIMEOUT_MS} milliseconds (about 24.8 days), got {ms}"),
        ));
    }
    Ok(Duration::from_millis(ms.unsigned_abs()))
}

/// A value in [0, 1) for the backoff's jitter; std's per-instance random
/// hash keys are enough (no need for a crate).
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The first of two futures to finish: `Ok` the first's output, `Err` the
/// second's when the second (the timer) won. The loser is dropped, which
/// cancels it on the host's side.
async fn first<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(Err(v));
        }
        Poll::Pending
    })
    .await
}

impl Inner {
    /// The send loop: the only place a request is sent.
    pub(crate) async fn run(&self, call: Call) -> Result<CallOutput, AntonniaError> {
        let mut exchange = Exchange::new(call, &self.config, self.policy, self.limits)?;
        exchange.set_request_id(&new_request_id())?;
        let max = self.limits.max_response_bytes;
        let start = Instant::now();
        loop {
            let budget = exchange.attempt_timeout(start.elapsed());
            let request = HttpRequest::new(exchange.request(), max);
            if self.debug {
                eprintln!("{}", exchange.log_attempt());
            }
            let sent = first(
                self.transport.send(request, millis(budget)),
                self.sleeper.sleep(millis(budget)),
            )
            .await;
            let elapsed = start.elapsed();
            let mut seen: (Option<u16>, Option<String>) = (None, None);
            let sent = match sent {
                // The timer failed (a host Sleeper that threw): the call cannot
                // keep its deadline, so it ends here as a transport error.
                Err(Err(e)) => return Err(self.timer_failed(&exchange, e)),
                Err(Ok(())) => Err(()),
                Ok(r) => Ok(r),
            };
            let step = match sent {
                Ok(Ok(r)) if r.body.len() > max => exchange.on_failure(
                    Failure::BodyTooLarge {
                        received: r.body.len(),
                    },
                    "",
                    elapsed,
                    jitter(),
                ),
                Ok(Ok(r)) if !(100..=599).contains(&r.status) => exchange.on_failure(
                    Failure::TransportFailed,
                    &format!("the HTTP client reported status {}", r.status),
                    elapsed,
                    jitter(),
                ),
                Ok(Ok(r)) => {
                    let status = r.status;
                    let headers = self.capture.as_ref().map(|_| r.headers.clone());
                    let response = CoreResponse {
                        status: u16::try_from(r.status).unwrap_or(599),
                        headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(),
                        body: r.body,
                    };
                    seen = (
                        Some(response.status),
                        response.request_id().map(str::to_string),
                    );
                    let step = exchange.on_response(&response, elapsed, now(), jitter());
                    if let (Some(capture), Some(headers), Step::Done(_)) =
                        (&self.capture, headers, &step)
                    {
                        let request_id =
                            exchange.response_request_id(&response).map(str::to_string);
                        *lock(&capture.last) = Some(ResponseInfo {
                            status,
                            headers,
                            request_id,
                        });
                    }
                    step
                }
                Ok(Err(e)) => {
                    let (failure, detail) = match e {
                        HttpTransportError::Connect { description } => {
                            (Failure::ConnectFailed, description)
                        }
                        HttpTransportError::Io { description } => {
                            (Failure::TransportFailed, description)
                        }
                        HttpTransportError::Timeout { description } => {
                            (Failure::TimedOut, description)
                        }
                    };
                    exchange.on_failure(failure, &detail, elapsed, jitter())
                }
                Err(()) => exchange.on_failure(Failure::TimedOut, "", elapsed, jitter()),
            };
            if self.debug {
                eprintln!(
                    "{}",
                    exchange.log_step(seen.0, seen.1.as_deref(), elapsed, &step)
                );
            }
            match step {
                Step::Done(output) => return Ok(output),
                Step::Retry(wait) => {
                    if let Err(e) = self.sleeper.sleep(millis(wait)).await {
                        return Err(self.timer_failed(&exchange, e));
                    }
                }
                Step::Fail(e) => return Err(e.into()),
            }
        }
    }

    /// The error of a call whose host timer threw.
    fn timer_failed(&self, exchange: &Exchange, e: HttpTransportError) -> AntonniaError {
        let mut e: AntonniaError =
            antonnia_core::Error::transport(format!("the host's Sleeper failed: {e}")).into();
        if let AntonniaError::Transport { request_id, .. } = &mut e {
            *request_id = exchange.request_id().map(str::to_string);
        }
        e
    }

    async fn call(&self, name: &str, args: Args) -> Result<CallOutput, AntonniaError> {
        #[cfg(test)]
        tests_support::SENT_ARGUMENTS
            .with(|sent| sent.borrow_mut().push((name.to_string(), args.0.clone())));
        self.run(Call::from_json(name, Value::Object(args.0))?)
            .await
    }
}

/// What the tests read of the calls made (`tests.rs`).
#[cfg(test)]
pub(crate) mod tests_support {
    use std::cell::RefCell;

    use serde_json::{Map, Value};

    thread_local! {
        /// Each call's name and the arguments a method handed the core.
        pub(crate) static SENT_ARGUMENTS: RefCell<Vec<(String, Map<String, Value>)>> =
            const { RefCell::new(Vec::new()) };
    }
}

/// A call's arguments in the wire's names; absent options are left out
/// (the core's defaults apply).
#[derive(Default)]
struct Args(Map<String, Value>);

impl Args {
    fn s(mut self, k: &str, v: impl Into<Option<String>>) -> Self {
        if let Some(v) = v.into() {
            self.0.insert(k.into(), Value::String(v));
        }
        self
    }
    fn i(mut self, k: &str, v: Option<i64>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn b(mut self, k: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    /// JSON text (metadata): refused, naming the argument, unless it is JSON.
    fn json(mut self, k: &str, v: Option<String>) -> Result<Self, AntonniaError> {
        if let Some(text) = v {
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| AntonniaError::invalid(k, format!("is not valid JSON text: {e}")))?;
            self.0.insert(k.into(), value);
        }
        Ok(self)
    }
    fn v(mut self, k: &str, v: Value) -> Self {
        self.0.insert(k.into(), v);
        self
    }
}

macro_rules! output {
    ($out:expr, $variant:ident) => {
        match $out {
            CallOutput::$variant(v) => mirror(serde_json::to_value(&v).unwrap_or(Value::Null)),
            other => Err(crate::errors::decode("unexpected result", other.to_json())),
        }
    };
}

/// The Antonnia Conversations API client. Its methods are grouped as in the
/// API: `sessions` (with `messages` and `surveySubmissions`) and `agents`.
/// Printing it never shows the token.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Client {
    inner: Arc<Inner>,
}

#[uniffi::export]
impl Client {
    /// A client sending with `transport` and waiting with `sleeper` (the
    /// Kotlin and Swift wrappers pass their platform's). `token` absent: no
    /// `Authorization` header (behind your own backend, which adds it);
    /// `headers` are added to every request (e.g. your app's own session).
    #[uniffi::constructor(default(token = None, headers))]
    pub fn new(
        transport: Arc<dyn HttpTransport>,
        sleeper: Arc<dyn Sleeper>,
        options: ClientOptions,
        token: Option<String>,
        headers: HashMap<String, String>,
    ) -> Result<Arc<Client>, AntonniaError> {
        let mut config = match token {
            Some(t) => Config::new(&t)?,
            None => Config::anonymous(),
        }
        .with_binding("uniffi")?;
        if let Some(url) = &options.base_url {
            config = config.with_base_url(url)?;
        }
        let mut headers: Vec<_> = headers.into_iter().collect();
        headers.sort();
        for (k, v) in headers {
            config = config.with_header(&k, &v)?;
        }
        let max_response_bytes = usize::try_from(options.max_response_bytes).map_err(|_| {
            AntonniaError::invalid(
                "max_response_bytes",
                "must be 0 or more, within this platform's range",
            )
        })?;
        let max_retries = u32::try_from(options.max_retries)
            .map_err(|_| AntonniaError::invalid("max_retries", "must be 0 or more"))?;
        let limits = Limits {
            timeout: duration_ms("timeout_ms", options.timeout_ms)?,
            total_timeout: Some(match options.total_timeout_ms {
                Some(t) => duration_ms("total_timeout_ms", t)?,
                None => antonnia_core::exchange::DEFAULT_TOTAL_TIMEOUT,
            }),
            max_response_bytes,
        };
        Ok(Arc::new(Client {
            inner: Arc::new(Inner {
                config,
                policy: RetryPolicy::with_max_retries(max_retries),
                limits,
                transport,
                sleeper,
                debug: std::env::var("ANTONNIA_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug")),
                capture: None,
            }),
        }))
    }

    /// `sessions.*`, `sessions.messages.*`, `sessions.surveySubmissions.*`;
    /// the wrappers make it the property `client.sessions` (Swift allows no
    /// property beside a method of the same name, hence the suffix).
    pub fn sessions_api(&self) -> Arc<Sessions> {
        Arc::new(Sessions {
            inner: self.inner.clone(),
        })
    }

    /// `agents.*` (the property `client.agents` in the wrappers).
    pub fn agents_api(&self) -> Arc<Agents> {
        Arc::new(Agents {
            inner: self.inner.clone(),
        })
    }

    /// This client (the same settings, transport and timer) with every call
    /// also recording, in `capture`, the response it ended with: the
    /// machinery under `withRawResponse` (use that instead).
    pub fn capturing(&self, capture: Arc<ResponseCapture>) -> Arc<Client> {
        let mut inner = (*self.inner).clone();
        inner.capture = Some(capture);
        Arc::new(Client {
            inner: Arc::new(inner),
        })
    }

    /// The API root in use.
    pub fn base_url(&self) -> String {
        self.inner.config.base_url().to_string()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = if self.inner.config.token().is_some() {
            "set"
        } else {
            "none"
        };
        write!(
            f,
            "Client(baseUrl={}, token={auth})",
            self.inner.config.base_url()
        )
    }
}

/// `sessions.*`.
#[derive(uniffi::Object)]
pub struct Sessions {
    inner: Arc<Inner>,
}

fn session(out: CallOutput) -> Result<Session, AntonniaError> {
    output!(out, Session)
}

fn session_search(
    contact_id: Option<String>,
    status: Option<SessionStatus>,
    metadata: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Result<Args, AntonniaError> {
    Args::default()
        .s("contact_id", contact_id)
        .s("status", status.map(|s| s.as_str().to_string()))
        .i("offset", offset)
        .i("limit", limit)
        .json("metadata", metadata)
}

#[uniffi::export]
impl Sessions {
    /// `messages.*` of sessions (the property `sessions.messages` in the wrappers).
    pub fn messages_api(&self) -> Arc<Messages> {
        Arc::new(Messages {
            inner: self.inner.clone(),
        })
    }

    /// `surveySubmissions.*` of sessions (the property
    /// `sessions.surveySubmissions` in the wrappers).
    pub fn survey_submissions_api(&self) -> Arc<SurveySubmissions> {
        Arc::new(SurveySubmissions {
            inner: self.inner.clone(),
        })
    }

    /// Opens a session for a contact. `metadata` is a JSON object's text, by
    /// convention with `channel_type` and `channel_user_id`.
    #[uniffi::method(default(agent_id = None, status = None, metadata = None))]
    pub async fn create(
        &self,
        contact_id: String,
        contact_name: String,
        agent_id: Option<String>,
        status: Option<SessionStatus>,
        metadata: Option<String>,
    ) -> Result<Session, AntonniaError> {
        let args = Args::default()
            .s("contact_id", contact_id)
            .s("contact_name", contact_name)
            .s("agent_id", agent_id)
            .s("status", status.map(|s| s.as_str().to_string()))
            .json("metadata", metadata)?;
        session(self.inner.call("sessions.create", args).await?)
    }

    /// One session.
    pub async fn get(&self, session_id: String) -> Result<Session, AntonniaError> {
        let args = Args::default().s("session_id", session_id);
        session(self.inner.call("sessions.get", args).await?)
    }

    /// Changes the given fields (at least one).
    #[uniffi::method(default(
        thread_id = None,
        status = None,
        agent_id = None,
        ending_survey_submission_id = None,
        metadata = None
    ))]
    pub async fn update(
        &self,
        session_id: String,
        thread_id: Option<String>,
        status: Option<SessionStatus>,
        agent_id: Option<String>,
        ending_survey_submission_id: Option<String>,
        metadata: Option<String>,
    ) -> Result<Session, AntonniaError> {
        let fields = Args::default()
            .s("thread_id", thread_id)
            .s("status", status.map(|s| s.as_str().to_string()))
            .s("agent_id", agent_id)
            .s("ending_survey_submission_id", ending_survey_submission_id)
            .json("metadata", metadata)?;
        let args = Args::default()
            .s("session_id", session_id)
            .v("fields", Value::Object(fields.0));
        session(self.inner.call("sessions.update", args).await?)
    }

    /// Hands the session to another agent (none: to no agent).
    #[uniffi::method(default(agent_id = None, auto_reply = None))]
    pub async fn transfer(
        &self,
        session_id: String,
        agent_id: Option<String>,
        auto_reply: Option<bool>,
    ) -> Result<Session, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("agent_id", agent_id)
            .b("auto_reply", auto_reply);
        session(self.inner.call("sessions.transfer", args).await?)
    }

    /// Closes the session, optionally sending a survey.
    #[uniffi::method(default(ending_survey_id = None))]
    pub async fn finish(
        &self,
        session_id: String,
        ending_survey_id: Option<String>,
    ) -> Result<Session, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("ending_survey_id", ending_survey_id);
        session(self.inner.call("sessions.finish", args).await?)
    }

    /// Asks the agent to answer, after `debounce_time` seconds (0-60) without
    /// a new message: a burst gets one answer.
    #[uniffi::method(default(debounce_time = None, starting_node_id = None))]
    pub async fn reply(
        &self,
        session_id: String,
        debounce_time: Option<i64>,
        starting_node_id: Option<String>,
    ) -> Result<Session, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .i("debounce_time", debounce_time)
            .s("starting_node_id", starting_node_id);
        session(self.inner.call("sessions.reply", args).await?)
    }

    /// One page of sessions; `metadata` (a JSON object's text) filters on
    /// string, number or null values.
    #[uniffi::method(default(
        contact_id = None,
        status = None,
        metadata = None,
        offset = None,
        limit = None
    ))]
    pub async fn search(
        &self,
        contact_id: Option<String>,
        status: Option<SessionStatus>,
        metadata: Option<String>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<Session>, AntonniaError> {
        let args = session_search(contact_id, status, metadata, offset, limit)?;
        output!(self.inner.call("sessions.search", args).await?, Sessions)
    }

    /// Every page of a search, one `next()` at a time (the core says which
    /// page comes next). The wrappers turn it into a `Flow` / `AsyncSequence`.
    #[uniffi::method(default(
        contact_id = None,
        status = None,
        metadata = None,
        offset = None,
        limit = None
    ))]
    pub fn search_pages(
        &self,
        contact_id: Option<String>,
        status: Option<SessionStatus>,
        metadata: Option<String>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Arc<SessionPages>, AntonniaError> {
        let args = session_search(contact_id, status, metadata, offset, limit)?;
        SessionPages::start(&self.inner, "sessions.search", args)
    }

    /// Schedules an action (`scheduled_for` is RFC 3339 with an offset).
    pub async fn schedule(
        &self,
        session_id: String,
        scheduled_for: String,
        config: ScheduleConfig,
    ) -> Result<SessionSchedule, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("scheduled_for", scheduled_for)
            .v("config", config.to_wire()?);
        output!(
            self.inner.call("sessions.schedule", args).await?,
            SessionSchedule
        )
    }
}

/// `sessions.messages.*`.
#[derive(uniffi::Object)]
pub struct Messages {
    inner: Arc<Inner>,
}

fn message(out: CallOutput) -> Result<Message, AntonniaError> {
    output!(out, Message)
}

fn message_search(
    session_id: Option<String>,
    provider_message_id: Option<String>,
    replied_provider_message_id: Option<String>,
    role: Option<MessageRole>,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Args {
    Args::default()
        .s("session_id", session_id)
        .s("provider_message_id", provider_message_id)
        .s("replied_provider_message_id", replied_provider_message_id)
        .s("role", role.map(|r| r.as_str().to_string()))
        .i("offset", offset)
        .i("limit", limit)
}

#[uniffi::export]
impl Messages {
    /// Records a message in a session (`role` absent: `user`).
    #[uniffi::method(default(
        role = None,
        provider_message_id = None,
        replied_provider_message_id = None,
        run_id = None
    ))]
    pub async fn create(
        &self,
        session_id: String,
        content: MessageContent,
        role: Option<MessageRole>,
        provider_message_id: Option<String>,
        replied_provider_message_id: Option<String>,
        run_id: Option<String>,
    ) -> Result<Message, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .v("content", content.to_wire()?)
            .s("role", role.map(|r| r.as_str().to_string()))
            .s("provider_message_id", provider_message_id)
            .s("replied_provider_message_id", replied_provider_message_id)
            .s("run_id", run_id);
        message(self.inner.call("messages.create", args).await?)
    }

    /// One message.
    pub async fn get(
        &self,
        session_id: String,
        message_id: String,
    ) -> Result<Message, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("message_id", message_id);
        message(self.inner.call("messages.get", args).await?)
    }

    /// Changes the given fields (at least one); `delivered_at` is RFC 3339
    /// with an offset.
    #[uniffi::method(default(
        provider_message_id = None,
        replied_provider_message_id = None,
        delivery_status = None,
        delivery_error_code = None,
        delivery_error_message = None,
        delivered_at = None
    ))]
    #[allow(clippy::too_many_arguments)]
    pub async fn update(
        &self,
        session_id: String,
        message_id: String,
        provider_message_id: Option<String>,
        replied_provider_message_id: Option<String>,
        delivery_status: Option<DeliveryStatus>,
        delivery_error_code: Option<i64>,
        delivery_error_message: Option<String>,
        delivered_at: Option<String>,
    ) -> Result<Message, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("message_id", message_id)
            .s("provider_message_id", provider_message_id)
            .s("replied_provider_message_id", replied_provider_message_id)
            .s(
                "delivery_status",
                delivery_status.map(|s| s.as_str().to_string()),
            )
            .i("delivery_error_code", delivery_error_code)
            .s("delivery_error_message", delivery_error_message)
            .s("delivered_at", delivered_at);
        message(self.inner.call("messages.update", args).await?)
    }

    /// Reports what became of a delivered message (`messages.update` with
    /// the report's fields; a failed WhatsApp code without a message sends
    /// the code's description).
    pub async fn report_delivery(
        &self,
        session_id: String,
        message_id: String,
        report: DeliveryReport,
    ) -> Result<Message, AntonniaError> {
        let fields = serde_json::to_value(report.to_core()?.fields())
            .map_err(|e| AntonniaError::invalid("report", e.to_string()))?;
        let mut args = Args::default()
            .s("session_id", session_id)
            .s("message_id", message_id);
        if let Value::Object(map) = fields {
            args.0.extend(map);
        }
        message(self.inner.call("messages.update", args).await?)
    }

    /// One page of messages (`session_id` absent: across sessions).
    #[uniffi::method(default(
        session_id = None,
        provider_message_id = None,
        replied_provider_message_id = None,
        role = None,
        offset = None,
        limit = None
    ))]
    pub async fn search(
        &self,
        session_id: Option<String>,
        provider_message_id: Option<String>,
        replied_provider_message_id: Option<String>,
        role: Option<MessageRole>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<Message>, AntonniaError> {
        let args = message_search(
            session_id,
            provider_message_id,
            replied_provider_message_id,
            role,
            offset,
            limit,
        );
        output!(self.inner.call("messages.search", args).await?, Messages)
    }

    /// Every page of a search, one `next()` at a time.
    #[uniffi::method(default(
        session_id = None,
        provider_message_id = None,
        replied_provider_message_id = None,
        role = None,
        offset = None,
        limit = None
    ))]
    pub fn search_pages(
        &self,
        session_id: Option<String>,
        provider_message_id: Option<String>,
        replied_provider_message_id: Option<String>,
        role: Option<MessageRole>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Arc<MessagePages>, AntonniaError> {
        let args = message_search(
            session_id,
            provider_message_id,
            replied_provider_message_id,
            role,
            offset,
            limit,
        );
        MessagePages::start(&self.inner, "messages.search", args)
    }

    /// A session's new messages as they come, each once, in order, by
    /// polling (the core's cursor decides what to ask and how long to wait).
    /// `after`: start right after that message (the user's message just
    /// sent), so that the answer already there comes out first.
    #[uniffi::method(default(
        poll_interval_ms = 1000,
        max_poll_interval_ms = 30000,
        page_size = 100,
        from_start = false,
        after = None
    ))]
    pub fn open_stream(
        &self,
        session_id: String,
        poll_interval_ms: i64,
        max_poll_interval_ms: i64,
        page_size: i64,
        from_start: bool,
        after: Option<String>,
    ) -> Result<Arc<MessageStream>, AntonniaError> {
        let options = StreamOptions {
            poll_interval: duration_ms("poll_interval_ms", poll_interval_ms)?,
            max_poll_interval: duration_ms("max_poll_interval_ms", max_poll_interval_ms)?,
            page_size,
            from_start,
        };
        let mut cursor = CoreStream::new(&session_id, options)?;
        if let Some(after) = &after {
            cursor.start_after(after)?;
        }
        Ok(Arc::new(MessageStream {
            inner: self.inner.clone(),
            cursor: Mutex::new((cursor, Duration::ZERO)),
            cancelled: AtomicBool::new(false),
        }))
    }
}

/// `sessions.surveySubmissions.*`.
#[derive(uniffi::Object)]
pub struct SurveySubmissions {
    inner: Arc<Inner>,
}

impl SurveySubmissions {
    async fn act(
        &self,
        name: &str,
        session_id: String,
        survey_submission_id: String,
    ) -> Result<SurveySubmission, AntonniaError> {
        let args = Args::default()
            .s("session_id", session_id)
            .s("survey_submission_id", survey_submission_id);
        output!(self.inner.call(name, args).await?, SurveySubmission)
    }
}

#[uniffi::export]
impl SurveySubmissions {
    /// One survey submission of a session.
    pub async fn get(
        &self,
        session_id: String,
        survey_submission_id: String,
    ) -> Result<SurveySubmission, AntonniaError> {
        self.act("survey_submissions.get", session_id, survey_submission_id)
            .await
    }

    /// Sends the survey to the contact.
    pub async fn reply(
        &self,
        session_id: String,
        survey_submission_id: String,
    ) -> Result<SurveySubmission, AntonniaError> {
        self.act("survey_submissions.reply", session_id, survey_submission_id)
            .await
    }

    /// Cancels it.
    pub async fn cancel(
        &self,
        session_id: String,
        survey_submission_id: String,
    ) -> Result<SurveySubmission, AntonniaError> {
        self.act(
            "survey_submissions.cancel",
            session_id,
            survey_submission_id,
        )
        .await
    }
}

/// `agents.*`.
#[derive(uniffi::Object)]
pub struct Agents {
    inner: Arc<Inner>,
}

fn agent(out: CallOutput) -> Result<Agent, AntonniaError> {
    output!(out, Agent)
}

fn agent_search(
    agent_type: Option<AgentType>,
    assistant_id: Option<String>,
    profile_id: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
) -> Args {
    Args::default()
        .s("type", agent_type.map(|t| t.as_str().to_string()))
        .s("assistant_id", assistant_id)
        .s("profile_id", profile_id)
        .i("offset", offset)
        .i("limit", limit)
}

#[uniffi::export]
impl Agents {
    /// Creates an agent: `Ai` needs `assistant_id`, `Human` `profile_id`.
    #[uniffi::method(default(assistant_id = None, profile_id = None))]
    pub async fn create(
        &self,
        name: String,
        agent_type: AgentType,
        assistant_id: Option<String>,
        profile_id: Option<String>,
    ) -> Result<Agent, AntonniaError> {
        let args = Args::default()
            .s("name", name)
            .s("type", agent_type.as_str().to_string())
            .s("assistant_id", assistant_id)
            .s("profile_id", profile_id);
        agent(self.inner.call("agents.create", args).await?)
    }

    /// One agent.
    pub async fn get(&self, agent_id: String) -> Result<Agent, AntonniaError> {
        agent(
            self.inner
                .call("agents.get", Args::default().s("agent_id", agent_id))
                .await?,
        )
    }

    /// Changes the given fields (at least one).
    #[uniffi::method(default(name = None, assistant_id = None, profile_id = None))]
    pub async fn update(
        &self,
        agent_id: String,
        name: Option<String>,
        assistant_id: Option<String>,
        profile_id: Option<String>,
    ) -> Result<Agent, AntonniaError> {
        let args = Args::default()
            .s("agent_id", agent_id)
            .s("name", name)
            .s("assistant_id", assistant_id)
            .s("profile_id", profile_id);
        agent(self.inner.call("agents.update", args).await?)
    }

    /// Deletes an agent (deleting a deleted one is not an error).
    pub async fn delete(&self, agent_id: String) -> Result<(), AntonniaError> {
        match self
            .inner
            .call("agents.delete", Args::default().s("agent_id", agent_id))
            .await?
        {
            CallOutput::Empty => Ok(()),
            other => Err(crate::errors::decode("unexpected result", other.to_json())),
        }
    }

    /// One page of agents.
    #[uniffi::method(default(
        agent_type = None,
        assistant_id = None,
        profile_id = None,
        offset = None,
        limit = None
    ))]
    pub async fn search(
        &self,
        agent_type: Option<AgentType>,
        assistant_id: Option<String>,
        profile_id: Option<String>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Vec<Agent>, AntonniaError> {
        let args = agent_search(agent_type, assistant_id, profile_id, offset, limit);
        output!(self.inner.call("agents.search", args).await?, Agents)
    }

    /// Every page of a search, one `next()` at a time.
    #[uniffi::method(default(
        agent_type = None,
        assistant_id = None,
        profile_id = None,
        offset = None,
        limit = None
    ))]
    pub fn search_pages(
        &self,
        agent_type: Option<AgentType>,
        assistant_id: Option<String>,
        profile_id: Option<String>,
        offset: Option<i64>,
        limit: Option<i64>,
    ) -> Result<Arc<AgentPages>, AntonniaError> {
        let args = agent_search(agent_type, assistant_id, profile_id, offset, limit);
        AgentPages::start(&self.inner, "agents.search", args)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these locks; a poisoned one is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

enum PageState {
    Ready(Box<Call>),
    Fetching,
    Done,
}

/// The pages of one search: each `next()` runs the page the core names and
/// returns its items, or nothing after the last page.
macro_rules! pager {
    ($name:ident, $item:ty, $variant:ident) => {
        /// The pages of a search, one `next()` at a time (`null` / `nil` after the last).
        #[derive(uniffi::Object)]
        pub struct $name {
            inner: Arc<Inner>,
            state: Mutex<PageState>,
        }

        impl $name {
            fn start(
                inner: &Arc<Inner>,
                name: &str,
                args: Args,
            ) -> Result<Arc<Self>, AntonniaError> {
                // Checked now, so that bad arguments fail before the first page.
                let call = Call::from_json(name, Value::Object(args.0))?;
                call.build(&inner.config)?;
                Ok(Arc::new($name {
                    inner: inner.clone(),
                    state: Mutex::new(PageState::Ready(Box::new(call))),
                }))
            }
        }

        #[uniffi::export]
        impl $name {
            /// The next page's items, or nothing when the search is over. A
            /// failed page can be asked for again; two at once is an error.
            pub async fn next(&self) -> Result<Option<Vec<$item>>, AntonniaError> {
                // Its own statement: the guard must be gone before the arms lock again.
                let previous = std::mem::replace(&mut *lock(&self.state), PageState::Fetching);
                let call = match previous {
                    PageState::Ready(call) => call,
                    PageState::Done => {
                        *lock(&self.state) = PageState::Done;
                        return Ok(None);
                    }
                    PageState::Fetching => {
                        return Err(AntonniaError::invalid(
                            "next",
                            "is already fetching a page: wait for it before asking for the next",
                        ));
                    }
                };
                // Put the call back if this future is dropped (cancelled) or fails.
                struct Restore<'a>(&'a Mutex<PageState>, Option<Box<Call>>);
                impl Drop for Restore<'_> {
                    fn drop(&mut self) {
                        if let Some(call) = self.1.take() {
                            *lock(self.0) = PageState::Ready(call);
                        }
                    }
                }
                let mut restore = Restore(&self.state, Some(call.clone()));
                let items: Vec<$item> = output!(self.inner.run(*call.clone()).await?, $variant)?;
                restore.1 = None;
                *lock(&self.state) = match call.next_page(items.len()) {
                    Some(next) => PageState::Ready(Box::new(next)),
                    None => PageState::Done,
                };
                Ok(Some(items))
            }
        }
    };
}

pager!(SessionPages, Session, Sessions);
pager!(MessagePages, Message, Messages);
pager!(AgentPages, Agent, Agents);

/// A session's new messages, polled: each `next()` waits for and returns
/// the next batch (never empty), each message once, in order.
#[derive(uniffi::Object)]
pub struct MessageStream {
    inner: Arc<Inner>,
    /// The cursor, and the wait before its next poll.
    cursor: Mutex<(CoreStream, Duration)>,
    /// Set by `cancel()`: the host's task was cancelled, so `next()` stops
    /// instead of waiting out the failures the cancelled transport reports.
    cancelled: AtomicBool,
}

#[uniffi::export]
impl MessageStream {
    /// The next new messages. Ends (throws) only with an error the core
    /// judges final (a bad token, an unknown session); rate limits and
    /// server or network trouble are waited out.
    pub async fn next(&self) -> Result<Vec<Message>, AntonniaError> {
        loop {
            if self.cancelled.load(Ordering::SeqCst) {
                return Err(antonnia_core::Error::transport(
                    "the message stream was cancelled".to_string(),
                )
                .into());
            }
            let (call, wait) = {
                let mut c = lock(&self.cursor);
                let wait = std::mem::take(&mut c.1);
                (c.0.next_call(), wait)
            };
            if !wait.is_zero() {
                if let Err(e) = self.inner.sleeper.sleep(millis(wait)).await {
                    return Err(antonnia_core::Error::transport(format!(
                        "the host's Sleeper failed: {e}"
                    ))
                    .into());
                }
            }
            match self.inner.run(call).await {
                Ok(CallOutput::Messages(page)) => {
                    let poll = {
                        let mut c = lock(&self.cursor);
                        let poll = c.0.on_page(page);
                        c.1 = poll.wait;
                        poll
                    };
                    if !poll.messages.is_empty() {
                        return poll
                            .messages
                            .iter()
                            .map(|m| mirror(serde_json::to_value(m).unwrap_or(Value::Null)))
                            .collect();
                    }
                }
                Ok(other) => {
                    return Err(crate::errors::decode("unexpected result", other.to_json()));
                }
                Err(e) => {
                    let status = e.status();
                    let retry_after = match &e {
                        AntonniaError::RateLimit { retry_after, .. } => {
                            retry_after.and_then(|s| Duration::try_from_secs_f64(s).ok())
                        }
                        _ => None,
                    };
                    let wait = lock(&self.cursor).0.on_failed_poll(
                        e.kind(),
                        status.and_then(|s| u16::try_from(s).ok()),
                        retry_after,
                    );
                    match wait {
                        Some(w) => lock(&self.cursor).1 = w,
                        None => return Err(e),
                    }
                }
            }
        }
    }

    /// Ends the stream: a `next()` under way returns an error at its next
    /// step, and every later one at once (a cancelled Task or coroutine).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}
