//! A minimal Rust client: the core builds each request and parses each
//! response, reqwest sends it. [`CoreClient::call_json`] is the send loop
//! every binding writes in its own language over the core's
//! [`Exchange`]; it is used here by the Quick Start demo and the sandbox's tests.

use std::time::{Duration, Instant, SystemTime};

use antonnia_core::ops::Call;
use antonnia_core::{
    Config, Error, Exchange, Failure, HttpRequest, HttpResponse, Limits, Method, Operation,
    RetryPolicy, Step, Timestamp,
};
use serde_json::Value;

/// Calls the API (the sandbox or the real one) through the core.
#[derive(Debug, Clone)]
pub struct CoreClient {
    config: Config,
    http: reqwest::Client,
    retry: RetryPolicy,
}

impl CoreClient {
    /// A client for `base_url` with `token` (rejected by the core if malformed).
    pub fn new(base_url: &str, token: &str) -> Result<CoreClient, Error> {
        let config = Config::new(token)?
            .with_base_url(base_url)?
            .with_binding("rust-sandbox-client")?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Error::transport(e.to_string()))?;
        Ok(CoreClient {
            config,
            http,
            retry: RetryPolicy::default(),
        })
    }

    /// The same client, retrying by this policy (the default: the core's).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> CoreClient {
        self.retry = retry;
        self
    }

    /// The same client, sending one more header on every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<CoreClient, Error> {
        self.config = self.config.with_header(name, value)?;
        Ok(self)
    }

    /// Sends a built request and returns the response as the core reads it.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, SendFailure> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let body = response.bytes().await.map_err(transport_error)?;
        let mut parsed = HttpResponse::new(status, body.to_vec());
        for (name, value) in headers {
            parsed = parsed.with_header(name, value);
        }
        Ok(parsed)
    }

    /// Runs one typed operation.
    pub async fn call<O: Operation>(&self, operation: &O) -> Result<O::Output, Error> {
        let request = operation.build(&self.config)?;
        operation.parse(&self.send(&request).await?)
    }

    /// Runs an operation named as in the shared vectors (`"sessions.create"`)
    /// with JSON arguments, retrying as the core decides, and returns the
    /// result as JSON (`null` for none).
    pub async fn call_json(&self, name: &str, arguments: Value) -> Result<Value, Error> {
        let call = Call::from_json(name, arguments)?;
        let mut exchange = Exchange::new(call, &self.config, self.retry, Limits::default())?;
        let started = Instant::now();
        // The sandbox's own tests need no randomness in their waits.
        let jitter = 0.5;
        loop {
            let limit = exchange.attempt_timeout(started.elapsed());
            let attempt = tokio::time::timeout(limit, self.send(exchange.request())).await;
            let elapsed = started.elapsed();
            let step = match attempt {
                Ok(Ok(response)) => exchange.on_response(&response, elapsed, now(), jitter),
                Ok(Err(failure)) => {
                    exchange.on_failure(failure.kind, &failure.detail, elapsed, jitter)
                }
                Err(_) => exchange.on_failure(Failure::TimedOut, "", elapsed, jitter),
            };
            match step {
                Step::Done(output) => return Ok(output.to_json()),
                Step::Retry(wait) => tokio::time::sleep(wait).await,
                Step::Fail(error) => return Err(error),
            }
        }
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// How an attempt failed, in the core's terms.
#[derive(Debug)]
pub struct SendFailure {
    kind: Failure,
    detail: String,
}

impl From<SendFailure> for Error {
    fn from(f: SendFailure) -> Error {
        match f.kind {
            Failure::TimedOut => Error::timeout(f.detail),
            _ => Error::transport(f.detail),
        }
    }
}

fn transport_error(e: reqwest::Error) -> SendFailure {
    let kind = if e.is_timeout() {
        Failure::TimedOut
    } else if e.is_connect() {
        Failure::ConnectFailed
    } else {
        Failure::TransportFailed
    };
    SendFailure {
        kind,
        detail: e.to_string(),
    }
}
