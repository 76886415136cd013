//! Rate limits: per API key on the API, and per key and per source address on
//! `/authenticate`. Each caller is held to a steady rate with bursts of at most the limit (GCRA,
//! by `governor`), so no burst of twice the limit passes where two fixed windows meet. Keys come
//! from what the server authenticated or saw on the socket, never from headers a client can
//! forge.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::Quota;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Most distinct callers tracked at once (give or take one sweep's worth); past it every caller
/// is refused until callers idle for a whole window are forgotten, so a flood of made-up identities cannot grow memory without
/// bound (only `/authenticate` sees identities a client chooses; the API's are authenticated).
const MAX_TRACKED: usize = 100_000;

/// Callers idle long enough to be indistinguishable from new ones are forgotten once every this
/// many checks: a walk of the map, paid for in small change by each check.
const FORGET_EVERY: u64 = 1024;

/// Holds each caller to `limit` requests per window, smoothly: a burst of `limit`, then one more
/// every `window / limit`.
pub struct RateLimiter<K: Hash + Eq + Clone, C: Clock = DefaultClock> {
    rule: Rule<K, C>,
    checks: AtomicU64,
    saturated: AtomicBool,
    window: Duration,
}

enum Rule<K: Hash + Eq + Clone, C: Clock> {
    /// A limit of 0: nobody gets through.
    RefuseAll,
    /// A limit too high to count (`u32::MAX`, as the benchmark sets): everybody gets through,
    /// without touching any shared state.
    AllowAll,
    Gcra(governor::RateLimiter<K, HashMapStateStore<K>, C, NoOpMiddleware<C::Instant>>),
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// At most `limit` requests per caller per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self::with_clock(limit, window, DefaultClock::default())
    }
}

impl<K: Hash + Eq + Clone, C: Clock> RateLimiter<K, C> {
    /// At most `limit` requests per caller per `window`, by `clock`.
    pub fn with_clock(limit: u32, window: Duration, clock: C) -> Self {
        let rule = match NonZeroU32::new(limit) {
            None => Rule::RefuseAll,
            Some(_) if limit == u32::MAX => Rule::AllowAll,
            Some(burst) => match Quota::with_period(window / limit) {
                // More than one request per nanosecond is no limit at all.
                None => Rule::AllowAll,
                Some(quota) => Rule::Gcra(governor::RateLimiter::new(
                    quota.allow_burst(burst),
                    HashMapStateStore::default(),
                    clock,
                )),
            },
        };
        RateLimiter {
            rule,
            checks: AtomicU64::new(0),
            saturated: AtomicBool::new(false),
            window,
        }
    }

    /// Counts one request of `caller`; `Err(wait)` when over the limit, `wait` in whole seconds
    /// (rounded up, so a client that waits that long is let in).
    pub fn check(&self, caller: &K) -> Result<(), Duration> {
        let gcra = match &self.rule {
            Rule::AllowAll => return Ok(()),
            Rule::RefuseAll => return Err(self.window),
            Rule::Gcra(gcra) => gcra,
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(FORGET_EVERY)
        {
            gcra.retain_recent();
            self.saturated
                .store(gcra.len() >= MAX_TRACKED, Ordering::Relaxed);
        }
        if self.saturated.load(Ordering::Relaxed) {
            return Err(self.window);
        }
        gcra.check_key(caller).map_err(|not_until| {
            let wait = not_until.wait_time_from(gcra.clock().now());
            Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }
}

/// The address a request came from: the socket's peer, unless the peer is one of the operator's
/// trusted reverse proxies, in which case the right-most `X-Forwarded-For` entry that is not a
/// trusted proxy (entries further left are the client's own claims and are ignored).
pub fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// The bucket a client address is counted in: the address itself for IPv4, its /64 for IPv6
/// (one subscriber usually holds a whole /64).
pub fn address_bucket(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let ip = |s: &str| -> std::net::IpAddr { s.parse().unwrap() };
        let mut h = axum::http::HeaderMap::new();
        h.append(
            "x-forwarded-for",
            "198.51.100.9, 203.0.113.5".parse().unwrap(),
        );
        h.append("x-forwarded-for", "10.0.0.2".parse().unwrap());
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // A direct client's header is ignored.
        assert_eq!(
            super::client_address(ip("192.0.2.1"), &h, &proxies),
            ip("192.0.2.1")
        );
        // Behind the proxies: the right-most address that is not a proxy.
        assert_eq!(
            super::client_address(ip("10.0.0.1"), &h, &proxies),
            ip("203.0.113.5")
        );
        // A trusted proxy that forwards nothing usable is itself the client.
        let empty = axum::http::HeaderMap::new();
        assert_eq!(
            super::client_address(ip("10.0.0.1"), &empty, &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_and_ipv4_per_address() {
        let a: std::net::IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(super::address_bucket(a), super::address_bucket(b));
        assert_ne!(super::address_bucket(a), super::address_bucket(c));
        let mapped: std::net::IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(super::address_bucket(mapped), "192.0.2.7");
    }

    use super::*;
    use governor::clock::FakeRelativeClock;

    fn limiter(limit: u32) -> (RateLimiter<String, FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(limit, Duration::from_secs(60), clock.clone());
        (limiter, clock)
    }

    fn passed(l: &RateLimiter<String, FakeRelativeClock>, caller: &str, tries: u32) -> u32 {
        (0..tries)
            .filter(|_| l.check(&caller.to_owned()).is_ok())
            .count() as u32
    }

    #[test]
    fn callers_are_limited_separately() {
        let (l, _) = limiter(2);
        assert_eq!(passed(&l, "a", 3), 2);
        let wait = l.check(&"a".to_owned()).unwrap_err();
        assert_eq!(
            wait,
            Duration::from_secs(30),
            "one request comes back every 30 s"
        );
        assert_eq!(passed(&l, "b", 1), 1);
    }

    #[test]
    fn a_burst_where_two_minutes_meet_gets_no_more_than_the_limit() {
        let (l, clock) = limiter(10);
        // A fixed window let 10 through just before the minute turned and 10 more just after.
        clock.advance(Duration::from_millis(59_900));
        assert_eq!(passed(&l, "a", 20), 10);
        clock.advance(Duration::from_millis(200));
        assert_eq!(passed(&l, "a", 20), 0);
        // Then one request per six seconds.
        clock.advance(Duration::from_secs(6));
        assert_eq!(passed(&l, "a", 20), 1);
        clock.advance(Duration::from_secs(60));
        assert_eq!(passed(&l, "a", 20), 10, "a quiet minute refills the burst");
    }

    #[test]
    fn a_limit_of_zero_refuses_everyone_and_u32_max_nobody() {
        let (none, _) = limiter(0);
        assert_eq!(none.check(&"a".to_owned()), Err(Duration::from_secs(60)));
        let (all, _) = limiter(u32::MAX);
        assert_eq!(passed(&all, "a", 10_000), 10_000);
    }

    #[test]
    fn callers_idle_for_a_window_are_forgotten() {
        let (l, clock) = limiter(5);
        for i in 0..FORGET_EVERY {
            assert!(l.check(&format!("caller {i}")).is_ok());
        }
        let Rule::Gcra(gcra) = &l.rule else {
            unreachable!("a limit of 5 is counted")
        };
        assert_eq!(gcra.len() as u64, FORGET_EVERY);
        clock.advance(Duration::from_secs(60));
        assert!(l.check(&"late".to_owned()).is_ok());
        assert_eq!(
            gcra.len(),
            1,
            "only the caller seen after the sweep is kept"
        );
    }
}
