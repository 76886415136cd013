//! Fixed-window rate limits: per API key on the API, and per key and per source address on
//! `/authenticate`. Keys come from what the server authenticated or saw on the socket, never
//! from headers a client can forge.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most distinct callers tracked per window; past it, unknown callers are refused until the
/// window turns, so a flood of made-up identities cannot grow memory without bound.
const MAX_TRACKED: usize = 100_000;

/// Counts requests per caller in fixed windows.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    state: Mutex<Window>,
}

struct Window {
    started: Instant,
    counts: HashMap<String, u32>,
}

impl RateLimiter {
    /// At most `limit` requests per caller per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            state: Mutex::new(Window {
                started: Instant::now(),
                counts: HashMap::new(),
            }),
        }
    }

    /// Counts one request of `caller`; `Err(wait)` when over the limit.
    pub fn check(&self, caller: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if now.duration_since(w.started) >= self.window {
            w.started = now;
            w.counts.clear();
        }
        let wait = self.window.saturating_sub(now.duration_since(w.started));
        if !w.counts.contains_key(caller) && w.counts.len() >= MAX_TRACKED {
            return Err(wait);
        }
        let count = w.counts.entry(caller.to_owned()).or_insert(0);
        if *count >= self.limit {
            return Err(wait);
        }
        *count += 1;
        Ok(())
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

    #[test]
    fn callers_are_limited_separately_within_a_window() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        assert!(l.check("a").is_ok());
        assert!(l.check("a").is_ok());
        let wait = l.check("a").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(l.check("b").is_ok());
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let l = RateLimiter::new(1, Duration::ZERO);
        assert!(l.check("a").is_ok());
        assert!(l.check("a").is_ok());
    }
}
