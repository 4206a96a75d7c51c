//! A session's messages as a stream: each new message once, in order, by
//! polling the session's message search — how a browser or a mobile chat
//! shows the agent's replies without a webhook endpoint.
//!
//! [`MessageStream`] is the cursor; the binding only runs the calls it names
//! and sleeps the delays it returns:
//!
//! ```
//! use std::time::Duration;
//! use antonnia_core::stream::{MessageStream, StreamOptions};
//! use antonnia_core::{Message, MessageContent};
//!
//! let mut stream = MessageStream::new("sess_1", StreamOptions::default())?;
//! let _call = stream.next_call(); // messages.search in sess_1: run it...
//! let history = vec![Message::new("msg_1", MessageContent::text("Hi"))];
//! let poll = stream.on_page(history); // ...and hand the page back
//! assert!(poll.messages.is_empty()); // what was there before the stream is skipped
//! assert_eq!(poll.wait, Duration::from_secs(1)); // sleep, then poll again
//! let poll = stream.on_page(vec![Message::new("msg_2", MessageContent::text("Hello!"))]);
//! assert_eq!(poll.messages[0].id, "msg_2");
//! # Ok::<(), antonnia_core::Error>(())
//! ```
//!
//! # How it polls
//!
//! Pages are read with `offset`/`limit`; the offset advances by what each
//! page returned, so a session is read once however long it gets. A full
//! page is followed at once by the next; otherwise the stream waits, from
//! [`StreamOptions::poll_interval`] while messages keep coming, doubling
//! while the session is idle up to [`StreamOptions::max_poll_interval`]. A new
//! message brings the interval back down. A message already yielded is never
//! yielded again (ids are remembered, a bounded number of them), and each
//! page's new messages come out in `created_at` order.
//!
//! # Where it starts
//!
//! By default a stream yields what is created after its first poll;
//! [`StreamOptions::from_start`] yields the session's history first. A chat
//! window that has just sent the user's message wants neither: the agent's
//! answer may already be there at the first poll (it would be skipped), and
//! the history is shown already. [`MessageStream::start_after`] starts right
//! after a given message: whatever follows it in the session comes out, even
//! if it was created before the first poll. If that message is not found in
//! the history (a search index that lags behind), the stream starts from now
//! and never yields the message itself.
//!
//! A failed poll (after the exchange's own retries) is judged by
//! [`MessageStream::on_error`]: a rate limit waits its `Retry-After`, a
//! server or network failure backs off like an idle poll, and anything else
//! (a bad token, an unknown session) ends the stream with that error.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use crate::error::Error;
use crate::ops::{Call, SearchMessages, require_id};
use crate::time::Timestamp;
use crate::types::Message;

/// `items` sorted by `order`, equal items kept in their order: a bottom-up
/// merge sort of their positions. Not `sort_by`: std's stable sort compiles to
/// ≈ 12 KB of WebAssembly per element type, which every browser would
/// download for one page of messages; this is a few hundred bytes, still
/// O(n log n) for a hostile page of any length.
fn sorted_stably<T>(items: Vec<T>, order: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    let n = items.len();
    let mut positions: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1usize;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = mid.saturating_add(width).min(n);
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                // The left run's head goes first unless the right one's is
                // strictly smaller: that keeps equal items in their order.
                let take_left = right >= end
                    || (left < mid
                        && order(&items[positions[right]], &items[positions[left]])
                            != std::cmp::Ordering::Less);
                if take_left {
                    *slot = positions[left];
                    left += 1;
                } else {
                    *slot = positions[right];
                    right += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut positions, &mut merged);
        width = width.saturating_mul(2);
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    positions
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}

/// What the stream needs of a message: its id and when it was created. A
/// [`Message`] has them; a binding that holds messages as JSON text can pass
/// a lighter item that keeps the text.
pub trait StreamItem {
    /// The message's id.
    fn id(&self) -> &str;
    /// When it was created, if the server said.
    fn created_at(&self) -> Option<Timestamp>;
}

impl StreamItem for Message {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

/// A message held as its JSON text (the canonical form a binding hands its
/// host), with what the stream needs read out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText<'a> {
    /// The message's id.
    pub id: String,
    /// When it was created, if the text says.
    pub created_at: Option<Timestamp>,
    /// The message's JSON, exactly as it came.
    pub text: &'a str,
}

impl StreamItem for MessageText<'_> {
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

