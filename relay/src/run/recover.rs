//! A sweep of the recovery index ([`RecoverRun`]) and a finished session's
//! forgetting ([`ForgetRun`]) as sans-IO runs, driven like
//! [`super::WebhookRun`].
//!
//! A sweep reads the index's due entries (`limit` at a time, until fewer
//! come back), reads their outbound records in one round trip, and decides
//! each one with [`sweep_entry`]: dropped, left for later, or run through
//! the webhook's path as a [`RunKind::Sweep`] [`WebhookRun`] whose effects
//! it passes on; [`after_sweep`] then drops or reschedules the entry.

use std::collections::VecDeque;

use antonnia_core::error::Error;

use super::{
    Answer, Effect, HostError, RunConfig, RunFailure, RunKind, Swept, WebhookRun, check_fits,
};
use crate::{
    AfterSweep, ContactRecord, Keys, SweepStep, after_sweep, decode_record, response_for,
    sweep_entry,
};

/// How many rounds of `limit` due entries one sweep looks at, at most (a
/// bound on one call's work; the next sweep goes on).
pub const MAX_ROUNDS: u32 = 1000;

#[derive(Debug, Clone)]
enum State {
    Listing,
    Reading(Vec<String>),
    Leaving,
    Running(Box<WebhookRun>, SweptEntry),
    Rescheduling,
    Dropping,
}

// The entry a sweep's run is for.
#[derive(Debug, Clone)]
struct SweptEntry {
    member: String,
    session_id: String,
    message_id: String,
}

/// One sweep of the recovery index in progress: see the [module
/// documentation](self).
#[derive(Clone)]
pub struct RecoverRun {
    config: RunConfig,
    index: String,
    keys: Keys,
    token: String,
    limit: u32,
    rounds: u32,
    runs_made: u64,
    listed: usize,
    queue: VecDeque<(String, Option<String>)>,
    drop: Vec<String>,
    found: Vec<Swept>,
    last_error: Option<String>,
    state: State,
    pending: Effect,
}

// The token is a claim credential: Debug names the run, not it.
impl std::fmt::Debug for RecoverRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoverRun")
            .field("index", &self.index)
            .field("found", &self.found.len())
            .finish_non_exhaustive()
    }
}

