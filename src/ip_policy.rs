//! Which client a request comes from, and whether that client may call at all.
//!
//! The caller passes the peer address of the connection (`REMOTE_ADDR`). When the server
//! sits behind proxies it trusts (load balancers, nginx), the peer is the proxy, and the
//! client is found in `X-Forwarded-For`. That header is written by whoever sent the request,
//! so only the entries appended by trusted proxies mean anything: walking from the right,
//! each trusted hop vouches for the address to its left, and the first address that is
//! *not* a trusted proxy is the client. Everything left of it was written by the client and
//! is ignored. With no trusted proxies configured (the default) the header is never read.
//!
//! The allowlist is then checked against that client address. Every failure — no address,
//! an unparseable address, a client outside the allowlist — is `IP_NOT_ALLOWED`: fail closed.
//!
//! ```
//! use signwire::headers::Headers;
//! use signwire::ip_policy::IpPolicy;
//! let mut policy = IpPolicy::default();
//! policy.allow("203.0.113.0/24").unwrap();
//! policy.trust_proxy("10.0.0.0/8").unwrap();
//! let mut h = Headers::new();
//! h.push("X-Forwarded-For", "198.51.100.66, 203.0.113.5, 10.0.0.7").unwrap();
//! // Peer 10.0.0.2 is a trusted proxy, so is 10.0.0.7; the client is 203.0.113.5.
//! assert_eq!(policy.client_ip(Some("10.0.0.2"), Some(&h)).unwrap().to_string(), "203.0.113.5");
//! assert!(policy.check(Some("10.0.0.2"), Some(&h)).is_ok());
//! // Without the proxy, the same header is the client's own word and is ignored.
//! assert!(policy.check(Some("198.51.100.66"), Some(&h)).is_err());
//! ```

use crate::cidr::{parse_addr, Cidr};
use crate::error::{Error, Result, Status};
use crate::headers::{truncate_for_log, Headers};
use std::net::IpAddr;

/// The header read when trusted proxies are configured.
pub const FORWARDED_FOR: &str = "X-Forwarded-For";

/// Most CIDR ranges in one list; a longer allowlist is a configuration mistake.
pub const MAX_RANGES: usize = 4096;

/// An IP allowlist and the proxies trusted to report the client address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpPolicy {
    allowed: Vec<Cidr>,
    trusted_proxies: Vec<Cidr>,
}

fn not_allowed(message: String) -> Error {
    Error::new(Status::IpNotAllowed, message)
}

fn push_range(list: &mut Vec<Cidr>, cidr: &str) -> Result<()> {
    let c = Cidr::parse(cidr)?;
    if list.len() >= MAX_RANGES {
        return Err(Error::new(Status::InputTooLarge, format!("more than {MAX_RANGES} CIDR ranges")));
    }
    if !list.contains(&c) {
        list.push(c);
    }
    Ok(())
}

impl IpPolicy {
    /// Allow clients from a CIDR range (`10.0.0.0/8`, `2001:db8::/32`, or one address).
    /// Once any range is allowed, every request needs a client address inside one.
    pub fn allow(&mut self, cidr: &str) -> Result<()> {
        push_range(&mut self.allowed, cidr)
    }

    /// Trust proxies in a CIDR range to append the true client to `X-Forwarded-For`.
    pub fn trust_proxy(&mut self, cidr: &str) -> Result<()> {
        push_range(&mut self.trusted_proxies, cidr)
    }

    /// The allowed ranges.
    pub fn allowed(&self) -> &[Cidr] {
        &self.allowed
    }

