//! The firewall checks over address sets: spellings of "the world" that are not `0.0.0.0/0`, prefix lists, and the
//! reachability model against brute force.

use super::super::example::compliant;
use super::super::*;
use crate::net::{Cidr, Family};
use proptest::prelude::*;

fn rule(protocol: &str, ports: (i32, i32), v4: &[&str], v6: &[&str]) -> IngressRule {
    IngressRule {
        protocol: protocol.into(),
        from_port: Some(ports.0),
        to_port: Some(ports.1),
        ipv4_ranges: v4.iter().map(|s| s.to_string()).collect(),
        ipv6_ranges: v6.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn with_groups(extra: Vec<SecurityGroupFacts>) -> LaunchFacts {
    let mut f = compliant();
    for g in &extra {
        f.instance.security_group_ids.push(g.id.clone());
        f.template.as_mut().unwrap().security_group_ids.push(g.id.clone());
    }
    f.security_groups.extend(extra);
    f
}

fn group(id: &str, ingress: Vec<IngressRule>) -> SecurityGroupFacts {
    SecurityGroupFacts { id: id.into(), name: id.trim_start_matches("sg-").into(), ingress }
}

fn check(f: &LaunchFacts, rules: &GateRules, name: &str) -> (CheckStatus, String) {
    let c = evaluate(f, rules).into_iter().find(|c| c.name == name).unwrap();
    (c.status, c.reason)
}

fn admin(f: &LaunchFacts) -> (CheckStatus, String) {
    check(f, &GateRules::default(), "firewall.admin_ports")
}

#[test]
fn ssh_split_into_halves_across_two_groups_is_the_world() {
    let f = with_groups(vec![
        group("sg-a", vec![rule("tcp", (22, 22), &["0.0.0.0/1"], &[])]),
        group("sg-b", vec![rule("udp", (53, 53), &["10.0.0.0/8"], &[]), rule("tcp", (20, 25), &["128.0.0.0/1"], &[])]),
    ]);
    let (status, reason) = admin(&f);
    assert_eq!(status, CheckStatus::Fail);
    assert_eq!(
        reason,
        "SSH (22) admits 100% of public IPv4 through sg-a rule 1 (0.0.0.0/1) + sg-b rule 2 (128.0.0.0/1)"
    );
    let (status, reason) = check(&f, &GateRules::default(), "firewall.world_ingress");
    assert_eq!(status, CheckStatus::Fail);
    // 128.0.0.0/1 holds multicast and reserved space: less than half of the public internet.
    assert_eq!(
        reason,
        "TCP ports 20-21, 23-25 admit 43.46% of public IPv4 through sg-b rule 2 (128.0.0.0/1); TCP port 22 admits \
         100% of public IPv4 through sg-a rule 1 (0.0.0.0/1) + sg-b rule 2 (128.0.0.0/1)"
    );
}

#[test]
fn the_world_spelled_as_many_blocks_in_one_rule_is_the_world() {
    // 0.0.0.0/0 as the 256 /8 blocks.
    let blocks: Vec<String> = (0..256).map(|i| format!("{i}.0.0.0/8")).collect();
    let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
    let f = with_groups(vec![group("sg-a", vec![rule("tcp", (3389, 3389), &refs, &[])])]);
    let (status, reason) = admin(&f);
    assert_eq!(status, CheckStatus::Fail);
    // Sources listed are those that hold public addresses: 10/8, 127/8, 224/8... are left out.
    assert!(
        reason.starts_with("RDP (3389) admits 100% of public IPv4 through sg-a rule 1 (1.0.0.0/8, 2.0.0.0/8"),
        "{reason}"
    );
    assert!(reason.contains("more)"), "{reason}");
}

#[test]
fn ipv6_without_the_zero_prefix_is_still_the_world() {
    for spelled in [&["2000::/3"][..], &["::/1", "8000::/1"], &["2000::/4", "3000::/4"], &["::/0"]] {
        let f = with_groups(vec![group("sg-v6", vec![rule("tcp", (22, 22), &[], spelled)])]);
        let (status, reason) = admin(&f);
        assert_eq!(status, CheckStatus::Fail, "{spelled:?}");
        assert!(
            reason.starts_with("SSH (22) admits 100% of public IPv6 through sg-v6 rule 1"),
            "{spelled:?}: {reason}"
        );
    }
    // Unique-local and link-local space is not the internet.
    let f = with_groups(vec![group("sg-v6", vec![rule("tcp", (22, 22), &[], &["fc00::/7", "fe80::/10"])])]);
    assert_eq!(admin(&f).0, CheckStatus::Pass);
}

#[test]
fn private_shared_and_documentation_space_is_not_public() {
    let f = with_groups(vec![group(
        "sg-internal",
        vec![rule(
            "-1",
            (0, 0),
            &["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"],
            &["fd00::/8", "2001:db8::/32"],
        )],
    )]);
    let res = evaluate(&f, &GateRules::default());
    for c in res.iter().filter(|c| c.name.starts_with("firewall.")) {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.reason);
    }
}

#[test]
fn office_and_vpn_ranges_pass_half_the_internet_does_not() {
    for (office, status) in [
        ("198.51.100.0/24", CheckStatus::Pass),
        ("81.2.69.0/24", CheckStatus::Pass),
        ("81.2.0.0/16", CheckStatus::Pass),
        ("44.0.0.0/12", CheckStatus::Pass),
        // The documented edge of the default (more than a /11 is the world): a /11 passes, a /10 fails.
        ("44.0.0.0/11", CheckStatus::Pass),
        ("44.0.0.0/10", CheckStatus::Fail),
        ("44.0.0.0/8", CheckStatus::Fail),
        ("0.0.0.0/1", CheckStatus::Fail),
    ] {
        let f = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &[office], &[])])]);
        assert_eq!(admin(&f).0, status, "{office}: {}", admin(&f).1);
    }
    let f = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &["44.0.0.0/8"], &[])])]);
    assert_eq!(admin(&f).1, "SSH (22) admits 0.45% of public IPv4 through sg-ops rule 1 (44.0.0.0/8)");
    // IPv6: an office /48 and an ISP's /32 pass; the default's edge is a /28 (passes) against a /27 (fails); the
    // US carriers' 2600::/12 is the world.
    for (range, status) in [
        ("2a02:c7f:1234::/48", CheckStatus::Pass),
        ("2a02:c7f::/32", CheckStatus::Pass),
        ("2600:9000::/28", CheckStatus::Pass),
        ("2600:9000::/27", CheckStatus::Fail),
        ("2600::/12", CheckStatus::Fail),
    ] {
        let f = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &[], &[range])])]);
        assert_eq!(admin(&f).0, status, "{range}: {}", admin(&f).1);
    }
}