impl RecoverRun {
    /// A sweep of the relay's recovery index, `limit` (at least 1) entries
    /// at a time; `token` is fresh randomness from the host (each message's
    /// claim holds a token made from it).
    pub fn new(config: RunConfig, token: &str, limit: u32) -> Result<RecoverRun, Error> {
        let keys = Keys::new(&config.prefix)?;
        if config.channel_type.is_empty() {
            return Err(Error::invalid("channel_type", "must not be empty"));
        }
        if token.is_empty() {
            return Err(Error::invalid("token", "must not be empty"));
        }
        if limit == 0 {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        let index = keys.pending(&config.channel_type);
        Ok(RecoverRun {
            pending: Effect::IndexDue {
                key: index.clone(),
                limit,
            },
            index,
            keys,
            token: token.to_string(),
            limit,
            rounds: 0,
            runs_made: 0,
            listed: 0,
            queue: VecDeque::new(),
            drop: Vec::new(),
            found: Vec::new(),
            last_error: None,
            state: State::Listing,
            config,
        })
    }

    /// The effect to perform now.
    pub fn next(&self) -> Effect {
        self.pending.clone()
    }

    /// The effect to perform now, borrowed.
    pub fn pending(&self) -> &Effect {
        &self.pending
    }

    /// The name of the host's error behind the answer about to be given
    /// (its class, never its text): a swept message that ends
    /// `api_unavailable` is reported with it.
    pub fn note_error(&mut self, name: &str) {
        self.last_error = Some(name.to_string());
    }

    /// Takes the answer to the pending effect and gives the next effect; an
    /// answer of the wrong kind is refused and changes nothing.
    pub fn resume(&mut self, answer: Answer) -> Result<Effect, Error> {
        check_fits(&self.pending, &answer)?;
        let state = std::mem::replace(&mut self.state, State::Listing);
        self.pending = match (state, answer) {
            (State::Running(mut run, entry), answer) => {
                let effect = run.resume(answer)?;
                self.after_run(run, entry, effect)
            }
            (_, Answer::Error(HostError::StoreUnavailable)) => Effect::failed(
                RunFailure::StoreUnavailable,
                Some(HostError::StoreUnavailable),
            ),
            (_, Answer::Error(e)) => Effect::failed(RunFailure::Host, Some(e)),
            (State::Listing, Answer::Due { members }) => {
                self.rounds += 1;
                self.listed = members.len();
                if members.is_empty() {
                    return Ok(self.finish());
                }
                let keys: Vec<String> = members
                    .iter()
                    .filter_map(|m| self.keys.pending_outbound(m))
                    .collect();
                if keys.is_empty() {
                    self.queue = members.into_iter().map(|m| (m, None)).collect();
                    self.next_entry()
                } else {
                    self.state = State::Reading(members);
                    Effect::GetMany { keys }
                }
            }
            (State::Reading(members), Answer::Values { values }) => {
                let mut values = values.into_iter();
                self.queue = members
                    .into_iter()
                    .map(|m| {
                        let record = match self.keys.pending_outbound(&m) {
                            Some(_) => values.next().flatten(),
                            None => None,
                        };
                        (m, record)
                    })
                    .collect();
                self.next_entry()
            }
            (State::Leaving | State::Rescheduling, Answer::Ok) => self.next_entry(),
            (State::Dropping, Answer::Ok) => self.next_round(),
            // `check_fits` let nothing else through.
            (_, _) => Effect::failed(RunFailure::Host, None),
        };
        Ok(self.pending.clone())
    }

    fn finish(&mut self) -> Effect {
        Effect::Recovered {
            found: std::mem::take(&mut self.found),
        }
    }

    // The next entry of this round, or the round's drops.
    fn next_entry(&mut self) -> Effect {
        while let Some((member, record)) = self.queue.pop_front() {
            match sweep_entry(&member, record.as_deref()) {
                SweepStep::Drop => self.drop.push(member),
                // A newer SDK's record: not ours to judge; not due again at once.
                SweepStep::Leave => {
                    self.state = State::Leaving;
                    return Effect::IndexPut {
                        key: self.index.clone(),
                        member,
                        due_in_ms: self.config.claim_lease_ms,
                    };
                }
                SweepStep::Redeliver {
                    session_id,
                    message_id,
                    created_at_ms,
                    message,
                } => {
                    self.runs_made += 1;
                    self.last_error = None;
                    let token = format!("{}.s{}", self.token, self.runs_made);
                    let entry = SweptEntry {
                        member,
                        session_id,
                        message_id,
                    };
                    match WebhookRun::new(
                        RunKind::Sweep,
                        self.config.clone(),
                        &token,
                        &entry.session_id,
                        &message,
                        created_at_ms,
                    ) {
                        Ok(run) => {
                            let effect = run.next();
                            self.state = State::Running(Box::new(run), entry);
                            return effect;
                        }
                        // A stored message this SDK cannot read: looked at again later.
                        Err(_) => {
                            self.last_error = Some("DecodeError".into());
                            return self.settle(entry, "api_unavailable".into(), None);
                        }
                    }
                }
            }
        }
        if self.drop.is_empty() {
            return self.next_round();
        }
        self.state = State::Dropping;
        Effect::IndexDrop {
            key: self.index.clone(),
            members: std::mem::take(&mut self.drop),
        }
    }

    // Another round while the last one came back full, else the end.
    fn next_round(&mut self) -> Effect {
        if self.listed < self.limit as usize || self.rounds >= MAX_ROUNDS {
            self.finish()
        } else {
            self.state = State::Listing;
            Effect::IndexDue {
                key: self.index.clone(),
                limit: self.limit,
            }
        }
    }

    fn after_run(&mut self, run: Box<WebhookRun>, entry: SweptEntry, effect: Effect) -> Effect {
        match effect {
            Effect::Done {
                outcome,
                retry_after,
                ..
            } => self.settle(entry, outcome, retry_after),
            // The store failed (the sweep stops; its entries stay) or the
            // host did: the run released its claims already.
            failed @ Effect::Failed { .. } => failed,
            effect => {
                self.state = State::Running(run, entry);
                effect
            }
        }
    }

    fn settle(&mut self, entry: SweptEntry, outcome: String, retry_after: Option<u64>) -> Effect {
        let error = if outcome == "api_unavailable" {
            Some(
                self.last_error
                    .take()
                    .unwrap_or_else(|| "AntonniaError".into()),
            )
        } else {
            None
        };
        let then = after_sweep(&outcome, retry_after, 0);
        self.found.push(Swept {
            session_id: entry.session_id,
            message_id: entry.message_id,
            outcome,
            error,
        });
        match then {
            AfterSweep::Drop => {
                self.drop.push(entry.member);
                self.next_entry()
            }
            AfterSweep::Keep { due_ms } => {
                self.state = State::Rescheduling;
                Effect::IndexPut {
                    key: self.index.clone(),
                    member: entry.member,
                    due_in_ms: u64::try_from(due_ms).unwrap_or(0),
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
enum ForgetState {
    Reading,
    Forgetting,
}

/// A `session.finished` webhook: the contact's session record is forgotten
/// (compare-and-delete) when the session is this relay's, so that the
/// contact's next message opens a new one. See the [module
/// documentation](self).
#[derive(Debug, Clone)]
pub struct ForgetRun {
    keys: Keys,
    channel_type: String,
    session_id: String,
    state: ForgetState,
    pending: Effect,
}

impl ForgetRun {
    /// A run for the finished session `session_id`.
    pub fn new(config: &RunConfig, session_id: &str) -> Result<ForgetRun, Error> {
        let keys = Keys::new(&config.prefix)?;
        if session_id.is_empty() {
            return Err(Error::invalid("session_id", "must not be empty"));
        }
        Ok(ForgetRun {
            pending: Effect::GetMany {
                keys: vec![keys.contact(session_id)],
            },
            keys,
            channel_type: config.channel_type.clone(),
            session_id: session_id.to_string(),
            state: ForgetState::Reading,
        })
    }

    /// The effect to perform now.
    pub fn next(&self) -> Effect {
        self.pending.clone()
    }

    /// The effect to perform now, borrowed.
    pub fn pending(&self) -> &Effect {
        &self.pending
    }

    /// Takes the answer to the pending effect and gives the next effect.
    pub fn resume(&mut self, answer: Answer) -> Result<Effect, Error> {
        check_fits(&self.pending, &answer)?;
        self.pending = match (&self.state, answer) {
            (ForgetState::Reading, Answer::Values { values }) => {
                let record = values
                    .into_iter()
                    .next()
                    .flatten()
                    .and_then(|t| decode_record::<ContactRecord>(&t).ok());
                match record {
                    // Another relay's session, or one no relay recorded (or
                    // recorded in a form this SDK cannot read): nothing of ours.
                    Some(c) if c.channel_type == self.channel_type => {
                        self.state = ForgetState::Forgetting;
                        Effect::Forget {
                            key: self.keys.session(&c.channel_type, &c.channel_user_id),
                            session_id: self.session_id.clone(),
                        }
                    }
                    _ => done("forgotten"),
                }
            }
            (ForgetState::Forgetting, Answer::Ok) => done("forgotten"),
            (_, Answer::Error(HostError::StoreUnavailable)) => done("store_unavailable"),
            (_, Answer::Error(e)) => Effect::failed(RunFailure::Host, Some(e)),
            (_, _) => Effect::failed(RunFailure::Host, None),
        };
        Ok(self.pending.clone())
    }
}

fn done(outcome: &str) -> Effect {
    Effect::Done {
        outcome: outcome.to_string(),
        retry_after: None,
        response: response_for(outcome, None),
    }
}