    /// The trusted proxy ranges.
    pub fn trusted_proxies(&self) -> &[Cidr] {
        &self.trusted_proxies
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|c| c.contains(ip))
    }

    /// The client address: the peer, or — when the peer is a trusted proxy — the rightmost
    /// `X-Forwarded-For` entry that is not a trusted proxy (the leftmost entry when every
    /// hop is trusted). Several `X-Forwarded-For` lines are read as one list, in order.
    pub fn client_ip(&self, remote_addr: Option<&str>, headers: Option<&Headers>) -> Result<IpAddr> {
        let remote = remote_addr.ok_or_else(|| not_allowed("no remote address was passed to verify, and an IP allowlist is set".into()))?;
        let peer = parse_addr(remote).map_err(|_| not_allowed(format!("remote address {:?} is not an IP address", truncate_for_log(remote))))?;
        if !self.is_trusted(peer) {
            return Ok(peer);
        }
        let Some(headers) = headers else { return Ok(peer) };
        let hops = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(FORWARDED_FOR))
            .flat_map(|(_, v)| v.split(','))
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            // `client` is a trusted proxy here, so this entry is what it saw.
            client = parse_addr(hop).map_err(|_| {
                not_allowed(format!("{FORWARDED_FOR} entry {:?}, written by trusted proxy {client}, is not an IP address", truncate_for_log(hop)))
            })?;
            if !self.is_trusted(client) {
                break;
            }
        }
        Ok(client)
    }

    /// `Ok` when no allowlist is set or the client address is inside it; else `IP_NOT_ALLOWED`.
    pub fn check(&self, remote_addr: Option<&str>, headers: Option<&Headers>) -> Result<()> {
        if self.allowed.is_empty() {
            return Ok(());
        }
        let client = self.client_ip(remote_addr, headers)?;
        if self.allowed.iter().any(|c| c.contains(client)) {
            return Ok(());
        }
        let via = match remote_addr.and_then(|r| parse_addr(r).ok()) {
            Some(peer) if peer != client => format!(" (reported by trusted proxy {peer})"),
            _ => String::new(),
        };
        Err(not_allowed(format!("client address {client}{via} is not in the IP allowlist")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str], proxies: &[&str]) -> IpPolicy {
        let mut p = IpPolicy::default();
        allow.iter().for_each(|c| p.allow(c).unwrap());
        proxies.iter().for_each(|c| p.trust_proxy(c).unwrap());
        p
    }

    fn xff(lines: &[&str]) -> Headers {
        let mut h = Headers::new();
        for l in lines {
            h.push("X-Forwarded-For", l).unwrap();
        }
        h
    }

    /// (allowlist, trusted proxies, peer, X-Forwarded-For lines, expected client or None for
    /// IP_NOT_ALLOWED, allowed?). The expected client follows the rule in the module doc,
    /// worked out by hand for each row.
    #[test]
    fn allowlist_and_forwarded_for_table() {
        type Row<'a> = (&'a [&'a str], &'a [&'a str], Option<&'a str>, &'a [&'a str], Option<&'a str>, bool);
        let lan: &[&str] = &["10.0.0.0/8", "fd00::/8"];
        let table: &[Row] = &[
            // No proxies trusted: the header is never read.
            (&["203.0.113.0/24"], &[], Some("203.0.113.5"), &[], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], &[], Some("198.51.100.1"), &["203.0.113.5"], Some("198.51.100.1"), false),
            (&["203.0.113.0/24"], &[], Some("::ffff:203.0.113.5"), &[], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], &[], Some("[::ffff:203.0.113.5]:9000"), &[], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], &[], Some("203.0.113.5:51000"), &[], Some("203.0.113.5"), true),
            (&["2001:db8:1::/48"], &[], Some("2001:db8:1::42"), &[], Some("2001:db8:1::42"), true),
            (&["2001:db8:1::/48"], &[], Some("2001:db8:2::42"), &[], Some("2001:db8:2::42"), false),
            (&["2001:db8:1::/48"], &[], Some("203.0.113.5"), &[], Some("203.0.113.5"), false),
            (&["::ffff:203.0.113.0/120"], &[], Some("203.0.113.77"), &[], Some("203.0.113.77"), true),
            // Missing or garbage peer address: fail closed.
            (&["203.0.113.0/24"], &[], None, &[], None, false),
            (&["203.0.113.0/24"], &[], Some("localhost"), &[], None, false),
            (&["203.0.113.0/24"], &[], Some(""), &[], None, false),
            // Trusted proxy: rightmost untrusted entry wins.
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["203.0.113.5"], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["198.51.100.9"], Some("198.51.100.9"), false),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["203.0.113.5, 198.51.100.9"], Some("198.51.100.9"), false),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["198.51.100.9, 203.0.113.5"], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["198.51.100.9, 203.0.113.5, 10.1.1.1"], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["198.51.100.9", "203.0.113.5", "10.1.1.1"], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], lan, Some("::ffff:10.0.0.2"), &["203.0.113.5"], Some("203.0.113.5"), true),
            (&["203.0.113.0/24"], lan, Some("fd00::2"), &["::ffff:203.0.113.5"], Some("203.0.113.5"), true),
            (&["2001:db8::/32"], lan, Some("fd00::2"), &["[2001:db8::7]:4711, fd00::3"], Some("2001:db8::7"), true),
            (&["2001:db8::/32"], lan, Some("10.0.0.2"), &["2001:db8::7"], Some("2001:db8::7"), true),
            // Spoofing: garbage left of the client is the client's own and never read...
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["not-an-ip, 203.0.113.5"], Some("203.0.113.5"), true),
            // ...but garbage where a trusted proxy should have written the client fails closed.
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["203.0.113.5, unknown"], None, false),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["203.0.113.5,"], None, false),
            // A client that is itself in the proxy range gets no further than its own claim.
            (&["10.0.0.0/8"], lan, Some("10.0.0.2"), &["10.9.9.9"], Some("10.9.9.9"), true),
            // All hops trusted: the leftmost entry.
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &["10.0.0.9, 10.0.0.8"], Some("10.0.0.9"), false),
            // A trusted proxy that sent no header is itself the client.
            (&["10.0.0.0/8"], lan, Some("10.0.0.2"), &[], Some("10.0.0.2"), true),
            (&["203.0.113.0/24"], lan, Some("10.0.0.2"), &[], Some("10.0.0.2"), false),
            // The peer is not a trusted proxy: its header is ignored even if it names a good client.
            (&["203.0.113.0/24"], lan, Some("198.51.100.1"), &["203.0.113.5"], Some("198.51.100.1"), false),
        ];
        for (i, &(allow, proxies, peer, lines, want_client, want_ok)) in table.iter().enumerate() {
            let p = policy(allow, proxies);
            let h = xff(lines);
            let client = p.client_ip(peer, Some(&h));
            match want_client {
                Some(c) => assert_eq!(client.as_ref().map(|ip| ip.to_string()).ok(), Some(c.to_string()), "row {i}"),
                None => assert_eq!(client.unwrap_err().status(), Status::IpNotAllowed, "row {i}"),
            }
            let r = p.check(peer, Some(&h));
            assert_eq!(r.is_ok(), want_ok, "row {i}: {r:?}");
            if let Err(e) = r {
                assert_eq!(e.status(), Status::IpNotAllowed, "row {i}");
            }
        }
    }

    #[test]
    fn no_allowlist_means_no_check_even_without_an_address() {
        let p = policy(&[], &["10.0.0.0/8"]);
        assert!(p.check(None, None).is_ok());
        assert!(p.check(Some("garbage"), None).is_ok());
    }

    #[test]
    fn bad_ranges_are_refused_and_duplicates_kept_once() {
        let mut p = IpPolicy::default();
        assert_eq!(p.allow("10.0.0.0/33").unwrap_err().status(), Status::InvalidArgument);
        assert_eq!(p.trust_proxy("nope").unwrap_err().status(), Status::InvalidArgument);
        p.allow("10.0.0.0/8").unwrap();
        p.allow("::ffff:10.0.0.0/104").unwrap();
        assert_eq!(p.allowed().len(), 1);
    }
}
