//! What the sandbox keeps and sends, in its own types, written from the API
//! contract (CONTRACT.md) rather than taken from antonnia-core: the core's
//! serialization is what the end-to-end tests check, so the server must not
//! share it, or a bug in it would be echoed back and pass unnoticed.
//!
//! Field names, tags and nesting follow the contract; optional fields the
//! sandbox has not set are left out rather than sent as `null`. Times go out as
//! RFC 3339 in UTC with `Z`.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A string enum of the contract: its variants, their wire names, and both directions.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $(#[doc = concat!("`", $text, "`")] $variant),+
        }

        // Statuses only the sandbox sets are never read from a request.
        #[allow(dead_code)]
        impl $name {
            /// Every wire name, in the contract's order (what validation accepts).
            pub(crate) const NAMES: &'static [&'static str] = &[$($text),+];

            /// The wire name.
            pub(crate) fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The variant a wire name stands for.
            pub(crate) fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// A session's `status`.
    SessionStatus { Open = "open", Closed = "closed" }
}

wire_enum! {
    /// A message's `role`.
    Role { User = "user", Assistant = "assistant" }
}

wire_enum! {
    /// A message's `delivery_status`.
    DeliveryStatus {
        Pending = "pending",
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
        Rejected = "rejected",
    }
}

wire_enum! {
    /// A survey submission's `status`. The contract's `finished` never
    /// happens here: nobody answers the sandbox's surveys.
    SurveyStatus { Pending = "pending", Cancelled = "cancelled" }
}

wire_enum! {
    /// A session schedule's `status`. The contract's `failed` never happens
    /// here: every config the sandbox accepts can be carried out.
    ScheduleStatus { Scheduled = "scheduled", Completed = "completed" }
}

wire_enum! {
    /// An agent's `type`.
    AgentType { Ai = "ai", Human = "human" }
}

/// A conversation between one contact and an agent.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) contact_id: String,
    pub(crate) organization_id: String,
    pub(crate) conversation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) thread_id: Option<String>,
    pub(crate) status: SessionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) agent: Option<Agent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ending_survey_submission_id: Option<String>,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) created_at: Time,
    pub(crate) updated_at: Time,
}

/// One message in a session.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) session_id: String,
    pub(crate) conversation_id: String,
    pub(crate) organization_id: String,
    pub(crate) role: Role,
    pub(crate) content: Content,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) provider_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) replied_provider_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run_id: Option<String>,
    pub(crate) created_at: Time,
    pub(crate) delivery_status: DeliveryStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) delivery_error_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) delivery_error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) delivered_at: Option<Time>,
    pub(crate) updated_at: Time,
}

/// A message's content, tagged by `type`. Read from request bodies only after
/// `validate::content` has checked them, so unknown kinds never get here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Content {
    /// `text`, possibly rendered from a (WhatsApp) template.
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template_parameters: Option<Map<String, Value>>,
    },
    /// `image`
    Image { url: String },
    /// `audio`
    Audio {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
    },
    /// `video`
    Video { url: String },
    /// `file`
    File {
        url: String,
        mime_type: String,
        name: String,
    },
    /// `function_call`: `input` is a JSON document as a string.
    FunctionCall {
        id: String,
        name: String,
        input: String,
    },
    /// `function_result`
    FunctionResult {
        id: String,
        name: String,
        output: String,
    },
    /// `thought`: the AI's internal reasoning.
    Thought { thought: String },
}

impl Content {
    /// Plain text.
    pub(crate) fn text(text: impl Into<String>) -> Content {
        Content::Text {
            text: text.into(),
            template_id: None,
            template_parameters: None,
        }
    }

    /// The `type` tag.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Image { .. } => "image",
            Content::Audio { .. } => "audio",
            Content::Video { .. } => "video",
            Content::File { .. } => "file",
            Content::FunctionCall { .. } => "function_call",
            Content::FunctionResult { .. } => "function_result",
            Content::Thought { .. } => "thought",
        }
    }
}

/// An agent: common fields, plus the id its `type` brings.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Agent {
    pub(crate) id: String,
    #[serde(flatten)]
    pub(crate) kind: AgentKind,
    pub(crate) organization_id: String,
    pub(crate) name: String,
    pub(crate) created_at: Time,
}

/// What an agent's `type` adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum AgentKind {
    /// `ai`: the assistant behind it.
    Ai { assistant_id: String },
    /// `human`: the person's profile.
    Human { profile_id: String },
}

