//! Reachability: what each protocol and port of an instance admits from the internet.
//!
//! Every source of every ingress rule of every security group on the instance (CIDRs, and prefix lists resolved to
//! what they hold) becomes an address set; what a port admits is the union over the rules that open it. Whether a
//! port is open to the world is then a question about the public part of that union, however the rules spell it.

use super::facts::{PrefixListEntries, PrefixListFacts, SecurityGroupFacts};
use crate::net::{public_space, share, AddressSet, Cidr, Family};
use std::collections::BTreeSet;

/// A protocol as security group rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP (6): rules open port ranges.
    Tcp,
    /// UDP (17): rules open port ranges.
    Udp,
    /// ICMP (1): rules open types and codes, not ports.
    Icmp,
    /// ICMPv6 (58).
    Icmpv6,
    /// Any other IP protocol: a rule opens all of it, whatever ports it names.
    Number(u8),
    /// `-1`: every protocol, every port.
    All,
}

impl Protocol {
    /// AWS's spellings: `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Protocol::All),
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            "icmp" | "1" => Some(Protocol::Icmp),
            "icmpv6" | "58" => Some(Protocol::Icmpv6),
            other => other.parse::<u8>().ok().map(Protocol::Number),
        }
    }

    /// Upper-case name for reasons: `TCP`, `UDP`, `protocol 47`.
    pub fn label(self) -> String {
        match self {
            Protocol::Tcp => "TCP".into(),
            Protocol::Udp => "UDP".into(),
            Protocol::Icmp => "ICMP".into(),
            Protocol::Icmpv6 => "ICMPv6".into(),
            Protocol::Number(n) => format!("protocol {n}"),
            Protocol::All => "all traffic".into(),
        }
    }

    /// True for the protocols whose rules open ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

/// One source of one rule: where addresses come from, and which rule let them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The security group (`sg-...`).
    pub group: String,
    /// The rule's position in the group's ingress permissions, from 1.
    pub rule: usize,
    /// How the rule names the source: a CIDR, or a prefix list id with a note when it could not be read.
    pub spelled: String,
    /// The public IPv4 addresses it admits.
    pub public_v4: AddressSet,
    /// The public IPv6 addresses it admits.
    pub public_v6: AddressSet,
}

impl Source {
    /// The public addresses of one family it admits.
    pub fn public(&self, family: Family) -> &AddressSet {
        match family {
            Family::V4 => &self.public_v4,
            Family::V6 => &self.public_v6,
        }
    }
}

/// What one rule opens: a protocol, a port range (all of it for protocols without ports), from some sources.
#[derive(Debug, Clone)]
struct Span {
    protocol: Protocol,
    first: u16,
    last: u16,
    sources: Vec<usize>,
}

/// A protocol's ports (a range of them, or the whole protocol) and every public address they admit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// TCP, UDP, or a protocol without ports.
    pub protocol: Protocol,
    /// First port of the range (0 for protocols without ports).
    pub first: u16,
    /// Last port of the range (65535 for protocols without ports).
    pub last: u16,
    /// The sources that admit public addresses here (indices into [`Reachability::source`]), ascending.
    pub sources: Vec<usize>,
    /// Every public IPv4 address admitted.
    pub public_v4: AddressSet,
    /// Every public IPv6 address admitted.
    pub public_v6: AddressSet,
}

impl Exposure {
    /// The public addresses of one family admitted.
    pub fn public(&self, family: Family) -> &AddressSet {
        match family {
            Family::V4 => &self.public_v4,
            Family::V6 => &self.public_v6,
        }
    }
}

/// The instance's ingress, as address sets per protocol and port.
#[derive(Debug, Clone, Default)]
pub struct Reachability {
    sources: Vec<Source>,
    spans: Vec<Span>,
}

const ALL_PORTS: (u16, u16) = (0, u16::MAX);

