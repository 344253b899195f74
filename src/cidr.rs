//! Address ranges in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`) and lenient parsing of
//! the addresses servers report (`203.0.113.7`, `203.0.113.7:51234`, `[2001:db8::1]:443`).
//!
//! IPv4 lives inside IPv6 as IPv4-mapped addresses (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2):
//! every range and address is held as one 128-bit number in that space. So `10.0.0.0/8`
//! and `::ffff:10.0.0.0/104` are the same range, and a dual-stack socket's
//! `::ffff:10.1.2.3` is the IPv4 client `10.1.2.3` — whichever form the server reports.
//! Other embeddings (the deprecated IPv4-compatible `::a.b.c.d`, 6to4, NAT64) are not
//! translated: they are different addresses.
//!
//! Hand-written on `std::net` because the whole job is a mask and a compare; a crate would
//! add parsing rules nobody here reviewed.
//!
//! ```
//! use signwire::cidr::{parse_addr, Cidr};
//! let lan: Cidr = "10.0.0.0/8".parse().unwrap();
//! assert!(lan.contains(parse_addr("10.1.2.3").unwrap()));
//! assert!(lan.contains(parse_addr("::ffff:10.1.2.3").unwrap()));
//! assert!(!lan.contains(parse_addr("11.0.0.1").unwrap()));
//! assert_eq!("::ffff:10.0.0.0/104".parse::<Cidr>().unwrap(), lan);
//! // Host bits set is a typo, not a range.
//! assert!("10.0.0.1/8".parse::<Cidr>().is_err());
//! ```

use crate::error::{Error, Result};
use crate::headers::truncate_for_log;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

/// The IPv4-mapped prefix `::ffff:0:0/96` as a 128-bit number.
const MAPPED: u128 = 0xffff << 32;

/// One address range.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The first address, in the 128-bit space.
    network: u128,
    /// Prefix length in the 128-bit space (an IPv4 `/8` is 104 here).
    prefix: u8,
}

/// An address as a 128-bit number, IPv4 mapped into IPv6.
fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => MAPPED | u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn mask(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix as u32)
    }
}

/// `::ffff:a.b.c.d` becomes `a.b.c.d`; every other address is returned unchanged.
///
/// ```
/// use signwire::cidr::normalize;
/// assert_eq!(normalize("::ffff:192.0.2.1".parse().unwrap()).to_string(), "192.0.2.1");
/// assert_eq!(normalize("2001:db8::1".parse().unwrap()).to_string(), "2001:db8::1");
/// ```
pub fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// An address as servers report it: a bare IPv4 or IPv6 address, an `ip:port` socket
/// address, or a bracketed IPv6 address with or without a port. Surrounding spaces and tabs
/// are ignored (they occur after commas in `X-Forwarded-For`). IPv4-mapped IPv6 is
/// normalised to IPv4. Zone ids (`fe80::1%eth0`) and anything else are refused.
///
/// ```
/// use signwire::cidr::parse_addr;
/// assert_eq!(parse_addr(" [2001:db8::1]:443").unwrap().to_string(), "2001:db8::1");
/// assert_eq!(parse_addr("198.51.100.4:51234").unwrap().to_string(), "198.51.100.4");
/// assert!(parse_addr("unknown").is_err());
/// ```
pub fn parse_addr(text: &str) -> Result<IpAddr> {
    let s = text.trim_matches([' ', '\t']);
    let ip = if let Ok(ip) = IpAddr::from_str(s) {
        ip
    } else if let Ok(sa) = SocketAddr::from_str(s) {
        sa.ip()
    } else if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        IpAddr::V6(Ipv6Addr::from_str(inner).map_err(|_| not_an_address(text))?)
    } else {
        return Err(not_an_address(text));
    };
    Ok(normalize(ip))
}

fn not_an_address(text: &str) -> Error {
    Error::invalid(format!("{:?} is not an IP address", truncate_for_log(text)))
}

impl Cidr {
    /// Parse `address/prefix`, or a bare address (a single host). The address must be the
    /// first of its range: `10.0.0.1/8` is refused, since it is more likely a typo for
    /// `10.0.0.1/32` or `10.0.0.0/8` than either.
    pub fn parse(text: &str) -> Result<Cidr> {
        let bad = |why: String| Error::invalid(format!("CIDR range {:?}: {why}", truncate_for_log(text)));
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let ip = IpAddr::from_str(addr).map_err(|_| bad("not an IPv4 or IPv6 address (expected e.g. 10.0.0.0/8 or 2001:db8::/32)".into()))?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            // Digits only: u8's parser would also take "+8".
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&n| n <= max).ok_or_else(|| bad(format!("prefix length must be 0 to {max}")))?
            }
            Some(_) => return Err(bad(format!("prefix length must be a number from 0 to {max}"))),
        };
        let prefix = if ip.is_ipv4() { prefix + 96 } else { prefix };
        let network = bits(ip);
        if network & !mask(prefix) != 0 {
            let first = Cidr { network: network & mask(prefix), prefix };
            return Err(bad(format!("address has bits set beyond the prefix; the range is {first}")));
        }
        Ok(Cidr { network, prefix })
    }

    /// Whether `ip` is in the range (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        bits(ip) & mask(self.prefix) == self.network
    }

    /// True when the range lies within IPv4 (shown and compared as IPv4).
    fn is_v4(&self) -> bool {
        self.prefix >= 96 && self.network & mask(96) == MAPPED
    }
}