#[test]
fn thresholds_are_rules() {
    let f = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &["81.2.69.6/31"], &[])])]);
    let mut rules = GateRules::default();
    assert_eq!(check(&f, &rules, "firewall.admin_ports").0, CheckStatus::Pass);
    // A /32 limit: one public address (a jump host) passes, two do not.
    rules.firewall.world_ipv4_prefix = 32;
    let (status, reason) = check(&f, &rules, "firewall.admin_ports");
    assert_eq!(status, CheckStatus::Fail);
    assert_eq!(reason, "SSH (22) admits 2 public IPv4 addresses through sg-ops rule 1 (81.2.69.6/31)");
    let one = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &["81.2.69.7/32"], &[])])]);
    assert_eq!(check(&one, &rules, "firewall.admin_ports").0, CheckStatus::Pass);
    // A /0 limit: nothing is ever "the world".
    rules.firewall.world_ipv4_prefix = 0;
    rules.firewall.world_ipv6_prefix = 0;
    let f = with_groups(vec![group("sg-ops", vec![rule("tcp", (22, 22), &["0.0.0.0/0"], &["::/0"])])]);
    assert_eq!(check(&f, &rules, "firewall.admin_ports").0, CheckStatus::Pass);
    assert_eq!(
        check(&f, &GateRules::default(), "firewall.admin_ports").1,
        "SSH (22) admits 100% of public IPv4 and 100% of public IPv6 through sg-ops rule 1 (0.0.0.0/0, ::/0)"
    );
}

fn prefix_list(id: &str, entries: &[&str]) -> PrefixListFacts {
    PrefixListFacts {
        id: id.into(),
        entries: PrefixListEntries::Resolved(entries.iter().map(|s| s.to_string()).collect()),
    }
}

