//! Limits on failed authentication per client address and per address prefix
//! ([`crate::config::AuthFailureLimits`]).
//!
//! Only failures are counted: the guard authenticates first and asks [`FailureLimiter::fail`]
//! only when that failed, so an address that floods random tokens is slowed to the configured
//! rate (429 with `Retry-After`) while a client behind the same address with a valid token is
//! still served. Keys are addresses and prefixes, never token strings, so a new token per
//! request gains nothing, and the limiters' memory is pruned of idle keys as it grows.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::AuthFailureLimits;

/// Checks between two prunings of idle keys.
const PRUNE_EVERY: u64 = 1024;

/// An address prefix: the network address (host bits zero) and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Network {
    /// The first address of the network.
    pub addr: IpAddr,
    /// The prefix length in bits.
    pub len: u8,
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl Network {
    /// The network of `ip` under the given prefix lengths (IPv4-mapped IPv6 addresses count as
    /// IPv4; lengths above the address width are clamped).
    pub fn of(ip: IpAddr, v4_len: u8, v6_len: u8) -> Network {
        match ip.to_canonical() {
            IpAddr::V4(a) => {
                let len = v4_len.min(32);
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                Network {
                    addr: IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask)),
                    len,
                }
            }
            IpAddr::V6(a) => {
                let len = v6_len.min(128);
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                Network {
                    addr: IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask)),
                    len,
                }
            }
        }
    }
}

/// Per-address and per-prefix limiters of failed authentication.
pub struct FailureLimiter {
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_prefix: Option<DefaultKeyedRateLimiter<Network>>,
    v4_len: u8,
    v6_len: u8,
    checks: AtomicU64,
}

fn keyed<K: std::hash::Hash + Eq + Clone>(
    per_minute: u32,
    burst: u32,
) -> Option<DefaultKeyedRateLimiter<K>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::keyed(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

impl FailureLimiter {
    /// The limiters `limits` asks for (a rate of 0 leaves that one out).
    pub fn new(limits: &AuthFailureLimits) -> FailureLimiter {
        FailureLimiter {
            per_address: keyed(limits.per_address_per_minute, limits.per_address_burst),
            per_prefix: keyed(limits.per_prefix_per_minute, limits.per_prefix_burst),
            v4_len: limits.ipv4_prefix_len,
            v6_len: limits.ipv6_prefix_len,
            checks: AtomicU64::new(0),
        }
    }

    /// The network `ip` is counted in.
    pub fn network(&self, ip: IpAddr) -> Network {
        Network::of(ip, self.v4_len, self.v6_len)
    }

    /// Counts one failed authentication from `ip` (`None`: address unknown, counted as the
    /// unspecified address). `Err(wait)` when the address or its prefix is over its limit:
    /// the failure is to be answered 429, and `wait` is when the next one would be allowed.
    pub fn fail(&self, ip: Option<IpAddr>) -> Result<(), Duration> {
        let ip = ip
            .map(|ip| ip.to_canonical())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        let now = DefaultClock::default().now();
        if let Some(l) = &self.per_address {
            l.check_key(&ip).map_err(|n| n.wait_time_from(now))?;
        }
        if let Some(l) = &self.per_prefix {
            l.check_key(&self.network(ip))
                .map_err(|n| n.wait_time_from(now))?;
        }
        Ok(())
    }

    /// Forgets keys whose limit has fully recovered (they behave exactly as absent ones).
    fn prune(&self) {
        if let Some(l) = &self.per_address {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.per_prefix {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Keys currently held (addresses, prefixes), for tests of the pruning.
    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        (
            self.per_address.as_ref().map_or(0, |l| l.len()),
            self.per_prefix.as_ref().map_or(0, |l| l.len()),
        )
    }
}

/// Whole seconds to put in `Retry-After` for `wait` (rounded up, at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    let s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(addr: (u32, u32), prefix: (u32, u32)) -> AuthFailureLimits {
        AuthFailureLimits {
            per_address_per_minute: addr.0,
            per_address_burst: addr.1,
            per_prefix_per_minute: prefix.0,
            per_prefix_burst: prefix.1,
            ..AuthFailureLimits::default()
        }
    }

    #[test]
    fn networks_by_prefix() {
        let n = |s: &str| Network::of(s.parse().unwrap(), 24, 64).to_string();
        assert_eq!(n("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(n("::ffff:203.0.113.77"), "203.0.113.0/24");
        assert_eq!(n("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(
            Network::of("10.1.2.3".parse().unwrap(), 40, 0).to_string(),
            "10.1.2.3/32"
        );
        assert_eq!(
            Network::of("2001:db8::1".parse().unwrap(), 24, 0).to_string(),
            "::/0"
        );
    }

    #[test]
    fn per_address_limit_holds_and_other_addresses_are_independent() {
        let l = FailureLimiter::new(&limits((6, 3), (0, 0)));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.fail(Some(a)).is_ok());
        }
        let wait = l.fail(Some(a)).unwrap_err();
        assert!(
            wait <= Duration::from_secs(10) && wait > Duration::ZERO,
            "{wait:?}"
        );
        assert!(retry_after_secs(wait) <= 10);
        assert!(
            l.fail(Some(b)).is_ok(),
            "another address has its own budget"
        );
        // IPv4-mapped IPv6 is the same address.
        assert!(l.fail(Some("::ffff:192.0.2.1".parse().unwrap())).is_err());
    }

    #[test]
    fn per_prefix_limit_catches_address_rotation() {
        let l = FailureLimiter::new(&limits((60, 5), (1, 20)));
        // One failure each from 100 addresses of one /64: the prefix stops them after its burst
        // of 20 (it recovers one a minute, far slower than the loop).
        let allowed = (0..100u128)
            .filter(|i| {
                let ip = IpAddr::V6(Ipv6Addr::from(
                    0x2001_0db8_0000_0001_0000_0000_0000_0000 + i,
                ));
                l.fail(Some(ip)).is_ok()
            })
            .count();
        assert_eq!(allowed, 20);
        // Another /64 is not affected.
        assert!(l.fail(Some("2001:db8:0:2::1".parse().unwrap())).is_ok());
        // IPv4: the /24 groups, the next /24 does not.
        let l = FailureLimiter::new(&limits((60, 5), (1, 20)));
        let allowed = (1..=100u8)
            .filter(|i| {
                l.fail(Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, *i))))
                    .is_ok()
            })
            .count();
        assert_eq!(allowed, 20);
        assert!(l.fail(Some("198.51.101.1".parse().unwrap())).is_ok());
    }

    #[test]
    fn off_limits_never_refuse_and_idle_keys_are_pruned() {
        let l = FailureLimiter::new(&AuthFailureLimits::off());
        for _ in 0..1000 {
            assert!(l.fail(None).is_ok());
        }
        // A high rate: every key recovers at once, so pruning empties the maps.
        let l = FailureLimiter::new(&limits((u32::MAX, 1), (u32::MAX, 1)));
        for i in 0..(2 * PRUNE_EVERY as u32) {
            let _ = l.fail(Some(IpAddr::V4(Ipv4Addr::from(i * 256))));
        }
        let (a, p) = l.len();
        assert!(
            a < PRUNE_EVERY as usize && p < PRUNE_EVERY as usize,
            "{a} {p}"
        );
    }
}