impl Agent {
    pub(crate) fn agent_type(&self) -> AgentType {
        match self.kind {
            AgentKind::Ai { .. } => AgentType::Ai,
            AgentKind::Human { .. } => AgentType::Human,
        }
    }
}

/// A satisfaction survey started by `finish`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SurveySubmission {
    pub(crate) id: String,
    pub(crate) survey_id: String,
    pub(crate) session_id: String,
    pub(crate) organization_id: String,
    pub(crate) status: SurveyStatus,
    pub(crate) created_at: Time,
    pub(crate) expires_at: Time,
    /// Never set: the sandbox has no contact to answer its surveys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) finished_at: Option<Time>,
    pub(crate) updated_at: Time,
}

impl SurveySubmission {
    /// Whether it still waits for answers: pending and not expired.
    pub(crate) fn is_active(&self, now: Time) -> bool {
        self.status == SurveyStatus::Pending && now < self.expires_at
    }
}

/// An action scheduled on a session.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SessionSchedule {
    pub(crate) id: String,
    pub(crate) session_id: String,
    pub(crate) organization_id: String,
    pub(crate) scheduled_for: Time,
    pub(crate) config: ScheduleConfig,
    pub(crate) status: ScheduleStatus,
    pub(crate) created_at: Time,
}

/// What a schedule does, as in the request.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ScheduleConfig {
    /// Send this message.
    Message { message: Content },
    /// Run the agent from this flow node.
    Node { node_id: String },
}

/// A webhook delivery's body: `{"id", "type", "created_at", "data": {"object", "action"?}}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Event {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) event_type: &'static str,
    pub(crate) created_at: Time,
    pub(crate) data: EventData,
}

/// An event's `data`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EventData {
    pub(crate) object: EventObject,
    /// `"expired"` on a `session.finished` for inactivity, which the sandbox
    /// never does; kept so the envelope is whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<&'static str>,
}

/// What an event is about.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum EventObject {
    Message(Box<Message>),
    Session(Box<Session>),
}

/// The events the sandbox sends.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    MessageCreated(Message),
    SessionCreated(Session),
    SessionTransferred(Session),
    SessionFinished(Session),
}

impl Event {
    /// The envelope for `payload`, with its id and time.
    pub(crate) fn new(id: String, created_at: Time, payload: Payload) -> Event {
        let (event_type, object) = match payload {
            Payload::MessageCreated(m) => ("message.created", EventObject::Message(Box::new(m))),
            Payload::SessionCreated(s) => ("session.created", EventObject::Session(Box::new(s))),
            Payload::SessionTransferred(s) => {
                ("session.transferred", EventObject::Session(Box::new(s)))
            }
            Payload::SessionFinished(s) => ("session.finished", EventObject::Session(Box::new(s))),
        };
        Event {
            id,
            event_type,
            created_at,
            data: EventData {
                object,
                action: None,
            },
        }
    }
}

/// An instant, sent as RFC 3339 in UTC (`2025-01-15T10:30:00Z`, with as many
/// fractional digits as it has).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Time {
    secs: i64,
    nanos: u32,
}

