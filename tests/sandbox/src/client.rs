//! A minimal Rust client: the core builds each request and parses each
//! response, reqwest sends it. It is the HTTP loop every binding writes in its
//! own language, used here by the Quick Start demo and the sandbox's tests.

use std::time::Duration;

use antonnia_core::ops::Call;
use antonnia_core::{Config, Error, HttpRequest, HttpResponse, Method, Operation};
use serde_json::Value;

/// Calls the API (the sandbox or the real one) through the core.
#[derive(Debug, Clone)]
pub struct CoreClient {
    config: Config,
    http: reqwest::Client,
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
            .map_err(|e| Error::Transport {
                message: e.to_string(),
            })?;
        Ok(CoreClient { config, http })
    }

    /// The same client, sending one more header on every request.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<CoreClient, Error> {
        self.config = self.config.with_header(name, value)?;
        Ok(self)
    }

    /// Sends a built request and returns the response as the core reads it.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, Error> {
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
    /// with JSON arguments, and returns the result as JSON (`null` for none).
    pub async fn call_json(&self, name: &str, arguments: Value) -> Result<Value, Error> {
        let call = Call::from_json(name, arguments)?;
        let request = call.build(&self.config)?;
        Ok(call.parse(&self.send(&request).await?)?.to_json())
    }
}

fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            message: e.to_string(),
        }
    } else {
        Error::Transport {
            message: e.to_string(),
        }
    }
}
