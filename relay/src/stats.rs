//! The relay's counters: what an operator watches ([`Stats`]).
//!
//! A relay keeps one [`Stats`]: every webhook's answer goes through
//! [`Stats::respond`] (which gives the answer and counts it), every ended
//! run through [`Stats::add`] (its [`Tally`] and what it ended with). They
//! are read as one [`Snapshot`] (a binding's `stats()`), as [`Sample`]s
//! under the names of [`METRICS`] (for an OpenTelemetry meter's observable
//! counters), or as Prometheus text ([`Stats::prometheus_text`]). Every
//! counter only grows, from the relay's start, in this process.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::WebhookResponse;
use crate::response_for;
use crate::run::{Effect, RunDriver, Tally};

/// A counter's names and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Metric {
    /// Its Prometheus name (ending `_total`).
    pub prometheus: &'static str,
    /// Its OpenTelemetry instrument name.
    pub otel: &'static str,
    /// Its unit (UCUM, as OpenTelemetry writes it).
    pub unit: &'static str,
    /// What it counts.
    pub help: &'static str,
    /// Its labels, in the order its samples give them.
    pub labels: &'static [&'static str],
}

/// Every counter the relay keeps. Each has the label `channel_type`, and:
/// webhooks `outcome` and `status`; deliveries `result` (`sent`,
/// `redelivered`, `refused`, `crashed`); received `duplicate`; recovered
/// `outcome`.
pub const METRICS: &[Metric] = &[
    Metric {
        prometheus: "antonnia_relay_webhooks_total",
        otel: "antonnia.relay.webhooks",
        unit: "{webhook}",
        help: "Webhooks answered, by outcome and HTTP status (503: the sender retries).",
        labels: &["channel_type", "outcome", "status"],
    },
    Metric {
        prometheus: "antonnia_relay_deliveries_total",
        otel: "antonnia.relay.deliveries",
        unit: "{message}",
        help: "Messages handed to deliver, by result: sent, redelivered (sent again after a lapsed claim), refused (reported failed), crashed (deliver raised).",
        labels: &["channel_type", "result"],
    },
    Metric {
        prometheus: "antonnia_relay_messages_received_total",
        otel: "antonnia.relay.messages_received",
        unit: "{message}",
        help: "User messages received from the channel (duplicate: a provider_message_id seen before).",
        labels: &["channel_type", "duplicate"],
    },
    Metric {
        prometheus: "antonnia_relay_claim_wait_seconds_total",
        otel: "antonnia.relay.claim_wait",
        unit: "s",
        help: "Time webhooks waited for a message another worker held.",
        labels: &["channel_type"],
    },
    Metric {
        prometheus: "antonnia_relay_claim_waits_total",
        otel: "antonnia.relay.claim_waits",
        unit: "{webhook}",
        help: "Webhooks that waited for a message another worker held.",
        labels: &["channel_type"],
    },
    Metric {
        prometheus: "antonnia_relay_lock_wait_seconds_total",
        otel: "antonnia.relay.lock_wait",
        unit: "s",
        help: "Time receive() waited for a contact's lock.",
        labels: &["channel_type"],
    },
    Metric {
        prometheus: "antonnia_relay_sweeps_total",
        otel: "antonnia.relay.sweeps",
        unit: "{sweep}",
        help: "Sweeps of the recovery index that completed.",
        labels: &["channel_type"],
    },
    Metric {
        prometheus: "antonnia_relay_recovered_total",
        otel: "antonnia.relay.recovered",
        unit: "{message}",
        help: "Stranded messages a sweep ran through the webhook's path, by outcome.",
        labels: &["channel_type", "outcome"],
    },
];

/// One counter's value under one set of labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// Its index in [`METRICS`].
    pub metric: usize,
    /// Its labels, `channel_type` first.
    pub labels: Vec<(&'static str, String)>,
    /// Its value.
    pub value: f64,
}

/// The counters at one moment (a binding's `stats()`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The relay's channel type.
    pub channel_type: String,
    /// Webhooks answered, all outcomes.
    pub webhooks_received: u64,
    /// Webhooks by outcome (`sent`, `duplicate`, `busy`, `bad_signature`, ...).
    pub webhooks: BTreeMap<String, u64>,
    /// Webhooks answered 503 (the sender retries).
    pub unavailable: u64,
    /// Messages sent by `deliver` for the first time.
    pub delivered: u64,
    /// Messages sent again after a claim lapsed (`attempt.redelivery`).
    pub redelivered: u64,
    /// Messages `deliver` refused (reported `failed`).
    pub failed: u64,
    /// `deliver` calls that raised.
    pub crashed: u64,
    /// User messages received.
    pub received: u64,
    /// Of those, repeats of a `provider_message_id`.
    pub received_duplicates: u64,
    /// Webhooks that waited for a claim another worker held.
    pub claim_waits: u64,
    /// How long they waited in all, ms.
    pub claim_wait_ms: u64,
    /// `receive` calls that waited for a contact's lock.
    pub lock_waits: u64,
    /// How long they waited in all, ms.
    pub lock_wait_ms: u64,
    /// Sweeps of the recovery index completed.
    pub sweeps: u64,
    /// Swept messages by outcome.
    pub recovered: BTreeMap<String, u64>,
}

