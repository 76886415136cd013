//! Where a webhook may be sent. A target is checked when it is added and again at every
//! delivery, after DNS resolution, and the delivery connects to the very address that was
//! checked (so a name that resolves differently a moment later changes nothing). Private,
//! loopback, link-local, unique-local, CGNAT and other non-public addresses are refused unless
//! the operator allows private targets; development mode allows loopback (and plain http) so a
//! laptop can receive webhooks. Cloud metadata addresses are refused always.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

/// Which targets are acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Development mode: plain http and loopback addresses are accepted.
    pub development: bool,
    /// The operator's explicit choice to deliver to private (non-public) addresses.
    pub allow_private: bool,
}

/// Why a target is refused. The messages name the rule, never the resolved address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not an absolute http(s) URL with a host, or it carries user information.
    #[error("the webhook URL must be an absolute https URL with a host and no user information")]
    Malformed,
    /// Plain http outside development mode.
    #[error("the webhook URL must use https")]
    NotHttps,
    /// The host did not resolve.
    #[error("the webhook URL's host does not resolve")]
    Unresolvable,
    /// The host is (or resolves to) an address of a forbidden kind.
    #[error("the webhook URL's host is a {0} address, which is not allowed as a webhook target")]
    Forbidden(AddressClass),
}

impl TargetError {
    /// A short word for the delivery log.
    pub fn class(&self) -> &'static str {
        match self {
            TargetError::Malformed | TargetError::NotHttps => "refused_target",
            TargetError::Unresolvable => "dns",
            TargetError::Forbidden(_) => "refused_address",
        }
    }
}

/// The kind of an IP address, as far as webhook targets care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Routable on the public internet.
    Public,
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16.
    Private,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// fc00::/7.
    UniqueLocal,
    /// 100.64.0.0/10 (carrier-grade NAT).
    Cgnat,
    /// A cloud provider's instance metadata service (169.254.169.254, fd00:ec2::254, …).
    Metadata,
    /// Unspecified, broadcast, multicast, documentation, benchmarking or reserved ranges.
    Reserved,
}

impl std::fmt::Display for AddressClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::Cgnat => "carrier-grade NAT",
            AddressClass::Metadata => "cloud metadata",
            AddressClass::Reserved => "reserved",
        })
    }
}