fn pl_rule(protocol: &str, ports: (i32, i32), lists: &[&str]) -> IngressRule {
    IngressRule {
        protocol: protocol.into(),
        from_port: Some(ports.0),
        to_port: Some(ports.1),
        prefix_list_ids: lists.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn a_prefix_list_holding_the_world_opens_rdp() {
    let mut f = with_groups(vec![group("sg-pl", vec![pl_rule("tcp", (3389, 3389), &["pl-world"])])]);
    f.prefix_lists = vec![prefix_list("pl-world", &["0.0.0.0/1", "128.0.0.0/1"])];
    let (status, reason) = admin(&f);
    assert_eq!(status, CheckStatus::Fail);
    assert_eq!(
        reason,
        "RDP (3389) admits 100% of public IPv4 through sg-pl rule 1 (pl-world: 0.0.0.0/1, pl-world: 128.0.0.0/1)"
    );
}

#[test]
fn an_unresolved_prefix_list_counts_as_the_world_and_says_so() {
    let mut f = with_groups(vec![group("sg-pl", vec![pl_rule("tcp", (22, 22), &["pl-gone"])])]);
    f.prefix_lists = vec![PrefixListFacts {
        id: "pl-gone".into(),
        entries: PrefixListEntries::Unresolved("GetManagedPrefixListEntries: AccessDenied".into()),
    }];
    let (status, reason) = admin(&f);
    assert_eq!(status, CheckStatus::Fail);
    assert!(reason.contains("100% of public IPv4 and 100% of public IPv6"), "{reason}");
    assert!(reason.contains("pl-gone, unresolved (GetManagedPrefixListEntries: AccessDenied)"), "{reason}");
    assert!(reason.contains("counted as the whole internet"), "{reason}");
    // A list the facts do not mention at all is no better.
    f.prefix_lists.clear();
    assert_eq!(admin(&f).0, CheckStatus::Fail);
}

#[test]
fn the_cloudfront_list_on_https_and_a_group_reference_on_ssh_pass() {
    let mut f = with_groups(vec![group(
        "sg-origin",
        vec![
            pl_rule("tcp", (443, 443), &["pl-cloudfront"]),
            pl_rule("tcp", (8080, 8080), &["pl-cloudfront"]),
            IngressRule {
                protocol: "tcp".into(),
                from_port: Some(22),
                to_port: Some(22),
                group_refs: vec!["sg-bastion".into()],
                ..Default::default()
            },
        ],
    )]);
    f.prefix_lists = vec![prefix_list(
        "pl-cloudfront",
        &["13.124.199.0/24", "130.176.0.0/18", "15.158.0.0/16", "18.68.0.0/16", "204.246.166.0/24", "3.172.0.0/18"],
    )];
    let res = evaluate(&f, &GateRules::default());
    for c in res.iter().filter(|c| c.name.starts_with("firewall.")) {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.reason);
    }
}

#[test]
fn port_ranges_all_traffic_udp_and_other_protocols() {
    let f = with_groups(vec![group("sg-r", vec![rule("tcp", (0, 1024), &["0.0.0.0/0"], &[])])]);
    let (status, reason) = admin(&f);
    assert_eq!(
        (status, reason.as_str()),
        (CheckStatus::Fail, "SSH (22) admits 100% of public IPv4 through sg-r rule 1 (0.0.0.0/0)")
    );

    let f = with_groups(vec![group("sg-u", vec![rule("udp", (3389, 3389), &["0.0.0.0/0"], &[])])]);
    assert_eq!(admin(&f).1, "RDP (3389) over UDP admits 100% of public IPv4 through sg-u rule 1 (0.0.0.0/0)");

    // Ports named backwards still open the range.
    let f = with_groups(vec![group("sg-b", vec![rule("tcp", (25, 20), &["0.0.0.0/0"], &[])])]);
    assert_eq!(admin(&f).0, CheckStatus::Fail);

    // GRE from everywhere is traffic open to the world on no allowed port.
    let f = with_groups(vec![group("sg-gre", vec![rule("47", (0, 0), &["0.0.0.0/0"], &[])])]);
    let (status, reason) = check(&f, &GateRules::default(), "firewall.world_ingress");
    assert_eq!(
        (status, reason.as_str()),
        (CheckStatus::Fail, "protocol 47 admits 100% of public IPv4 through sg-gre rule 1 (0.0.0.0/0)")
    );
    assert_eq!(admin(&f).0, CheckStatus::Pass, "GRE has no port 22");

    // ICMP (ping, path MTU discovery) is not a service port.
    let f = with_groups(vec![group("sg-icmp", vec![rule("icmp", (-1, -1), &["0.0.0.0/0"], &["::/0"])])]);
    for c in evaluate(&f, &GateRules::default()).iter().filter(|c| c.name.starts_with("firewall.")) {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.reason);
    }

    // A protocol nobody knows counts as all traffic.
    let f = with_groups(vec![group("sg-x", vec![rule("carrier-pigeon", (0, 0), &["0.0.0.0/0"], &[])])]);
    assert_eq!(admin(&f).0, CheckStatus::Fail);
    // So does a CIDR that does not parse.
    let f = with_groups(vec![group("sg-x", vec![rule("tcp", (22, 22), &["not-a-cidr"], &[])])]);
    let (status, reason) = admin(&f);
    assert_eq!(status, CheckStatus::Fail);
    assert!(reason.contains("not-a-cidr: not a CIDR, counted as all of IPv4"), "{reason}");
}