/// The relay's counters: see the [module documentation](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    s: Snapshot,
}

impl Stats {
    /// Counters for a relay of `channel_type`, all zero.
    pub fn new(channel_type: &str) -> Stats {
        Stats {
            s: Snapshot {
                channel_type: channel_type.to_string(),
                ..Snapshot::default()
            },
        }
    }

    /// The HTTP answer for a webhook that ended with `outcome`
    /// ([`response_for`]), counted.
    pub fn respond(&mut self, outcome: &str, retry_after: Option<u64>) -> WebhookResponse {
        let response = response_for(outcome, retry_after);
        let s = &mut self.s;
        s.webhooks_received += 1;
        *s.webhooks.entry(outcome.to_string()).or_default() += 1;
        if response.status == 503 {
            s.unavailable += 1;
        }
        response
    }

    /// Adds what an ended run did: its [`Tally`], and a received message or
    /// a sweep's findings (a webhook's outcome is counted by
    /// [`Stats::respond`]).
    pub fn add(&mut self, run: &RunDriver) {
        self.add_tally(&run.tally());
        let s = &mut self.s;
        match run.pending() {
            Effect::Received { duplicate, .. } => {
                s.received += 1;
                s.received_duplicates += u64::from(*duplicate);
            }
            Effect::Recovered { found } => {
                s.sweeps += 1;
                for swept in found {
                    *s.recovered.entry(swept.outcome.clone()).or_default() += 1;
                }
            }
            _ => {}
        }
    }

    fn add_tally(&mut self, t: &Tally) {
        let s = &mut self.s;
        s.delivered += t.delivered;
        s.redelivered += t.redelivered;
        s.failed += t.failed;
        s.crashed += t.crashed;
        if t.claim_wait_ms > 0 {
            s.claim_waits += 1;
        }
        s.claim_wait_ms = s.claim_wait_ms.saturating_add(t.claim_wait_ms);
        if t.lock_wait_ms > 0 {
            s.lock_waits += 1;
        }
        s.lock_wait_ms = s.lock_wait_ms.saturating_add(t.lock_wait_ms);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        self.s.clone()
    }

    /// The counters as samples of [`METRICS`] (every labelled series seen
    /// so far; the unlabelled ones always, at zero from the start).
    pub fn samples(&self) -> Vec<Sample> {
        let s = &self.s;
        let ct = || ("channel_type", s.channel_type.clone());
        let mut out = Vec::new();
        for (outcome, n) in &s.webhooks {
            let status = response_for(outcome, None).status.to_string();
            out.push(Sample {
                metric: 0,
                labels: vec![ct(), ("outcome", outcome.clone()), ("status", status)],
                value: *n as f64,
            });
        }
        for (result, n) in [
            ("sent", s.delivered),
            ("redelivered", s.redelivered),
            ("refused", s.failed),
            ("crashed", s.crashed),
        ] {
            out.push(Sample {
                metric: 1,
                labels: vec![ct(), ("result", result.to_string())],
                value: n as f64,
            });
        }
        for (duplicate, n) in [
            ("false", s.received - s.received_duplicates.min(s.received)),
            ("true", s.received_duplicates),
        ] {
            out.push(Sample {
                metric: 2,
                labels: vec![ct(), ("duplicate", duplicate.to_string())],
                value: n as f64,
            });
        }
        let plain = [
            (3, s.claim_wait_ms as f64 / 1000.0),
            (4, s.claim_waits as f64),
            (5, s.lock_wait_ms as f64 / 1000.0),
            (6, s.sweeps as f64),
        ];
        for (metric, value) in plain {
            out.push(Sample {
                metric,
                labels: vec![ct()],
                value,
            });
        }
        for (outcome, n) in &s.recovered {
            out.push(Sample {
                metric: 7,
                labels: vec![ct(), ("outcome", outcome.clone())],
                value: *n as f64,
            });
        }
        out
    }

    /// The counters in the Prometheus text exposition format (version
    /// 0.0.4), to serve beside a process's other metrics.
    pub fn prometheus_text(&self) -> String {
        let samples = self.samples();
        let mut text = String::new();
        for (i, m) in METRICS.iter().enumerate() {
            let _ = writeln!(text, "# HELP {} {}", m.prometheus, m.help);
            let _ = writeln!(text, "# TYPE {} counter", m.prometheus);
            for sample in samples.iter().filter(|s| s.metric == i) {
                let labels: Vec<String> = sample
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                    .collect();
                let _ = writeln!(
                    text,
                    "{}{{{}}} {}",
                    m.prometheus,
                    labels.join(","),
                    sample.value
                );
            }
        }
        text
    }
}

// A label value as the exposition format quotes it.
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
