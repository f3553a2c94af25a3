//! Denied authentication attempts in the audit log, aggregated per address prefix
//! ([`crate::config::DenialAudit`]).
//!
//! Each window of each prefix records its first `individual` denials one entry each (as every
//! denial was before), then counts the rest; when the window ends (or the server stops) the
//! count becomes one `auth.denied` entry with subject `client/<prefix>` and details
//! [`Summary`]: how many, how many were rate limited, the reasons and statuses with their counts
//! and up to [`MAX_SAMPLES`] client addresses. A flood therefore grows the hash chain by at
//! most `individual + 1` entries per prefix and window, whatever its rate, while no denial goes
//! uncounted. At most [`MAX_PREFIXES`] prefixes are tracked at once; denials from further ones
//! are counted under the catch-all prefix `::/0`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::auth_limit::Network;
use crate::config::DenialAudit;

/// Client addresses and distinct reasons kept per summary.
pub const MAX_SAMPLES: usize = 16;
/// Prefixes tracked at once before further ones share the catch-all.
pub const MAX_PREFIXES: usize = 4096;
/// Reason under which reasons beyond [`MAX_SAMPLES`] distinct ones are counted.
const OTHER: &str = "(other reasons)";

/// What the guard is to do with one denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noted {
    /// Record it as its own audit entry.
    Record,
    /// It was counted into the window's summary.
    Counted,
}

/// The audit details of one aggregated entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Always true: marks the entry as a count of denials, not one denial.
    pub aggregated: bool,
    /// The address prefix the denials came from.
    pub network: String,
    /// Denials counted (beyond those recorded one by one).
    pub count: u64,
    /// Of these, how many were answered 429 (over the failed-authentication limit).
    pub rate_limited: u64,
    /// Counts by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Counts by reason (at most [`MAX_SAMPLES`] distinct, the rest together).
    pub reasons: BTreeMap<String, u64>,
    /// Up to [`MAX_SAMPLES`] of the client addresses, in address order.
    pub clients: Vec<String>,
    /// First and last counted denial, ms since the Unix epoch.
    pub first_ms: i64,
    /// See `first_ms`.
    pub last_ms: i64,
    /// The most frequent status (for readers that look at `status` alone).
    pub status: u16,
    /// A sentence for people.
    pub reason: String,
}

/// One prefix's current window.
struct Bucket {
    opened: Instant,
    seen: u64,
    counted: Option<Counted>,
}

/// What has been counted in a window, not yet written.
struct Counted {
    count: u64,
    rate_limited: u64,
    statuses: BTreeMap<u16, u64>,
    reasons: BTreeMap<String, u64>,
    clients: BTreeSet<IpAddr>,
    first_ms: i64,
    last_ms: i64,
}

impl Counted {
    fn new(now_ms: i64) -> Counted {
        Counted {
            count: 0,
            rate_limited: 0,
            statuses: BTreeMap::new(),
            reasons: BTreeMap::new(),
            clients: BTreeSet::new(),
            first_ms: now_ms,
            last_ms: now_ms,
        }
    }

    fn add(&mut self, ip: Option<IpAddr>, status: u16, reason: &str, now_ms: i64) {
        self.count += 1;
        if status == 429 {
            self.rate_limited += 1;
        }
        *self.statuses.entry(status).or_default() += 1;
        let reason = if self.reasons.contains_key(reason) || self.reasons.len() < MAX_SAMPLES {
            reason
        } else {
            OTHER
        };
        *self.reasons.entry(reason.to_string()).or_default() += 1;
        if let Some(ip) = ip {
            if self.clients.len() < MAX_SAMPLES {
                self.clients.insert(ip);
            }
        }
        self.last_ms = now_ms;
    }

    fn summary(self, network: Network, window: Duration) -> Summary {
        let status = self
            .statuses
            .iter()
            .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
            .map_or(401, |(s, _)| *s);
        Summary {
            aggregated: true,
            network: network.to_string(),
            reason: format!(
                "{} further denied attempts from {network} within {} s, counted instead of \
                 recorded one by one",
                self.count,
                window.as_secs_f64()
            ),
            count: self.count,
            rate_limited: self.rate_limited,
            statuses: self.statuses,
            reasons: self.reasons,
            clients: self.clients.iter().map(|c| c.to_string()).collect(),
            first_ms: self.first_ms,
            last_ms: self.last_ms,
            status,
        }
    }
}