impl Reachability {
    /// Reads every ingress rule of these groups; prefix lists are looked up in `prefix_lists`. Fail-closed: a prefix
    /// list that is missing or could not be read, a CIDR that does not parse and a protocol that is not known each
    /// count as the widest thing they could be.
    pub fn new(groups: &[SecurityGroupFacts], prefix_lists: &[PrefixListFacts]) -> Self {
        let mut reach = Self::default();
        for group in groups {
            for (i, rule) in group.ingress.iter().enumerate() {
                let first_source = reach.sources.len();
                let mut add = |spelled: String, set: AddressSet, family: Family| {
                    let public = set.intersection(public_space(family));
                    let (public_v4, public_v6) = match family {
                        Family::V4 => (public, AddressSet::empty()),
                        Family::V6 => (AddressSet::empty(), public),
                    };
                    reach.sources.push(Source { group: group.id.clone(), rule: i + 1, spelled, public_v4, public_v6 });
                };
                for (text, family) in rule
                    .ipv4_ranges
                    .iter()
                    .map(|c| (c, Family::V4))
                    .chain(rule.ipv6_ranges.iter().map(|c| (c, Family::V6)))
                {
                    match Cidr::parse(text) {
                        Ok(cidr) => add(text.clone(), cidr.to_set(), cidr.family),
                        Err(_) => add(
                            format!("{text}: not a CIDR, counted as all of {}", family.name()),
                            AddressSet::all(family),
                            family,
                        ),
                    }
                }
                for id in &rule.prefix_list_ids {
                    match prefix_lists.iter().find(|p| &p.id == id).map(|p| &p.entries) {
                        Some(PrefixListEntries::Resolved(entries)) => {
                            for entry in entries {
                                match Cidr::parse(entry) {
                                    Ok(cidr) => add(format!("{id}: {entry}"), cidr.to_set(), cidr.family),
                                    Err(_) => {
                                        for family in [Family::V4, Family::V6] {
                                            let note = format!("{id}: {entry} is not a CIDR, counted as the internet");
                                            add(note, AddressSet::all(family), family);
                                        }
                                    }
                                }
                            }
                        }
                        unresolved => {
                            let why = match unresolved {
                                Some(PrefixListEntries::Unresolved(why)) => why.as_str(),
                                _ => "its entries were not read",
                            };
                            for family in [Family::V4, Family::V6] {
                                let note = format!("{id}, unresolved ({why}): counted as the whole internet");
                                add(note, AddressSet::all(family), family);
                            }
                        }
                    }
                }
                // Group references admit instances in those groups, never the internet: no source.
                let sources: Vec<usize> = (first_source..reach.sources.len()).collect();
                let protocol = Protocol::parse(&rule.protocol).unwrap_or(Protocol::All);
                let (first, last) = if protocol.has_ports() {
                    match (rule.from_port, rule.to_port) {
                        (Some(f), Some(t)) if f >= 0 && t >= 0 => {
                            let clamp = |p: i32| u16::try_from(p).unwrap_or(u16::MAX);
                            (clamp(f.min(t)), clamp(f.max(t)))
                        }
                        _ => ALL_PORTS,
                    }
                } else {
                    ALL_PORTS
                };
                reach.spans.push(Span { protocol, first, last, sources });
            }
        }
        reach
    }

    /// A source by index (as [`Exposure::sources`] lists them).
    pub fn source(&self, index: usize) -> &Source {
        &self.sources[index]
    }

    /// What one port of TCP or UDP (or a protocol without ports) admits.
    pub fn at(&self, protocol: Protocol, port: u16) -> Exposure {
        let sources: BTreeSet<usize> = self
            .spans
            .iter()
            .filter(|s| covers(s.protocol, protocol) && (!protocol.has_ports() || (s.first..=s.last).contains(&port)))
            .flat_map(|s| s.sources.iter().copied())
            .collect();
        let (first, last) = if protocol.has_ports() { (port, port) } else { ALL_PORTS };
        self.exposure(protocol, first, last, sources)
    }

    /// Every TCP and UDP port range that admits someone, split where the set of rules opening it changes, and every
    /// protocol without ports that a rule names (ICMP aside), each with what it admits.
    pub fn exposures(&self) -> Vec<Exposure> {
        let mut out = Vec::new();
        for protocol in [Protocol::Tcp, Protocol::Udp] {
            let spans: Vec<&Span> = self.spans.iter().filter(|s| covers(s.protocol, protocol)).collect();
            let mut cuts: BTreeSet<u32> = BTreeSet::new();
            for s in &spans {
                cuts.insert(u32::from(s.first));
                cuts.insert(u32::from(s.last) + 1);
            }
            let cuts: Vec<u32> = cuts.into_iter().collect();
            for w in cuts.windows(2) {
                let (first, last) = (w[0] as u16, (w[1] - 1) as u16);
                let sources: BTreeSet<usize> = spans
                    .iter()
                    .filter(|s| s.first <= first && last <= s.last)
                    .flat_map(|s| s.sources.iter().copied())
                    .collect();
                if !sources.is_empty() {
                    out.push(self.exposure(protocol, first, last, sources));
                }
            }
        }
        let numbered: BTreeSet<Protocol> =
            self.spans.iter().map(|s| s.protocol).filter(|p| matches!(p, Protocol::Number(_))).collect();
        for protocol in numbered {
            out.push(self.at(protocol, 0));
        }
        out
    }

    fn exposure(&self, protocol: Protocol, first: u16, last: u16, sources: BTreeSet<usize>) -> Exposure {
        let sources: Vec<usize> = sources
            .into_iter()
            .filter(|&i| !self.sources[i].public_v4.is_empty() || !self.sources[i].public_v6.is_empty())
            .collect();
        let union = |family| {
            AddressSet::from_intervals(
                sources.iter().flat_map(|&i| self.sources[i].public(family).intervals().iter().copied()),
            )
        };
        Exposure { protocol, first, last, public_v4: union(Family::V4), public_v6: union(Family::V6), sources }
    }
}