/// RFC 3339 cannot write years outside 0000..=9999.
const MIN_SECS: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl Time {
    pub(crate) fn from_unix(secs: i64, nanos: u32) -> Option<Time> {
        (nanos < 1_000_000_000 && (MIN_SECS..=MAX_SECS).contains(&secs))
            .then_some(Time { secs, nanos })
    }

    /// The wall clock, to the millisecond (as the service reports times).
    pub(crate) fn now() -> Time {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let millis = since.subsec_millis() * 1_000_000;
        Time::from_unix(i64::try_from(since.as_secs()).unwrap_or(MAX_SECS), millis)
            .unwrap_or(Time { secs: 0, nanos: 0 })
    }

    pub(crate) fn unix_seconds(&self) -> i64 {
        self.secs
    }

    pub(crate) fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// `seconds` later, saturating at the last writable instant.
    pub(crate) fn plus_seconds(&self, seconds: i64) -> Time {
        Time {
            secs: self.secs.saturating_add(seconds).clamp(MIN_SECS, MAX_SECS),
            nanos: self.nanos,
        }
    }

    /// Reads an RFC 3339 time as clients send it: `Z` or a `±HH:MM` offset,
    /// optional fractional seconds (beyond nanoseconds ignored), and — as
    /// the service's pydantic models allow — no offset at all, read as UTC.
    pub(crate) fn parse(text: &str) -> Option<Time> {
        let b = text.as_bytes();
        let num = |from: usize, len: usize| -> Option<u32> {
            let digits = b.get(from..from + len)?;
            digits.iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
        if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
            return None;
        }
        let (year, month, day) = (i64::from(num(0, 4)?), num(5, 2)?, num(8, 2)?);
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        // A leap second (:60) becomes the next second's start.
        let mut secs = days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second);
        let mut i = 19;
        let mut nanos = 0u32;
        if at(i, b".") {
            i += 1;
            let start = i;
            while at(i, b"0123456789") {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let count = i - start;
            if count == 0 {
                return None;
            }
            nanos *= 10u32.pow(9u32.saturating_sub(count as u32));
        }
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') => i += 1,
            Some(&sign @ (b'+' | b'-')) => {
                let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
                if !at(i + 3, b":") || oh > 23 || om > 59 {
                    return None;
                }
                let offset = i64::from(oh * 3600 + om * 60);
                secs += if sign == b'+' { -offset } else { offset };
                i += 6;
            }
            Some(_) => return None,
        }
        if i != b.len() {
            return None;
        }
        Time::from_unix(secs, nanos)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(86_400));
        let of_day = self.secs.rem_euclid(86_400);
        let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        )?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Time({self})")
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A bare open session, for unit tests of what holds sessions.
    pub(crate) fn session(id: &str) -> Session {
        let at = Time::from_unix(0, 0).unwrap();
        Session {
            id: id.into(),
            contact_id: "c".into(),
            organization_id: "org".into(),
            conversation_id: "conv".into(),
            thread_id: None,
            status: SessionStatus::Open,
            agent: None,
            ending_survey_submission_id: None,
            metadata: Map::new(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn times_read_offsets_fractions_and_naive_and_write_utc() {
        let z = Time::parse("2025-01-15T10:30:00Z").unwrap();
        assert_eq!(z.unix_seconds(), 1_736_937_000);
        assert_eq!(z.to_string(), "2025-01-15T10:30:00Z");
        assert_eq!(Time::parse("2025-01-15T07:30:00-03:00"), Some(z));
        assert_eq!(Time::parse("2025-01-15 10:30:00"), Some(z));
        let f = Time::parse("2025-01-15T10:30:00.120+00:00").unwrap();
        assert_eq!(f.to_string(), "2025-01-15T10:30:00.12Z");
        let long = Time::parse("2025-01-15T10:30:00.1234567891234Z").unwrap();
        assert_eq!(long.to_string(), "2025-01-15T10:30:00.123456789Z");
        assert_eq!(
            Time::parse("2024-12-31T23:59:60Z").unwrap().to_string(),
            "2025-01-01T00:00:00Z"
        );
        assert_eq!(
            Time::from_unix(-1, 0).unwrap().to_string(),
            "1969-12-31T23:59:59Z"
        );
        assert_eq!(
            Time::parse("2024-02-29T00:00:00Z").unwrap().to_string(),
            "2024-02-29T00:00:00Z"
        );
    }

    #[test]
    fn times_refuse_what_is_not_rfc_3339() {
        for bad in [
            "",
            "tomorrow",
            "2025-01-15",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-15T24:00:00Z",
            "2025-01-15T10:30:00.Z",
            "2025-01-15T10:30:00+0300",
            "2025-01-15T10:30:00Zjunk",
            "2025-01-15T10:30:00+24:00",
            "२०२५-01-15T10:30:00Z",
        ] {
            assert_eq!(Time::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn now_is_whole_milliseconds() {
        assert_eq!(Time::now().nanos % 1_000_000, 0);
    }

    #[test]
    fn content_is_tagged_with_its_type_first() {
        let content = Content::Audio {
            url: "https://x.test/a.ogg".into(),
            transcript: None,
        };
        assert_eq!(
            serde_json::to_string(&content).unwrap(),
            r#"{"type":"audio","url":"https://x.test/a.ogg"}"#
        );
        let read: Content = serde_json::from_value(
            json!({"type": "text", "text": "hi", "template_id": null, "extra": 1}),
        )
        .unwrap();
        assert_eq!(read, Content::text("hi"));
    }

    #[test]
    fn agents_are_flat_objects_tagged_by_type() {
        let agent = Agent {
            id: "agent_1".into(),
            kind: AgentKind::Human {
                profile_id: "prof_1".into(),
            },
            organization_id: "org".into(),
            name: "Ana".into(),
            created_at: Time::from_unix(0, 0).unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&agent).unwrap(),
            json!({"id": "agent_1", "type": "human", "profile_id": "prof_1",
                   "organization_id": "org", "name": "Ana", "created_at": "1970-01-01T00:00:00Z"})
        );
    }
}