#[test]
fn allowed_world_ports_stay_allowed_and_only_they_do() {
    let f = with_groups(vec![group("sg-w", vec![rule("tcp", (80, 80), &["0.0.0.0/1", "128.0.0.0/1"], &["2000::/3"])])]);
    assert_eq!(check(&f, &GateRules::default(), "firewall.world_ingress").0, CheckStatus::Pass);
    let f = with_groups(vec![group("sg-w", vec![rule("tcp", (8080, 8080), &["0.0.0.0/1", "128.0.0.0/1"], &[])])]);
    let (status, reason) = check(&f, &GateRules::default(), "firewall.world_ingress");
    assert_eq!(status, CheckStatus::Fail);
    assert_eq!(reason, "TCP port 8080 admits 100% of public IPv4 through sg-w rule 1 (0.0.0.0/1, 128.0.0.0/1)");
}

// ---- the reachability model against brute force ----------------------------------------------------------------

/// The universe the brute force enumerates: a public and a private /26, a public and a unique-local /122.
const UNIVERSE_SIZE: u128 = 64;
const BASES: [(&str, Family, bool); 4] = [
    ("81.2.69.0", Family::V4, true),
    ("10.1.2.0", Family::V4, false),
    ("2600::", Family::V6, true),
    ("fd00::", Family::V6, false),
];

fn base(i: usize) -> u128 {
    Cidr::parse(BASES[i].0).unwrap().first
}

/// A CIDR inside one of the bases, host bits possibly set.
fn cidr_in_universe() -> impl Strategy<Value = (usize, u128, u32)> {
    (0..BASES.len(), 0u128..UNIVERSE_SIZE, 0u32..=6)
}

fn spell((b, offset, host_bits): (usize, u128, u32)) -> String {
    let family = BASES[b].1;
    let addr = base(b) + offset;
    let len = family.bits() - host_bits;
    match family {
        Family::V4 => format!("{}/{len}", std::net::Ipv4Addr::from(addr as u32)),
        Family::V6 => format!("{}/{len}", std::net::Ipv6Addr::from(addr)),
    }
}

/// Is `addr` in the block `(b, offset, host_bits)`? Written with shifts, independently of the interval code.
fn brute_in((b, offset, host_bits): (usize, u128, u32), family: Family, addr: u128) -> bool {
    BASES[b].1 == family && (addr >> host_bits) == ((base(b) + offset) >> host_bits)
}

#[derive(Debug, Clone)]
struct RandomRule {
    protocol: &'static str,
    ports: Option<(i32, i32)>,
    blocks: Vec<(usize, u128, u32)>,
    lists: Vec<usize>,
}

/// Ports at both ends of the range, so splitting at 0 and 65535 is exercised.
fn port() -> impl Strategy<Value = i32> {
    prop_oneof![0i32..=30, 65_530i32..=65_535]
}

/// Ports asked about: the same ends.
fn asked_ports() -> impl Iterator<Item = u16> {
    (0..=31u16).chain(65_529..=65_535)
}