impl FromStr for Cidr {
    type Err = Error;
    fn from_str(s: &str) -> Result<Cidr> {
        Cidr::parse(s)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_v4() {
            write!(f, "{}/{}", Ipv4Addr::from(self.network as u32), self.prefix - 96)
        } else {
            write!(f, "{}/{}", Ipv6Addr::from(self.network), self.prefix)
        }
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cidr({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        parse_addr(s).unwrap()
    }

    #[test]
    fn membership_table() {
        // (range, address, member?) — facts of the address plan, not signwire output.
        let table = [
            ("10.0.0.0/8", "10.0.0.0", true),
            ("10.0.0.0/8", "10.255.255.255", true),
            ("10.0.0.0/8", "11.0.0.0", false),
            ("10.0.0.0/8", "9.255.255.255", false),
            ("10.0.0.0/8", "::ffff:10.9.8.7", true),
            ("10.0.0.0/8", "::ffff:a09:807", true),
            ("10.0.0.0/8", "::10.9.8.7", false), // IPv4-compatible is not mapped
            ("10.0.0.0/8", "64:ff9b::a09:807", false), // NAT64 is not mapped
            ("192.0.2.7", "192.0.2.7", true),
            ("192.0.2.7", "192.0.2.8", false),
            ("192.0.2.7/32", "::ffff:192.0.2.7", true),
            ("0.0.0.0/0", "203.0.113.1", true),
            ("0.0.0.0/0", "2001:db8::1", false),
            ("::/0", "2001:db8::1", true),
            ("::/0", "203.0.113.1", true), // mapped IPv4 lies in the IPv6 space
            ("::ffff:0:0/96", "198.51.100.1", true),
            ("::ffff:192.168.0.0/112", "192.168.44.1", true),
            ("::ffff:192.168.0.0/112", "192.169.0.1", false),
            ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
            ("2001:db8::1/128", "2001:db8::1", true),
            ("2001:db8::1/128", "2001:db8::2", false),
            ("fe80::/10", "febf::1", true),
            ("fe80::/10", "fec0::1", false),
            ("::1/128", "::1", true),
            ("127.0.0.0/8", "::1", false),
            ("172.16.0.0/12", "172.31.255.255", true),
            ("172.16.0.0/12", "172.32.0.0", false),
        ];
        for (range, addr, want) in table {
            let c = Cidr::parse(range).unwrap();
            assert_eq!(c.contains(ip(addr)), want, "{range} contains {addr}");
        }
    }

    #[test]
    fn parse_refuses_typos_and_normalises_mapped_ranges() {
        for bad in [
            "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/08x", "2001:db8::/129",
            "2001:db8::1/32", "010.0.0.0/8", "10.0.0/8", "", "/8", "10.0.0.0 /8", "fe80::1%eth0/128", "host.example/32",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(Cidr::parse("::ffff:10.0.0.0/104").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(Cidr::parse("2001:DB8::/32").unwrap().to_string(), "2001:db8::/32");
        assert_eq!(Cidr::parse("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert_eq!(Cidr::parse("::/0").unwrap().to_string(), "::/0");
        let e = Cidr::parse("10.1.2.3/8").unwrap_err();
        assert!(e.message().contains("10.0.0.0/8"), "{}", e.message());
    }

    #[test]
    fn parse_addr_forms() {
        for (text, want) in [
            ("203.0.113.9", "203.0.113.9"),
            ("203.0.113.9:8080", "203.0.113.9"),
            ("\t203.0.113.9 ", "203.0.113.9"),
            ("2001:db8::9", "2001:db8::9"),
            ("[2001:db8::9]", "2001:db8::9"),
            ("[2001:db8::9]:443", "2001:db8::9"),
            ("::ffff:203.0.113.9", "203.0.113.9"),
            ("[::ffff:203.0.113.9]:1", "203.0.113.9"),
        ] {
            assert_eq!(parse_addr(text).unwrap().to_string(), want, "{text:?}");
        }
        for bad in ["", "unknown", "203.0.113", "2001:db8::9:443:", "[2001:db8::9", "fe80::1%eth0", "_hidden", "1.2.3.4:99999"] {
            assert!(parse_addr(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