impl<'a> MessageText<'a> {
    /// Reads one message's JSON text as [`read_page`](Self::read_page)
    /// reads each of a page's.
    pub fn read(message_json: &'a str) -> Result<MessageText<'a>, Error> {
        crate::json::read_shaped(
            message_json.as_bytes(),
            b'{',
            "a message object",
            read_message_text,
        )
    }

    /// Reads a page of messages (a JSON array of message objects) without
    /// decoding them whole: each keeps its text; its `id` is required and
    /// its `created_at`, when present, must be a timestamp.
    pub fn read_page(page_json: &'a str) -> Result<Vec<MessageText<'a>>, Error> {
        crate::json::read_shaped(page_json.as_bytes(), b'[', "an array of messages", |r| {
            use crate::json::{Step, at};
            r.array("an array of messages")?;
            let mut page = Vec::new();
            while r.element(page.is_empty())? {
                let index = page.len();
                page.push(at(|| Step::Index(index), read_message_text(r))?);
            }
            r.end_array()?;
            Ok(page)
        })
    }
}

fn read_message_text<'a>(
    r: &mut crate::json::Reader<'a>,
) -> Result<MessageText<'a>, crate::json::ReadError> {
    use crate::json::{ReadError, Step, at};
    let start = r.mark();
    r.object("a message object")?;
    let (mut id, mut created_at) = (None, None);
    let mut first = true;
    while let Some(key) = r.key(first)? {
        first = false;
        match key.as_ref() {
            "id" if id.is_none() => id = Some(at(|| Step::Field("id"), r.str())?.into_owned()),
            // Read as `Some(None)` when null, so that a repeat is still seen.
            "created_at" if created_at.is_none() => {
                created_at = Some(at(
                    || Step::Field("created_at"),
                    r.nullable(crate::schema::read_timestamp),
                )?);
            }
            "id" | "created_at" => return Err(ReadError::duplicate(&key)),
            _ => {
                r.skip()?;
            }
        }
    }
    r.end_object()?;
    let id = id.ok_or_else(|| ReadError::missing("id"))?;
    Ok(MessageText {
        id,
        created_at: created_at.flatten(),
        text: r.text_since(start),
    })
}

/// How a stream polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// The wait between polls while messages keep coming (default 1 s).
    pub poll_interval: Duration,
    /// The longest wait while the session is idle (default 30 s).
    pub max_poll_interval: Duration,
    /// Messages asked for per poll (default 100, the server's page size).
    pub page_size: i64,
    /// Whether the messages already in the session come out first (`true`),
    /// or only those created after the stream started (`false`, the default:
    /// a chat window shows the history separately).
    pub from_start: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            poll_interval: Duration::from_secs(1),
            max_poll_interval: Duration::from_secs(30),
            page_size: 100,
            from_start: false,
        }
    }
}

/// How many message ids a stream remembers to refuse repeats: far more than
/// a page, bounded so that a long-lived stream does not grow without end.
pub const REMEMBERED_IDS: usize = 10_000;

/// What a poll gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll<T = Message> {
    /// The new messages, in order, each yielded once.
    pub messages: Vec<T>,
    /// How long to wait before the next call.
    pub wait: Duration,
}

/// The cursor over one session's messages: see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct MessageStream {
    session_id: String,
    options: StreamOptions,
    offset: i64,
    // Until the first short page, a stream that does not start at the
    // beginning only skips over what is already there.
    catching_up: bool,
    idle_polls: u32,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    // start_after's message, and whether the history has shown it yet.
    after: Option<String>,
    after_found: bool,
}

impl MessageStream {
    /// A stream of the session's messages.
    pub fn new(session_id: &str, options: StreamOptions) -> Result<MessageStream, Error> {
        require_id("session_id", session_id)?;
        if options.page_size <= 0 {
            return Err(Error::invalid("page_size", "must be 1 or more"));
        }
        if options.poll_interval.is_zero() {
            return Err(Error::invalid(
                "poll_interval",
                "must be more than 0 (a stream must not poll in a busy loop)",
            ));
        }
        Ok(MessageStream {
            session_id: session_id.to_string(),
            options: StreamOptions {
                max_poll_interval: options.max_poll_interval.max(options.poll_interval),
                ..options
            },
            offset: 0,
            catching_up: !options.from_start,
            idle_polls: 0,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            after: None,
            after_found: false,
        })
    }

    /// Starts the stream right after the message `message_id` (typically the
    /// user's message just sent): the messages that follow it in the
    /// session's history come out first, then every new one. Call it before
    /// the first poll; it overrides [`StreamOptions::from_start`].
    pub fn start_after(&mut self, message_id: &str) -> Result<(), Error> {
        require_id("after", message_id)?;
        if self.offset != 0 {
            return Err(Error::invalid(
                "after",
                "must be set before the stream's first poll",
            ));
        }
        self.after = Some(message_id.to_string());
        self.catching_up = true;
        Ok(())
    }

    /// The call to run now: a `messages.search` page of the session.
    pub fn next_call(&self) -> Call {
        Call::MessagesSearch(SearchMessages {
            session_id: Some(self.session_id.clone()),
            offset: Some(self.offset),
            limit: Some(self.options.page_size),
            ..SearchMessages::default()
        })
    }