/// The kind of `ip`; IPv4 addresses inside IPv6 (mapped, NAT64) are judged as IPv4.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254)
        || ip == Ipv4Addr::new(169, 254, 170, 2)
        || ip == Ipv4Addr::new(100, 100, 100, 200)
    {
        return AddressClass::Metadata;
    }
    match (a, b, c) {
        (127, ..) => AddressClass::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => AddressClass::Private,
        (169, 254, _) => AddressClass::LinkLocal,
        (100, 64..=127, _) => AddressClass::Cgnat,
        (0, ..)
        | (192, 0, 0)
        | (192, 0, 2)
        | (198, 51, 100)
        | (203, 0, 113)
        | (198, 18..=19, _)
        | (224..=255, ..) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return classify_v4(Ipv4Addr::new(a, b, c, d));
    }
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return AddressClass::Metadata;
    }
    match s[0] {
        _ if ip.is_loopback() => AddressClass::Loopback,
        _ if ip.is_unspecified() => AddressClass::Reserved,
        0xfc00..=0xfdff => AddressClass::UniqueLocal,
        0xfe80..=0xfebf => AddressClass::LinkLocal,
        // Site-local (fec0::/10, deprecated, still private) and multicast (ff00::/8).
        0xfec0..=0xffff => AddressClass::Reserved,
        // Documentation (2001:db8::/32), and the IPv4-compatible and other ::/16 forms.
        0x2001 if s[1] == 0x0db8 => AddressClass::Reserved,
        0 => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

impl TargetPolicy {
    /// Whether an address of this kind may be delivered to.
    pub fn allows(self, class: AddressClass) -> bool {
        match class {
            AddressClass::Public => true,
            AddressClass::Metadata => false,
            AddressClass::Loopback => self.development || self.allow_private,
            _ => self.allow_private,
        }
    }

    /// Checks a URL's form (scheme, host, no user information); the address is checked by
    /// [`TargetPolicy::resolve`].
    pub fn check_url(self, raw: &str) -> Result<Url, TargetError> {
        let url = Url::parse(raw).map_err(|_| TargetError::Malformed)?;
        if url.host().is_none()
            || !url.username().is_empty()
            || url.password().is_some()
            || raw.len() > 2048
        {
            return Err(TargetError::Malformed);
        }
        match url.scheme() {
            "https" => Ok(url),
            "http" if self.development => Ok(url),
            "http" => Err(TargetError::NotHttps),
            _ => Err(TargetError::Malformed),
        }
    }

    /// Checks `url` and resolves its host; every address it resolves to must be allowed.
    /// Answers the address to connect to (the first one).
    pub async fn resolve(self, url: &Url) -> Result<SocketAddr, TargetError> {
        let url = self.check_url(url.as_str())?;
        let port = url.port_or_known_default().ok_or(TargetError::Malformed)?;
        let addresses: Vec<SocketAddr> = match url.host() {
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
            Some(Host::Domain(name)) => tokio::net::lookup_host((name, port))
                .await
                .map_err(|_| TargetError::Unresolvable)?
                .collect(),
            None => return Err(TargetError::Malformed),
        };
        // All of them: a name resolving to one public and one private address would otherwise
        // reach the private one whenever the resolver ordered it first.
        for address in &addresses {
            let class = classify(address.ip());
            if !self.allows(class) {
                return Err(TargetError::Forbidden(class));
            }
        }
        addresses.first().copied().ok_or(TargetError::Unresolvable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: TargetPolicy = TargetPolicy {
        development: false,
        allow_private: false,
    };

    #[test]
    fn addresses_are_classified_by_range() {
        let class = |s: &str| classify(s.parse().unwrap());
        for (ip, expected) in [
            ("8.8.8.8", AddressClass::Public),
            ("2606:4700::1111", AddressClass::Public),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.9.9.9", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("169.254.1.1", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("fd12::1", AddressClass::UniqueLocal),
            ("100.64.0.1", AddressClass::Cgnat),
            ("169.254.169.254", AddressClass::Metadata),
            ("fd00:ec2::254", AddressClass::Metadata),
            ("::ffff:169.254.169.254", AddressClass::Metadata),
            ("::ffff:10.0.0.1", AddressClass::Private),
            ("64:ff9b::7f00:1", AddressClass::Loopback),
            ("0.0.0.0", AddressClass::Reserved),
            ("::", AddressClass::Reserved),
            ("255.255.255.255", AddressClass::Reserved),
            ("224.0.0.1", AddressClass::Reserved),
            ("ff02::1", AddressClass::Reserved),
            ("172.32.0.1", AddressClass::Public),
            ("100.128.0.1", AddressClass::Public),
        ] {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn development_allows_loopback_the_operator_allows_private_nobody_allows_metadata() {
        let dev = TargetPolicy {
            development: true,
            allow_private: false,
        };
        let private = TargetPolicy {
            development: false,
            allow_private: true,
        };
        assert!(!PRODUCTION.allows(AddressClass::Loopback));
        assert!(!PRODUCTION.allows(AddressClass::Private));
        assert!(dev.allows(AddressClass::Loopback));
        assert!(!dev.allows(AddressClass::Private));
        assert!(private.allows(AddressClass::Private));
        assert!(private.allows(AddressClass::Cgnat));
        for p in [PRODUCTION, dev, private] {
            assert!(!p.allows(AddressClass::Metadata));
            assert!(p.allows(AddressClass::Public));
        }
    }

    #[tokio::test]
    async fn production_refuses_http_credentials_and_private_hosts_after_resolution() {
        let check = |u: &str| {
            let u = u.to_owned();
            async move {
                match PRODUCTION.check_url(&u) {
                    Ok(url) => PRODUCTION.resolve(&url).await.map(|_| ()),
                    Err(e) => Err(e),
                }
            }
        };
        assert_eq!(check("http://8.8.8.8/h").await, Err(TargetError::NotHttps));
        assert_eq!(
            check("https://u:p@8.8.8.8/h").await,
            Err(TargetError::Malformed)
        );
        assert_eq!(check("ftp://8.8.8.8/").await, Err(TargetError::Malformed));
        assert_eq!(
            check("https://127.0.0.1/h").await,
            Err(TargetError::Forbidden(AddressClass::Loopback))
        );
        assert_eq!(
            check("https://localhost:8443/h").await,
            Err(TargetError::Forbidden(AddressClass::Loopback)),
            "a name is judged by what it resolves to"
        );
        assert_eq!(
            check("https://[::ffff:a9fe:a9fe]/latest").await,
            Err(TargetError::Forbidden(AddressClass::Metadata))
        );
        assert_eq!(check("https://8.8.8.8/h").await, Ok(()));
    }
}
