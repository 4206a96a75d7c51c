//! # antonnia-core
//!
//! The sans-IO heart of the Antonnia Conversations API SDK. It turns call
//! arguments into [`HttpRequest`]s, [`HttpResponse`]s into typed resources or
//! one [`Error`], webhook bodies into [`WebhookEvent`]s, and failed attempts
//! into retry decisions — with no HTTP client, no async runtime and no clock,
//! so that every binding (JavaScript, Python, Kotlin, Swift) sends requests
//! with its host's own HTTP stack and shares exactly this behaviour.
//!
//! ```
//! use antonnia_core::{Config, HttpResponse, MessageContent, MessageRole, Operation};
//! use antonnia_core::ops::CreateMessage;
//!
//! let config = Config::new("sk_test_sandbox")?.with_base_url("http://127.0.0.1:8080/conversations/v2/api/v1")?;
//! let call = CreateMessage {
//!     session_id: "sess_abc123".into(),
//!     content: MessageContent::text("Hello, I need help with my order"),
//!     role: MessageRole::User,
//!     provider_message_id: Some("ext_msg_001".into()),
//!     replied_provider_message_id: None,
//!     run_id: None,
//! };
//! let request = call.build(&config)?;
//! assert_eq!(request.url, "http://127.0.0.1:8080/conversations/v2/api/v1/sessions/sess_abc123/messages");
//! // ... send it with any HTTP client, then:
//! let response = HttpResponse::new(200, r#"{"id":"msg_1","content":{"type":"text","text":"Hello"}}"#);
//! let message = call.parse(&response)?;
//! assert_eq!(message.id, "msg_1");
//! # Ok::<(), antonnia_core::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod channel;
pub mod config;
pub mod error;
pub mod exchange;
pub mod http;
pub mod json;
pub mod ops;
pub mod retry;
pub mod schema;
pub mod stream;
pub mod tape;
pub mod time;
pub mod types;
pub mod webhook;

pub use config::{Config, DEFAULT_BASE_URL, SDK_VERSION, Token};
pub use error::{ApiError, Error, ErrorInfo, ValidationProblem, WebhookVerificationError};
pub use exchange::{Exchange, Failure, Limits, Step};
pub use http::{HttpRequest, HttpResponse, Method};
pub use ops::{Call, CallOutput, Operation, Paginated};
pub use retry::{Outcome, RetryDecision, RetryPolicy, RetrySafety};
pub use stream::{MessageStream, Poll, StreamOptions};
pub use time::Timestamp;
pub use types::{
    Agent, AgentKind, AgentType, DeliveryStatus, Message, MessageContent, MessageRole,
    ScheduleConfig, Session, SessionSchedule, SessionStatus, SurveySubmission,
    SurveySubmissionStatus,
};
pub use webhook::{EventPayload, WebhookEvent, WebhookReceiver, WebhookSecret};
