//! The public address space: what a source on the internet can be.
//!
//! IPv4: every address except the special-purpose blocks of IANA's registry (RFC 6890 and its updates) that no host
//! on the internet sends from. IPv6: the global unicast space 2000::/3, which holds every address routed on the
//! internet today, minus its documentation prefixes; unique-local (fc00::/7), link-local (fe80::/10), loopback and
//! multicast all lie outside it.

use super::{AddressSet, Cidr, Family};
use std::sync::OnceLock;

/// IPv4 blocks that are not public sources, with why.
pub const NON_PUBLIC_IPV4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "this network (RFC 791)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"),
    ("203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved, and the limited broadcast address (RFC 1112, RFC 919)"),
];

/// IPv6 blocks inside 2000::/3 that are not public sources, with why.
pub const NON_PUBLIC_IPV6: &[(&str, &str)] =
    &[("2001:db8::/32", "documentation (RFC 3849)"), ("3fff::/20", "documentation (RFC 9637)")];

/// Every public address of the family (computed once).
pub fn public_space(family: Family) -> &'static AddressSet {
    static V4: OnceLock<AddressSet> = OnceLock::new();
    static V6: OnceLock<AddressSet> = OnceLock::new();
    match family {
        Family::V4 => V4.get_or_init(|| AddressSet::all(Family::V4).difference(&blocks(NON_PUBLIC_IPV4))),
        Family::V6 => V6.get_or_init(|| {
            let global_unicast = Cidr::parse("2000::/3").map(Cidr::to_set).unwrap_or_default();
            global_unicast.difference(&blocks(NON_PUBLIC_IPV6))
        }),
    }
}

fn blocks(list: &[(&str, &str)]) -> AddressSet {
    AddressSet::from_intervals(list.iter().filter_map(|(cidr, _)| Cidr::parse(cidr).ok()).map(|c| (c.first, c.last)))
}
