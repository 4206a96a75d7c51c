//! The one error of the binding, built from the core's `Error::info()` and
//! chosen by its `kind` alone (as the Python and JS bindings do).

use std::fmt;

use antonnia_core::{Error as CoreError, ErrorInfo};

/// A problem the server found in one part of a request (a 422 `detail` item).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ValidationProblem {
    /// Where, e.g. `["body", "debounce_time"]`.
    pub loc: Vec<String>,
    /// What, in the server's words.
    pub msg: String,
    /// The server's code for it, e.g. `less_than_equal`.
    pub kind: String,
}

/// Everything that can go wrong. Kotlin sees it as the sealed
/// `AntonniaException` (`AntonniaException.NotFound`, ...), Swift as the enum
/// `AntonniaError`. `description` is always the whole description (Kotlin's
/// `message` too); the server's fields are set for the errors that came from
/// a response. Nothing here ever
/// holds the token: the core redacts it before the error is built.
#[derive(Debug, Clone, PartialEq, uniffi::Error)]
pub enum AntonniaError {
    /// 401: the token is missing, malformed or revoked.
    Authentication {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said (its `detail`).
        detail: String,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// 403: the token lacks access to this resource.
    PermissionDenied {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// 404: no such resource (or a wrong base URL).
    NotFound {
        /// The whole description, with the request.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// 409: a conflict.
    Conflict {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// 422: the server refused the request's content.
    Validation {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// The server's problems, one per field.
        problems: Vec<ValidationProblem>,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// 429: too many requests.
    RateLimit {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// Seconds the server asked to wait, if it said.
        retry_after: Option<f64>,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// Any other non-2xx status.
    Api {
        /// The whole description.
        description: String,
        /// The HTTP status.
        status: i32,
        /// What the server said.
        detail: String,
        /// The error body as JSON text, when it was JSON.
        data_json: Option<String>,
        /// The start of the error body, as text.
        body: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// An argument refused before anything was sent.
    InvalidRequest {
        /// The whole description.
        description: String,
        /// The argument at fault, e.g. `session_id` or `metadata.flag`.
        field: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// The HTTP client failed before a whole response arrived.
    Transport {
        /// The whole description, with the client's own words.
        description: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// No whole response arrived in time.
    Timeout {
        /// The whole description, with the limit.
        description: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// A response or webhook body that is not what the contract describes.
    Decode {
        /// The whole description.
        description: String,
        /// Where parsing failed, e.g. `data.object.content` (`""`: the document).
        path: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// A webhook whose signature does not verify (or no secret to verify it).
    WebhookVerification {
        /// The whole description.
        description: String,
        /// `missing_header`, `invalid_timestamp`, `timestamp_out_of_tolerance`,
        /// `invalid_secret`, `no_matching_signature` or `missing_secret`.
        reason: String,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
    /// A body over a size limit: a 413 from the server (`status` set) or a
    /// response or webhook over this side's limit.
    PayloadTooLarge {
        /// The whole description.
        description: String,
        /// 413 when the server refused the request.
        status: Option<i32>,
        /// What the server said, for a 413.
        detail: Option<String>,
        /// The call's request id (the server's `x-request-id`, else the one
        /// the SDK sent); absent when nothing was sent.
        request_id: Option<String>,
    },
}

impl AntonniaError {
    /// The language-neutral kind (`not_found`, ...), as in the shared vectors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Authentication { .. } => "authentication",
            Self::PermissionDenied { .. } => "permission_denied",
            Self::NotFound { .. } => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::Validation { .. } => "validation",
            Self::RateLimit { .. } => "rate_limit",
            Self::Api { .. } => "api",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::Transport { .. } => "transport",
            Self::Timeout { .. } => "timeout",
            Self::Decode { .. } => "decode",
            Self::WebhookVerification { .. } => "webhook_verification",
            Self::PayloadTooLarge { .. } => "payload_too_large",
        }
    }

    /// The whole description.
    pub fn message(&self) -> &str {
        match self {
            Self::Authentication {
                description: message,
                ..
            }
            | Self::PermissionDenied {
                description: message,
                ..
            }
            | Self::NotFound {
                description: message,
                ..
            }
            | Self::Conflict {
                description: message,
                ..
            }
            | Self::Validation {
                description: message,
                ..
            }
            | Self::RateLimit {
                description: message,
                ..
            }
            | Self::Api {
                description: message,
                ..
            }
            | Self::InvalidRequest {
                description: message,
                ..
            }
            | Self::Transport {
                description: message,
                ..
            }
            | Self::Timeout {
                description: message,
                ..
            }
            | Self::Decode {
                description: message,
                ..
            }
            | Self::WebhookVerification {
                description: message,
                ..
            }
            | Self::PayloadTooLarge {
                description: message,
                ..
            } => message,
        }
    }

    /// The HTTP status, for errors the server answered with.
    pub fn status(&self) -> Option<i32> {
        match self {
            Self::Authentication { status, .. }
            | Self::PermissionDenied { status, .. }
            | Self::NotFound { status, .. }
            | Self::Conflict { status, .. }
            | Self::Validation { status, .. }
            | Self::RateLimit { status, .. }
            | Self::Api { status, .. } => Some(*status),
            Self::PayloadTooLarge { status, .. } => *status,
            _ => None,
        }
    }

    /// The call's request id, when the error came from a call that was sent.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Authentication { request_id, .. }
            | Self::PermissionDenied { request_id, .. }
            | Self::NotFound { request_id, .. }
            | Self::Conflict { request_id, .. }
            | Self::Validation { request_id, .. }
            | Self::RateLimit { request_id, .. }
            | Self::Api { request_id, .. }
            | Self::InvalidRequest { request_id, .. }
            | Self::Transport { request_id, .. }
            | Self::Timeout { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::WebhookVerification { request_id, .. }
            | Self::PayloadTooLarge { request_id, .. } => request_id.as_deref(),
        }
    }

    /// An argument refused on this side of the boundary.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> AntonniaError {
        CoreError::invalid(field, message).into()
    }
}

impl fmt::Display for AntonniaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for AntonniaError {}

impl From<CoreError> for AntonniaError {
    fn from(e: CoreError) -> Self {
        from_info(e.info())
    }
}

/// By `kind` alone, like every binding: a kind this version does not know
/// (the core's enum is non-exhaustive) becomes `Api`, keeping its message.
fn from_info(i: ErrorInfo) -> AntonniaError {
    let message = i.message;
    let request_id = i.request_id;
    let status = i.status.map(i32::from).unwrap_or(0);
    let has_detail = i.detail.is_some();
    let detail = i.detail.unwrap_or_default();
    let data_json = i.data.map(|d| d.to_string());
    let body = i.body.unwrap_or_default();
    match i.kind {
        "authentication" => AntonniaError::Authentication {
            request_id,
            description: message,
            status,
            detail,
            data_json,
            body,
        },
        "permission_denied" => AntonniaError::PermissionDenied {
            request_id,
            description: message,
            status,
            detail,
            data_json,
            body,
        },
        "not_found" => AntonniaError::NotFound {
            request_id,
            description: message,
            status,
            detail,
            data_json,
            body,
        },
        "conflict" => AntonniaError::Conflict {
            request_id,
            description: message,
            status,
            detail,
            data_json,
            body,
        },
        "validation" => AntonniaError::Validation {
            request_id,
            description: message,
            status,
            detail,
            problems: i
                .problems
                .into_iter()
                .map(|p| ValidationProblem {
                    loc: p.loc,
                    msg: p.msg,
                    kind: p.kind,
                })
                .collect(),
            data_json,
            body,
        },
        "rate_limit" => AntonniaError::RateLimit {
            request_id,
            description: message,
            status,
            detail,
            retry_after: i.retry_after,
            data_json,
            body,
        },
        "invalid_request" => AntonniaError::InvalidRequest {
            request_id,
            description: message,
            field: i.field.unwrap_or_default(),
        },
        "transport" => AntonniaError::Transport {
            request_id,
            description: message,
        },
        "timeout" => AntonniaError::Timeout {
            request_id,
            description: message,
        },
        "decode" => AntonniaError::Decode {
            request_id,
            description: message,
            path: i.path.unwrap_or_default(),
        },
        "webhook_verification" => AntonniaError::WebhookVerification {
            request_id,
            description: message,
            reason: i.reason.unwrap_or_default().to_string(),
        },
        "payload_too_large" => AntonniaError::PayloadTooLarge {
            request_id,
            description: message,
            status: i.status.map(i32::from),
            detail: has_detail.then_some(detail),
        },
        _ => AntonniaError::Api {
            request_id,
            description: message,
            status,
            detail,
            data_json,
            body,
        },
    }
}

/// A host callback that threw something uniffi did not expect: the host's
/// own failure, reported as a transport error with its message.
impl From<uniffi::UnexpectedUniFFICallbackError> for AntonniaError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CoreError::transport(format!("the host callback failed: {}", e.reason)).into()
    }
}

/// How the host's HTTP client failed (Kotlin `HttpTransportException.*`,
/// Swift `HttpTransportError.*`). The kind decides whether a call with side
/// effects may be retried: only `Connect` is certain that nothing was sent.
#[derive(Debug, Clone, PartialEq, uniffi::Error)]
pub enum HttpTransportError {
    /// The connection could not be established (DNS, refused, TLS handshake).
    Connect {
        /// The client's own words.
        description: String,
    },
    /// The connection broke after the request may have been sent.
    Io {
        /// The client's own words.
        description: String,
    },
    /// The client's own timeout fired.
    Timeout {
        /// The client's own words.
        description: String,
    },
}

impl fmt::Display for HttpTransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect { description }
            | Self::Io { description }
            | Self::Timeout { description } => f.write_str(description),
        }
    }
}

impl std::error::Error for HttpTransportError {}

/// Anything else the host's transport threw: a broken connection, in its words.
impl From<uniffi::UnexpectedUniFFICallbackError> for HttpTransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpTransportError::Io {
            description: e.reason,
        }
    }
}

/// The error a result conversion failed with (the core's own JSON should
/// always convert; this keeps a surprise from becoming a panic).
pub(crate) fn decode(what: &str, e: impl fmt::Display) -> AntonniaError {
    CoreError::decode("", format!("{what}: {e}")).into()
}
