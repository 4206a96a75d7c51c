//! Fault injection for retry tests: a request carrying
//! `x-sandbox-fail: <status>[;times=N][;retry-after=S][;id=K]` is answered with
//! `<status>` the first N times (default 1) that exact header value is seen;
//! later requests with it are served normally, so a client that retries gets
//! through. 429 and 503 answers carry `Retry-After: S` (default 1 for 429).
//! Use a distinct `id=K` per test so that counters do not collide.

use std::collections::HashMap;

use axum::http::StatusCode;

/// The request header that asks for an injected failure.
pub const FAIL_HEADER: &str = "x-sandbox-fail";

/// Counters beyond this many distinct header values are reset, to bound memory.
const MAX_TRACKED: usize = 10_000;

/// A parsed `x-sandbox-fail` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultSpec {
    pub(crate) status: StatusCode,
    pub(crate) times: u32,
    pub(crate) retry_after: Option<u64>,
}

impl FaultSpec {
    /// Parses a header value, or says what is wrong with it.
    pub(crate) fn parse(value: &str) -> Result<FaultSpec, String> {
        let mut parts = value.split(';').map(str::trim);
        let status_text = parts.next().unwrap_or_default();
        let status = status_text
            .parse::<u16>()
            .ok()
            .filter(|s| (400..=599).contains(s))
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| {
                format!("{FAIL_HEADER}: the status must be a number from 400 to 599, got {status_text:?}")
            })?;
        let mut spec = FaultSpec {
            status,
            times: 1,
            retry_after: (status == StatusCode::TOO_MANY_REQUESTS).then_some(1),
        };
        for part in parts.filter(|p| !p.is_empty()) {
            let (key, val) = part
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| format!("{FAIL_HEADER}: expected key=value, got {part:?}"))?;
            match key {
                "times" => {
                    spec.times = val
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or_else(|| {
                            format!("{FAIL_HEADER}: times must be 1..=1000, got {val:?}")
                        })?;
                }
                "retry-after" => {
                    spec.retry_after = Some(
                        val.parse::<u64>()
                            .ok()
                            .filter(|n| *n <= 86_400)
                            .ok_or_else(|| {
                                format!("{FAIL_HEADER}: retry-after must be 0..=86400 seconds, got {val:?}")
                            })?,
                    );
                }
                "id" => {}
                other => {
                    return Err(format!(
                        "{FAIL_HEADER}: unknown parameter {other:?} (expected times, retry-after or id)"
                    ));
                }
            }
        }
        Ok(spec)
    }
}

/// How many times each header value has been seen.
#[derive(Debug, Default)]
pub(crate) struct FaultCounters {
    seen: HashMap<String, u32>,
}

impl FaultCounters {
    /// Counts one more request with `value`; whether it must fail.
    pub(crate) fn should_fail(&mut self, value: &str, spec: &FaultSpec) -> bool {
        if self.seen.len() >= MAX_TRACKED && !self.seen.contains_key(value) {
            self.seen.clear();
        }
        let count = self.seen.entry(value.to_string()).or_insert(0);
        *count = count.saturating_add(1);
        *count <= spec.times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_times_and_retry_after() {
        let spec = FaultSpec::parse("429; times=2; retry-after=3; id=t1").unwrap();
        assert_eq!(spec.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!((spec.times, spec.retry_after), (2, Some(3)));
        let spec = FaultSpec::parse("503").unwrap();
        assert_eq!((spec.times, spec.retry_after), (1, None));
        assert_eq!(FaultSpec::parse("429").unwrap().retry_after, Some(1));
    }

    #[test]
    fn rejects_bad_values_by_name() {
        assert!(FaultSpec::parse("200").unwrap_err().contains("400 to 599"));
        assert!(
            FaultSpec::parse("503;times=0")
                .unwrap_err()
                .contains("times")
        );
        assert!(
            FaultSpec::parse("503;bogus=1")
                .unwrap_err()
                .contains("bogus")
        );
        assert!(
            FaultSpec::parse("503;times")
                .unwrap_err()
                .contains("key=value")
        );
    }

    #[test]
    fn fails_the_first_n_then_serves() {
        let mut counters = FaultCounters::default();
        let spec = FaultSpec::parse("503;times=2").unwrap();
        let results: Vec<bool> = (0..4)
            .map(|_| counters.should_fail("503;times=2", &spec))
            .collect();
        assert_eq!(results, [true, true, false, false]);
    }
}