/// Does a rule for `rule` open traffic of `asked`?
fn covers(rule: Protocol, asked: Protocol) -> bool {
    rule == asked || (rule == Protocol::All && !matches!(asked, Protocol::All))
}

/// The rule for "open to the world": a port is open when the public addresses it admits, all its rules taken
/// together, outnumber the addresses of a prefix of a set length, in either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldLimits {
    prefix: [u8; 2],
    most: [u128; 2],
}

fn slot(family: Family) -> usize {
    match family {
        Family::V4 => 0,
        Family::V6 => 1,
    }
}

impl WorldLimits {
    /// Limits as prefix lengths: a port admitting more public addresses than a /`ipv4_prefix` (or, for IPv6, a
    /// /`ipv6_prefix`) holds is open to the world. Lengths beyond the family's width count as the width.
    pub fn new(ipv4_prefix: u8, ipv6_prefix: u8) -> Self {
        let most = |family: Family, prefix: u8| {
            let host_bits = family.bits().saturating_sub(u32::from(prefix));
            // A /0 of IPv6 holds 2^128 addresses: more than any set can count, so nothing exceeds it.
            if host_bits >= 128 {
                u128::MAX
            } else {
                1u128 << host_bits
            }
        };
        Self {
            prefix: [ipv4_prefix, ipv6_prefix],
            most: [most(Family::V4, ipv4_prefix), most(Family::V6, ipv6_prefix)],
        }
    }

    /// The most public addresses of a family a port may admit and still not be open to the world.
    pub fn most(&self, family: Family) -> u128 {
        self.most[slot(family)]
    }

    /// `a /11 of public IPv4 or a /28 of public IPv6`, for reasons.
    pub fn describe(&self) -> String {
        let [v4, v6] = self.prefix;
        format!("a /{v4} of public IPv4 or a /{v6} of public IPv6")
    }

    /// When the exposure is open to the world, how much of the internet it admits and through which rules:
    /// `100% of public IPv4 through sg-a rule 1 (0.0.0.0/1) + sg-b rule 3 (128.0.0.0/1)`.
    pub fn opening(&self, reach: &Reachability, e: &Exposure) -> Option<String> {
        let mut parts: Vec<(String, Vec<usize>)> = Vec::new();
        for family in [Family::V4, Family::V6] {
            let admitted = e.public(family).len();
            if admitted > self.most(family) {
                let through: Vec<usize> =
                    e.sources.iter().copied().filter(|&i| !reach.source(i).public(family).is_empty()).collect();
                parts.push((share(admitted, public_space(family).len(), family), through));
            }
        }
        let rules = |sources: &[usize]| -> BTreeSet<(String, usize)> {
            sources.iter().map(|&i| (reach.source(i).group.clone(), reach.source(i).rule)).collect()
        };
        match parts.as_slice() {
            [] => None,
            [(a, through_a), (b, through_b)] if rules(through_a) == rules(through_b) => {
                let both: BTreeSet<usize> = through_a.iter().chain(through_b).copied().collect();
                Some(format!("{a} and {b} through {}", through(reach, both.into_iter())))
            }
            _ => Some(
                parts
                    .iter()
                    .map(|(share, sources)| format!("{share} through {}", through(reach, sources.iter().copied())))
                    .collect::<Vec<_>>()
                    .join(", and "),
            ),
        }
    }
}

/// `sg-a rule 1 (0.0.0.0/1) + sg-b rule 3 (128.0.0.0/1)`: the rules in order, each with the sources that count.
fn through(reach: &Reachability, sources: impl Iterator<Item = usize>) -> String {
    const SPELLINGS: usize = 3;
    const RULES: usize = 6;
    let mut rules: Vec<((&str, usize), Vec<&str>)> = Vec::new();
    for i in sources {
        let s = reach.source(i);
        let key = (s.group.as_str(), s.rule);
        match rules.iter_mut().find(|(k, _)| *k == key) {
            Some((_, spelled)) => spelled.push(&s.spelled),
            None => rules.push((key, vec![&s.spelled])),
        }
    }
    let count = rules.len();
    let mut out: Vec<String> = rules
        .into_iter()
        .take(RULES)
        .map(|((group, rule), mut spelled)| {
            spelled.dedup();
            let more = spelled.len().saturating_sub(SPELLINGS);
            let more = if more > 0 { format!(", +{more} more") } else { String::new() };
            format!("{group} rule {rule} ({}{more})", spelled[..spelled.len().min(SPELLINGS)].join(", "))
        })
        .collect();
    if count > RULES {
        out.push(format!("{} more rule(s)", count - RULES));
    }
    out.join(" + ")
}