    /// [`next_call`](Self::next_call)'s arguments as JSON, for a
    /// [`DynamicCall`](crate::ops::DynamicCall).
    pub fn next_arguments(&self) -> serde_json::Value {
        // Built by hand: `json!` goes through `to_value(..).unwrap()`, whose
        // panic message would bring serde_json's error formatting (and
        // std's I/O error names) into the web build.
        let mut args = serde_json::Map::new();
        args.insert("session_id".into(), self.session_id.clone().into());
        args.insert("offset".into(), self.offset.into());
        args.insert("limit".into(), self.options.page_size.into());
        serde_json::Value::Object(args)
    }

    /// Takes the page the last call returned: the new messages to yield and
    /// the wait before the next call.
    pub fn on_page<T: StreamItem>(&mut self, page: Vec<T>) -> Poll<T> {
        let returned = page.len();
        self.offset = self
            .offset
            .saturating_add(i64::try_from(returned).unwrap_or(i64::MAX));
        let full = i64::try_from(returned).is_ok_and(|n| n >= self.options.page_size);
        // created_at first, then id; messages without one keep their place last.
        let page = sorted_stably(page, |a, b| {
            (a.created_at().is_none(), a.created_at(), a.id()).cmp(&(
                b.created_at().is_none(),
                b.created_at(),
                b.id(),
            ))
        });
        let anchor_seen_before = self.after_found;
        // Where start_after's message stood among this page's fresh ones.
        let mut anchor_at = None;
        let mut fresh = Vec::with_capacity(page.len());
        for m in page {
            if self.after.as_deref() == Some(m.id()) {
                if !self.after_found {
                    self.after_found = true;
                    anchor_at = Some(fresh.len());
                }
                continue;
            }
            if self.remember(m.id()) {
                fresh.push(m);
            }
        }
        if self.catching_up {
            match anchor_at {
                _ if self.after.is_some() && anchor_seen_before => {}
                Some(at) => {
                    fresh.drain(..at);
                }
                None => fresh.clear(),
            }
            if !full {
                self.catching_up = false;
            }
        }
        let wait = if full {
            Duration::ZERO
        } else if fresh.is_empty() {
            let wait = self.idle_wait();
            self.idle_polls = self.idle_polls.saturating_add(1);
            wait
        } else {
            self.idle_polls = 0;
            self.options.poll_interval
        };
        Poll {
            messages: fresh,
            wait,
        }
    }

    /// Judges a poll that failed after the exchange's own retries: the wait
    /// before polling again, or the error that ends the stream.
    pub fn on_error(&mut self, error: Error) -> Result<Duration, Error> {
        let info = error.info();
        let retry_after = info
            .retry_after
            .and_then(|s| Duration::try_from_secs_f64(s).ok());
        self.on_failed_poll(info.kind, info.status, retry_after)
            .ok_or(error)
    }

    /// [`on_error`](Self::on_error) for bindings that hold the error as their
    /// own exception: its `kind`, `status` and `retry_after` ([`Error::info`]
    /// fields) decide; `None` means the stream ends with that exception.
    pub fn on_failed_poll(
        &mut self,
        kind: &str,
        status: Option<u16>,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let transient = match kind {
            "rate_limit" => {
                if let Some(wait) = retry_after {
                    return Some(wait.max(self.options.poll_interval));
                }
                true
            }
            "transport" | "timeout" => true,
            _ => matches!(status, Some(408 | 500 | 502 | 503 | 504)),
        };
        if !transient {
            return None;
        }
        let wait = self.idle_wait();
        self.idle_polls = self.idle_polls.saturating_add(1);
        Some(wait)
    }

    fn idle_wait(&self) -> Duration {
        let factor = 2u32.saturating_pow(self.idle_polls.min(16));
        self.options
            .poll_interval
            .saturating_mul(factor)
            .min(self.options.max_poll_interval)
    }