fn random_rule() -> impl Strategy<Value = RandomRule> {
    (
        prop::sample::select(vec!["tcp", "udp", "6", "17", "icmp", "-1", "47", "carrier-pigeon"]),
        prop::option::weighted(0.9, (port(), port())),
        prop::collection::vec(cidr_in_universe(), 0..3),
        prop::collection::vec(0usize..3, 0..2),
    )
        .prop_map(|(protocol, ports, blocks, lists)| RandomRule { protocol, ports, blocks, lists })
}

/// AWS's semantics, written out per case: -1 (and, fail-closed, an unknown protocol) is everything; tcp/udp open
/// their port range (all ports when none is given); other protocols open all of themselves.
fn brute_covers(rule: &RandomRule, protocol: Protocol, port: u16) -> bool {
    let everything = matches!(rule.protocol, "-1" | "carrier-pigeon");
    let proto_ok = everything
        || match rule.protocol {
            "tcp" | "6" => protocol == Protocol::Tcp,
            "udp" | "17" => protocol == Protocol::Udp,
            "47" => protocol == Protocol::Number(47),
            _ => false,
        };
    let port = i32::from(port);
    let ports_ok =
        !protocol.has_ports() || everything || rule.ports.is_none_or(|(a, b)| a.min(b) <= port && port <= a.max(b));
    proto_ok && ports_ok
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// For every TCP/UDP port 0–31 and protocol 47, and every address of the universe: the model admits exactly the
    /// public addresses some covering rule's source holds, names exactly those rules, and "open" (at a 0% threshold)
    /// exactly when one exists.
    #[test]
    fn reachability_matches_brute_force(
        groups in prop::collection::vec(prop::collection::vec(random_rule(), 0..4), 1..4),
        lists in prop::collection::vec(prop::collection::vec(cidr_in_universe(), 0..3), 3),
        unresolved in 0usize..4,
    ) {
        let pl_id = |i: usize| format!("pl-{i}");
        let facts_groups: Vec<SecurityGroupFacts> = groups.iter().enumerate().map(|(g, rules)| SecurityGroupFacts {
            id: format!("sg-{g}"),
            name: format!("g{g}"),
            ingress: rules.iter().map(|r| {
                let (v4, v6): (Vec<&(usize, u128, u32)>, Vec<_>) = r.blocks.iter().partition(|b| BASES[b.0].1 == Family::V4);
                IngressRule {
                    protocol: r.protocol.into(),
                    from_port: r.ports.map(|p| p.0),
                    to_port: r.ports.map(|p| p.1),
                    ipv4_ranges: v4.into_iter().map(|b| spell(*b)).collect(),
                    ipv6_ranges: v6.into_iter().map(|b| spell(*b)).collect(),
                    prefix_list_ids: r.lists.iter().map(|&l| pl_id(l)).collect(),
                    group_refs: vec![],
                }
            }).collect(),
        }).collect();
        // List `unresolved` (if < 3) could not be read: it counts as the whole internet.
        let facts_lists: Vec<PrefixListFacts> = lists.iter().enumerate().map(|(i, blocks)| PrefixListFacts {
            id: pl_id(i),
            entries: if i == unresolved {
                PrefixListEntries::Unresolved("denied".into())
            } else {
                PrefixListEntries::Resolved(blocks.iter().map(|b| spell(*b)).collect())
            },
        }).collect();
        let reach = Reachability::new(&facts_groups, &facts_lists);
        // At most one public address of each family: "open" exactly when a second one is admitted.
        let strict = WorldLimits::new(32, 128);
        let universe: Vec<(Family, u128, bool)> = (0..BASES.len())
            .flat_map(|b| (0..UNIVERSE_SIZE).map(move |o| (BASES[b].1, base(b) + o, BASES[b].2)))
            .collect();
        let source_admits = |rule: &RandomRule, family: Family, addr: u128| {
            rule.blocks.iter().any(|b| brute_in(*b, family, addr))
                || rule.lists.iter().any(|&l| l == unresolved || lists[l].iter().any(|b| brute_in(*b, family, addr)))
        };
        let mut asked: Vec<(Protocol, u16)> = [Protocol::Tcp, Protocol::Udp]
            .iter()
            .flat_map(|&p| asked_ports().map(move |port| (p, port)))
            .collect();
        asked.push((Protocol::Number(47), 0));
        for (protocol, port) in asked {
            let e = reach.at(protocol, port);
            let mut brute_rules = std::collections::BTreeSet::new();
            let mut admitted_count = [0u32; 2];
            for (family, addr, public) in &universe {
                let mut admitted = false;
                for (g, rules) in groups.iter().enumerate() {
                    for (r, rule) in rules.iter().enumerate() {
                        if brute_covers(rule, protocol, port) && source_admits(rule, *family, *addr) && *public {
                            admitted = true;
                            brute_rules.insert((format!("sg-{g}"), r + 1));
                        }
                    }
                }
                admitted_count[usize::from(*family == Family::V6)] += u32::from(admitted);
                prop_assert_eq!(e.public(*family).contains(*addr), admitted, "{:?} {} {:x}", protocol, port, addr);
            }
            // An unreadable list that some covering rule names admits the whole internet, beyond the universe.
            let beyond = groups.iter().flatten().any(|r| brute_covers(r, protocol, port) && r.lists.contains(&unresolved));
            // Unresolved lists admit public addresses outside the universe too; every other source stays inside it.
            let model_rules: std::collections::BTreeSet<(String, usize)> =
                e.sources.iter().map(|&i| (reach.source(i).group.clone(), reach.source(i).rule)).collect();
            prop_assert_eq!(&model_rules, &brute_rules, "{:?} {}", protocol, port);
            let open = beyond || admitted_count.iter().any(|&n| n > 1);
            prop_assert_eq!(strict.opening(&reach, &e).is_some(), open, "{:?} {}", protocol, port);
            // `exposures` (what world_ingress reads) covers the port exactly when someone is admitted, and agrees.
            let covering: Vec<Exposure> = reach
                .exposures()
                .into_iter()
                .filter(|x| x.protocol == protocol && x.first <= port && port <= x.last && !x.sources.is_empty())
                .collect();
            // (A protocol without ports is listed when a rule names it; all-traffic rules read as TCP and UDP.)
            let listed = protocol.has_ports() || groups.iter().flatten().any(|r| r.protocol == "47");
            prop_assert_eq!(covering.len(), usize::from(listed && !e.sources.is_empty()), "{:?} {}", protocol, port);
            for x in covering {
                prop_assert_eq!(&x.public_v4, &e.public_v4);
                prop_assert_eq!(&x.public_v6, &e.public_v6);
            }
        }
    }

    /// However 0.0.0.0/0 and ::/0 are cut into blocks and spread over rules and groups, port 22 admits 100%.
    #[test]
    fn any_split_of_the_world_is_the_world(cuts in prop::collection::vec(any::<bool>(), 64), spread in 1usize..5) {
        for family in [Family::V4, Family::V6] {
            let mut blocks = Vec::new();
            let mut stack = vec![(0u128, 0u32)];
            let mut bits = cuts.iter().cycle();
            while let Some((first, len)) = stack.pop() {
                if len < 12 && *bits.next().unwrap_or(&false) {
                    let half = 1u128 << (family.bits() - len - 1);
                    stack.push((first, len + 1));
                    stack.push((first + half, len + 1));
                } else {
                    blocks.push(match family {
                        Family::V4 => format!("{}/{len}", std::net::Ipv4Addr::from(first as u32)),
                        Family::V6 => format!("{}/{len}", std::net::Ipv6Addr::from(first)),
                    });
                }
            }
            let groups: Vec<SecurityGroupFacts> = (0..spread).map(|g| SecurityGroupFacts {
                id: format!("sg-{g}"),
                name: format!("g{g}"),
                ingress: blocks.iter().enumerate().filter(|(i, _)| i % spread == g).map(|(i, b)| {
                    let (v4, v6) = if family == Family::V4 { (vec![b.clone()], vec![]) } else { (vec![], vec![b.clone()]) };
                    IngressRule { protocol: "tcp".into(), from_port: Some(20 - (i % 3) as i32), to_port: Some(22 + (i % 2) as i32), ipv4_ranges: v4, ipv6_ranges: v6, ..Default::default() }
                }).collect(),
            }).collect();
            let reach = Reachability::new(&groups, &[]);
            let opening = GateRules::default().firewall.world_limits().opening(&reach, &reach.at(Protocol::Tcp, 22));
            let expected = format!("100% of public {}", family.name());
            prop_assert!(opening.as_deref().is_some_and(|o| o.starts_with(&expected)), "{:?} from {} blocks", opening, blocks.len());
        }
    }
}