/// The aggregator: shared by all requests, written out by a flusher task.
pub struct DenialLog {
    config: DenialAudit,
    inner: Mutex<Inner>,
}

struct Inner {
    buckets: HashMap<Network, Bucket>,
    /// Summaries of windows that ended, not yet written.
    due: Vec<(Network, Summary)>,
    /// Whether a flusher task is running (it stops when nothing is left to watch).
    flusher: bool,
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The catch-all prefix for denials beyond [`MAX_PREFIXES`] tracked prefixes.
fn catch_all() -> Network {
    Network {
        addr: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        len: 0,
    }
}

impl DenialLog {
    /// An empty log with these settings.
    pub fn new(config: DenialAudit) -> DenialLog {
        DenialLog {
            config,
            inner: Mutex::new(Inner {
                buckets: HashMap::new(),
                due: Vec::new(),
                flusher: false,
            }),
        }
    }

    /// How often a flusher looks for ended windows.
    pub fn tick(&self) -> Duration {
        (self.config.window / 4).clamp(Duration::from_millis(50), Duration::from_secs(5))
    }

    /// Notes one denial from `ip` in `network` at `now` (`now_ms` since the Unix epoch).
    /// Returns what to do with it, and whether the caller must start a flusher
    /// ([`DenialLog::take_due`] in a loop) because none is running.
    pub fn note(
        &self,
        network: Network,
        ip: Option<IpAddr>,
        status: u16,
        reason: &str,
        now: Instant,
        now_ms: i64,
    ) -> (Noted, bool) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = if inner.buckets.contains_key(&network) || inner.buckets.len() < MAX_PREFIXES {
            network
        } else {
            catch_all()
        };
        let window = self.config.window;
        let inner = &mut *inner;
        let bucket = inner.buckets.entry(key).or_insert_with(|| Bucket {
            opened: now,
            seen: 0,
            counted: None,
        });
        if now.duration_since(bucket.opened) >= window {
            if let Some(c) = bucket.counted.take() {
                inner.due.push((key, c.summary(key, window)));
            }
            bucket.opened = now;
            bucket.seen = 0;
        }
        bucket.seen += 1;
        let noted = if bucket.seen <= u64::from(self.config.individual) {
            Noted::Record
        } else {
            bucket
                .counted
                .get_or_insert_with(|| Counted::new(now_ms))
                .add(ip, status, reason, now_ms);
            Noted::Counted
        };
        let start = !inner.flusher;
        inner.flusher = true;
        (noted, start)
    }

