//! The HTTP surface: routes of the contract under the path prefix, and the
//! layers every request passes (CORS, fault injection, bearer auth).

pub(crate) mod agents;
pub(crate) mod failure;
pub(crate) mod messages;
pub(crate) mod sessions;
pub(crate) mod surveys;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::faults::{FAIL_HEADER, FaultSpec};
use crate::store::{SessionRecord, Store};
use crate::wire::Agent;
use crate::{AppState, MAX_BODY_BYTES};
use failure::ApiFailure;

/// Every route of the contract, relative to the path prefix.
fn api_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sessions", post(sessions::create))
        .route("/sessions/search", post(sessions::search))
        .route(
            "/sessions/{session_id}",
            get(sessions::get).patch(sessions::update),
        )
        .route("/sessions/{session_id}/transfer", post(sessions::transfer))
        .route("/sessions/{session_id}/finish", post(sessions::finish))
        .route("/sessions/{session_id}/reply", post(sessions::reply))
        .route("/sessions/{session_id}/schedule", post(sessions::schedule))
        .route("/sessions/{session_id}/messages", post(messages::create))
        .route(
            "/sessions/{session_id}/messages/search",
            post(messages::search_in_session),
        )
        .route(
            "/sessions/{session_id}/messages/{message_id}",
            get(messages::get).patch(messages::update),
        )
        .route("/messages/search", post(messages::search_all))
        .route("/agents", post(agents::create))
        .route("/agents/search", post(agents::search))
        .route(
            "/agents/{agent_id}",
            get(agents::get)
                .patch(agents::update)
                .delete(agents::delete),
        )
        .route(
            "/sessions/{session_id}/surveys/{submission_id}",
            get(surveys::get),
        )
        .route(
            "/sessions/{session_id}/surveys/{submission_id}/reply",
            post(surveys::reply),
        )
        .route(
            "/sessions/{session_id}/surveys/{submission_id}/cancel",
            post(surveys::cancel),
        )
}

/// The whole app: routes under the prefix, 404/405 in the API's error shape,
/// then auth, fault injection and CORS around everything.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let prefix = state.config.path_prefix.clone();
    let routes = api_routes();
    let app = if prefix.is_empty() {
        routes
    } else {
        Router::new().nest(&prefix, routes)
    };
    app.fallback(|| async { ApiFailure::new(StatusCode::NOT_FOUND, "Not Found") })
        .method_not_allowed_fallback(|| async {
            ApiFailure::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
        })
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .layer(middleware::from_fn(cors))
        .with_state(state)
}

/// 401 unless `Authorization: Bearer <the sandbox's token>`.
async fn require_token(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    if presented != Some(state.config.token.as_str()) {
        return ApiFailure::unauthorized().into_response();
    }
    next.run(request).await
}

/// Answers with the failure an `x-sandbox-fail` header asks for (see `faults`).
async fn inject_faults(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(value) = request.headers().get(FAIL_HEADER) {
        let Ok(text) = value.to_str() else {
            return ApiFailure::new(StatusCode::BAD_REQUEST, format!("{FAIL_HEADER}: not ASCII"))
                .into_response();
        };
        let spec = match FaultSpec::parse(text) {
            Ok(spec) => spec,
            Err(problem) => {
                return ApiFailure::new(StatusCode::BAD_REQUEST, problem).into_response();
            }
        };
        if state.faults().should_fail(text, &spec) {
            return ApiFailure::injected(spec.status, spec.retry_after).into_response();
        }
    }
    next.run(request).await
}

/// Lets browser tests call the sandbox from any origin: preflights are
/// answered here, and every response may be read (including `Retry-After`).
async fn cors(request: Request, next: Next) -> Response {
    let allow_origin = HeaderValue::from_static("*");
    if request.method() == Method::OPTIONS {
        let requested = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| {
                HeaderValue::from_static("authorization, content-type, x-sandbox-fail")
            });
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PATCH, DELETE, OPTIONS"),
        );
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
    response
}

/// A request body read as JSON: `Null` when empty, 413 past
/// [`MAX_BODY_BYTES`], 400 when it is not JSON.
pub(crate) struct JsonBody(pub(crate) Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiFailure;

    async fn from_request(request: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let too_large = || {
            ApiFailure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(Value::Null));
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiFailure::new(
                StatusCode::BAD_REQUEST,
                format!("There was an error parsing the body: {e}"),
            )
        })
    }
}

/// `offset` and `limit` of a search body (limit defaults to 100, as the service's).
pub(crate) fn window(
    v: &mut crate::validate::Validator,
    obj: &serde_json::Map<String, Value>,
) -> (usize, usize) {
    let offset = v
        .optional_int(obj, &["body"], "offset", 0, i64::MAX)
        .unwrap_or(0);
    let limit = v
        .optional_int(obj, &["body"], "limit", 0, 1000)
        .unwrap_or(100);
    (offset as usize, limit as usize)
}

/// The session, or 404 naming it.
pub(crate) fn session_or_404<'a>(
    store: &'a Store,
    id: &str,
) -> Result<&'a SessionRecord, ApiFailure> {
    store
        .session(id)
        .ok_or_else(|| ApiFailure::not_found("Session", id))
}

/// The session for changing, or 404 naming it.
pub(crate) fn session_mut_or_404<'a>(
    store: &'a mut Store,
    id: &str,
) -> Result<&'a mut SessionRecord, ApiFailure> {
    store
        .session_mut(id)
        .ok_or_else(|| ApiFailure::not_found("Session", id))
}

/// The agent an `agent_id` names (none for none), or 404 naming it.
pub(crate) fn agent_or_404(store: &Store, id: Option<&str>) -> Result<Option<Agent>, ApiFailure> {
    id.map(|id| {
        store
            .agent(id)
            .cloned()
            .ok_or_else(|| ApiFailure::not_found("Agent", id))
    })
    .transpose()
}

/// The `fields` object of an update body, with a problem recorded when it is
/// missing (if `required`) or not an object.
pub(crate) fn update_fields(
    v: &mut crate::validate::Validator,
    obj: &serde_json::Map<String, Value>,
    required: bool,
) -> Option<serde_json::Map<String, Value>> {
    match obj.get("fields") {
        Some(Value::Object(fields)) => Some(fields.clone()),
        None | Some(Value::Null) => {
            if required {
                v.problem(&["body"], Some("fields"), "missing", "Field required");
            }
            None
        }
        Some(_) => {
            v.problem(
                &["body"],
                Some("fields"),
                "dict_type",
                "Input should be a valid dictionary",
            );
            None
        }
    }
}
