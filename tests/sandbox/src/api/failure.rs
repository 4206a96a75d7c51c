//! Error responses shaped like the service's (FastAPI): `{"detail": "..."}`,
//! or for validation failures `{"detail": [{"loc", "msg", "type"}, ...]}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A request the sandbox refuses, as the status and body it answers with.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
}

impl ApiFailure {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> ApiFailure {
        ApiFailure {
            status,
            body: json!({ "detail": detail.into() }),
            retry_after: None,
        }
    }

    /// 422 with a list of validation problems.
    pub(crate) fn invalid(problems: Vec<Value>) -> ApiFailure {
        ApiFailure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({ "detail": problems }),
            retry_after: None,
        }
    }

    /// 422 with a sentence, for requests that are well formed but not allowed now.
    pub(crate) fn unprocessable(detail: impl Into<String>) -> ApiFailure {
        ApiFailure::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    pub(crate) fn not_found(what: &str, id: &str) -> ApiFailure {
        ApiFailure::new(StatusCode::NOT_FOUND, format!("{what} {id} not found"))
    }

    pub(crate) fn unauthorized() -> ApiFailure {
        ApiFailure::new(
            StatusCode::UNAUTHORIZED,
            "Invalid or missing API token: send `Authorization: Bearer <token>`",
        )
    }

    /// An injected failure (`x-sandbox-fail`), with `Retry-After` for 429.
    pub(crate) fn injected(status: StatusCode, retry_after: Option<u64>) -> ApiFailure {
        let mut body = json!({ "detail": format!("Injected failure: {status} (x-sandbox-fail)") });
        if let Some(seconds) = retry_after {
            body["retry_after"] = json!(seconds);
        }
        ApiFailure {
            status,
            body,
            retry_after,
        }
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