    /// Remembers an id; whether it was new.
    fn remember(&mut self, id: &str) -> bool {
        if self.seen.contains(id) {
            return false;
        }
        if self.seen_order.len() >= REMEMBERED_IDS {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(id.to_string());
        self.seen_order.push_back(id.to_string());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MessageContent;

    fn msg(id: &str) -> Message {
        Message::new(id, MessageContent::text(id))
    }

    #[test]
    fn the_next_arguments_make_the_next_call() {
        use crate::ops::{Callable, DynamicCall};
        let config = crate::Config::new("sk_test").unwrap();
        let mut s = MessageStream::new("s/1", StreamOptions::default()).unwrap();
        for _ in 0..2 {
            let typed = s.next_call().build(&config).unwrap();
            let dynamic = DynamicCall::from_json("messages.search", s.next_arguments())
                .unwrap()
                .build(&config)
                .unwrap();
            assert_eq!(typed, dynamic);
            s.on_page(vec![msg("a"), msg("b")]);
        }
    }

    #[test]
    fn existing_messages_are_skipped_unless_asked_for() {
        let mut s = MessageStream::new("s", StreamOptions::default()).unwrap();
        assert!(s.on_page(vec![msg("old")]).messages.is_empty());
        assert_eq!(s.on_page(vec![msg("new")]).messages[0].id, "new");
        let opts = StreamOptions {
            from_start: true,
            ..StreamOptions::default()
        };
        let mut s = MessageStream::new("s", opts).unwrap();
        assert_eq!(s.on_page(vec![msg("old")]).messages[0].id, "old");
    }

    #[test]
    fn start_after_yields_what_follows_the_message_in_the_history() {
        let mut s = MessageStream::new("s", StreamOptions::default()).unwrap();
        s.start_after("mine").unwrap();
        let ids = |p: Poll| p.messages.into_iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(
            ids(s.on_page(vec![msg("a"), msg("b"), msg("mine"), msg("reply")])),
            ["reply"]
        );
        assert_eq!(ids(s.on_page(vec![msg("mine"), msg("next")])), ["next"]);
        assert!(s.start_after("late").is_err(), "after the first poll");

        // Not in the history yet: from now on, and never the message itself.
        let mut s = MessageStream::new("s", StreamOptions::default()).unwrap();
        s.start_after("mine").unwrap();
        assert!(s.on_page(vec![msg("a")]).messages.is_empty());
        assert_eq!(ids(s.on_page(vec![msg("mine"), msg("reply")])), ["reply"]);
        assert!(
            MessageStream::new("s", StreamOptions::default())
                .unwrap()
                .start_after(" ")
                .is_err()
        );
    }

    #[test]
    fn idle_polls_back_off_and_cap() {
        let mut s = MessageStream::new("s", StreamOptions::default()).unwrap();
        let waits: Vec<u64> = (0..8)
            .map(|_| s.on_page(Vec::<Message>::new()).wait.as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(s.on_page(vec![msg("m")]).wait, Duration::from_secs(1));
    }

    #[test]
    fn fatal_errors_end_the_stream() {
        let mut s = MessageStream::new("s", StreamOptions::default()).unwrap();
        let not_found = Error::from_response(&crate::HttpResponse::new(404, ""), None);
        assert!(s.on_error(not_found).is_err());
        assert!(s.on_error(Error::transport("reset")).is_ok());
    }

    #[test]
    fn a_page_of_message_texts_keeps_each_text_and_reads_its_keys() {
        let page = r#" [ {"id":"m1","created_at":"2025-01-15T10:30:00Z","content":{"type":"text","text":"a"}},
            {"content":{"type":"text","text":"b"},"id":"m2"}, {"id":"m3","created_at":null} ] "#;
        let items = MessageText::read_page(page).expect("a page");
        let ids: Vec<&str> = items.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["m1", "m2", "m3"]);
        assert_eq!(
            items[0].created_at,
            Some(Timestamp::parse("2025-01-15T10:30:00Z").expect("timestamp"))
        );
        assert_eq!(items[1].created_at, None);
        assert_eq!(items[2].created_at, None);
        assert_eq!(
            items[1].text,
            r#"{"content":{"type":"text","text":"b"},"id":"m2"}"#
        );
        assert_eq!(MessageText::read_page("[]").expect("empty"), []);
    }

    #[test]
    fn a_wrong_page_is_refused_where_it_is_wrong() {
        let path = |page: &str| {
            MessageText::read_page(page)
                .expect_err("refused")
                .info()
                .path
                .clone()
                .unwrap_or_default()
        };
        assert_eq!(path(r#"{"id":"m"}"#), "");
        assert_eq!(path(r#"[{"id":"m"},{"text":"no id"}]"#), "[1]");
        assert_eq!(path(r#"[{"id":"m"},{"id":7}]"#), "[1].id");
        assert_eq!(
            path(r#"[{"id":"m","created_at":"yesterday"}]"#),
            "[0].created_at"
        );
        assert_eq!(path(r#"[{"id":"m","id":"n"}]"#), "[0]");
        assert_eq!(path(r#"[{"id":"m"}"#), "");
        assert_eq!(path(r#"["m"]"#), "[0]");
        assert_eq!(path(r#"[{"id":"m"}] x"#), "");
    }

    #[test]
    fn sorted_stably_agrees_with_std_stable_sort() {
        // Pseudo-random pages of every length up to 70, keys with many ties.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..70 {
            let items: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % 5, i)
                })
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|item| item.0);
            assert_eq!(super::sorted_stably(items, |a, b| a.0.cmp(&b.0)), want);
        }
    }
}