    /// Takes the summaries due at `now` (windows that ended; all of them with `all`), forgets
    /// ended windows, and says whether a flusher should keep running (`false` once nothing is
    /// tracked; the flag is cleared under the same lock, so a later [`DenialLog::note`] starts
    /// a new one).
    pub fn take_due(&self, now: Instant, all: bool) -> (Vec<(Network, Summary)>, bool) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.config.window;
        let inner = &mut *inner;
        let mut due = std::mem::take(&mut inner.due);
        inner.buckets.retain(|key, b| {
            let ended = all || now.duration_since(b.opened) >= window;
            if ended {
                if let Some(c) = b.counted.take() {
                    due.push((*key, c.summary(*key, window)));
                }
            }
            !ended
        });
        let keep = !inner.buckets.is_empty();
        inner.flusher = keep;
        (due, keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Network {
        Network::of(s.parse().unwrap(), 24, 64)
    }

    #[test]
    fn first_denials_recorded_then_counted_then_summarised() {
        let log = DenialLog::new(DenialAudit {
            window: Duration::from_secs(60),
            individual: 3,
        });
        let t0 = Instant::now();
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let mut outcomes = Vec::new();
        for i in 0..10u64 {
            let status = if i < 6 { 401 } else { 429 };
            let (n, start) = log.note(net("192.0.2.9"), Some(ip), status, "unknown token", t0, 5);
            assert_eq!(start, i == 0, "one flusher");
            outcomes.push(n);
        }
        assert_eq!(outcomes.iter().filter(|n| **n == Noted::Record).count(), 3);
        // Nothing due inside the window.
        let (due, keep) = log.take_due(t0 + Duration::from_secs(59), false);
        assert!(due.is_empty() && keep);
        let (due, keep) = log.take_due(t0 + Duration::from_secs(60), false);
        assert!(!keep);
        assert_eq!(due.len(), 1);
        let s = &due[0].1;
        assert_eq!(s.network, "192.0.2.0/24");
        assert_eq!((s.count, s.rate_limited), (7, 4));
        assert_eq!(s.statuses, BTreeMap::from([(401, 3), (429, 4)]));
        assert_eq!(s.reasons["unknown token"], 7);
        assert_eq!(s.clients, vec!["192.0.2.9".to_string()]);
        assert_eq!(s.status, 429);
        // After the flusher stopped, the next denial starts a new window and a new flusher.
        let (n, start) = log.note(net("192.0.2.9"), Some(ip), 401, "x", t0, 5);
        assert_eq!((n, start), (Noted::Record, true));
    }

    #[test]
    fn windows_roll_over_and_prefixes_are_separate() {
        let log = DenialLog::new(DenialAudit {
            window: Duration::from_secs(10),
            individual: 1,
        });
        let t0 = Instant::now();
        for s in 0..30u64 {
            for i in 0..5 {
                let at = t0 + Duration::from_secs(s);
                let ip: IpAddr = format!("198.51.100.{i}").parse().unwrap();
                log.note(net("198.51.100.1"), Some(ip), 401, "unknown token", at, 0);
                log.note(net("203.0.113.1"), None, 401, "missing bearer token", at, 0);
            }
        }
        // Three windows of each prefix: 2 ended while noting, 1 at the end.
        let (due, keep) = log.take_due(t0 + Duration::from_secs(100), false);
        assert!(!keep);
        assert_eq!(due.len(), 6);
        // Each window: 50 denials, 1 recorded, 49 counted.
        assert!(due.iter().all(|(_, s)| s.count == 49), "{due:?}");
        let clients: usize = due.iter().map(|(_, s)| s.clients.len()).sum();
        assert_eq!(clients, 15);
    }

    #[test]
    fn distinct_reasons_and_prefixes_are_capped() {
        let log = DenialLog::new(DenialAudit {
            window: Duration::from_secs(60),
            individual: 0,
        });
        let t0 = Instant::now();
        for i in 0..100 {
            log.note(net("192.0.2.1"), None, 401, &format!("reason {i}"), t0, 0);
        }
        for i in 0..(MAX_PREFIXES as u128 + 10) {
            let ip = IpAddr::V6(Ipv6Addr::from((0x2001_0db8u128 << 96) + (i << 64)));
            log.note(
                Network::of(ip, 24, 64),
                Some(ip),
                401,
                "unknown token",
                t0,
                0,
            );
        }
        let (due, _) = log.take_due(t0, true);
        assert_eq!(due.len(), MAX_PREFIXES + 1, "catch-all");
        let first = due
            .iter()
            .find(|(n, _)| n.to_string() == "192.0.2.0/24")
            .unwrap();
        assert_eq!(first.1.reasons.len(), MAX_SAMPLES + 1);
        assert_eq!(first.1.reasons[OTHER], 100 - MAX_SAMPLES as u64);
        let all = due.iter().find(|(n, _)| *n == catch_all()).unwrap();
        assert_eq!(all.1.count, 11);
    }

    #[test]
    fn every_one_never_counts() {
        let log = DenialLog::new(DenialAudit::every_one());
        let t0 = Instant::now();
        for _ in 0..1000 {
            let (n, _) = log.note(net("192.0.2.1"), None, 401, "r", t0, 0);
            assert_eq!(n, Noted::Record);
        }
        assert!(log.take_due(t0, true).0.is_empty());
    }
}
