//! Address sets against brute force, CIDR parsing, the public space and how shares read.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// A tiny universe, so every set can be enumerated.
const UNIVERSE: u128 = 63;

fn enumerate(set: &AddressSet) -> BTreeSet<u128> {
    set.intervals().iter().flat_map(|(a, b)| *a..=*b).collect()
}

fn intervals() -> impl Strategy<Value = Vec<(u128, u128)>> {
    prop::collection::vec((0..=UNIVERSE, 0..=UNIVERSE), 0..6)
        .prop_map(|v| v.into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect())
}

fn brute(intervals: &[(u128, u128)]) -> BTreeSet<u128> {
    intervals.iter().flat_map(|(a, b)| *a..=*b).collect()
}

fn assert_canonical(set: &AddressSet) {
    for w in set.intervals().windows(2) {
        assert!(w[0].1 + 1 < w[1].0, "intervals must be sorted, disjoint and non-adjacent: {:?}", set.intervals());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn set_algebra_matches_brute_force(a in intervals(), b in intervals(), probe in 0..=UNIVERSE) {
        let (sa, sb) = (AddressSet::from_intervals(a.clone()), AddressSet::from_intervals(b.clone()));
        let (ba, bb) = (brute(&a), brute(&b));
        assert_canonical(&sa);
        prop_assert_eq!(&enumerate(&sa), &ba);
        let union = sa.union(&sb);
        let inter = sa.intersection(&sb);
        let diff = sa.difference(&sb);
        for s in [&union, &inter, &diff] {
            assert_canonical(s);
        }
        prop_assert_eq!(enumerate(&union), ba.union(&bb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(enumerate(&inter), ba.intersection(&bb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(enumerate(&diff), ba.difference(&bb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(sa.len(), ba.len() as u128);
        prop_assert_eq!(sa.contains(probe), ba.contains(&probe));
    }

    #[test]
    fn scaled_ratio_is_floor_of_the_exact_ratio(count in any::<u64>(), extra in any::<u64>(), scale in 1u32..=1_000_000) {
        let total = u128::from(count) + u128::from(extra) + 1;
        let count = u128::from(count);
        prop_assert_eq!(scaled_ratio(count, total, scale), count * u128::from(scale) / total);
    }

    #[test]
    fn scaled_ratio_is_exact_at_ipv6_sizes(shift in 0u32..=100, numerator in 1u128..1_000_000) {
        // count/total = numerator / 2^20 exactly, at every magnitude up to 2^125.
        let total = 1u128 << (20 + shift);
        let count = numerator.min((1 << 20) - 1) << shift;
        let expected = (numerator.min((1 << 20) - 1) * 1_000_000) >> 20;
        prop_assert_eq!(scaled_ratio(count, total, 1_000_000), expected);
    }
}

#[test]
fn sets_at_the_edges_of_the_ipv6_space() {
    let all = AddressSet::all(Family::V6);
    assert_eq!(all.len(), u128::MAX, "2^128 saturates");
    let top = AddressSet::interval(u128::MAX - 1, u128::MAX);
    assert_eq!(all.difference(&top).intervals(), &[(0, u128::MAX - 2)]);
    assert_eq!(top.union(&AddressSet::interval(0, u128::MAX - 2)), all);
    assert!(all.difference(&all).is_empty());
}

#[test]
fn cidrs_parse_to_address_ranges() {
    let c = Cidr::parse("10.0.0.0/8").unwrap();
    assert_eq!((c.family, c.first, c.last), (Family::V4, 0x0a00_0000, 0x0aff_ffff));
    let c = Cidr::parse("0.0.0.0/0").unwrap();
    assert_eq!((c.first, c.last), (0, u128::from(u32::MAX)));
    let c = Cidr::parse("::/0").unwrap();
    assert_eq!((c.family, c.first, c.last), (Family::V6, 0, u128::MAX));
    let c = Cidr::parse("2001:db8::/32").unwrap();
    assert_eq!(c.to_string(), "2001:db8::/32");
    // Host bits below the prefix: the block still covers the whole prefix.
    let c = Cidr::parse("10.1.2.3/8").unwrap();
    assert_eq!(c.to_string(), "10.0.0.0/8");
    assert_eq!(Cidr::parse("203.0.113.7").unwrap().to_string(), "203.0.113.7/32");
    for bad in ["", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/x", "sg-123", "10.0.0.0/-1"] {
        assert!(Cidr::parse(bad).is_err(), "{bad} must not parse");
    }
    assert!(Cidr::parse("10.0.0.0/33").unwrap_err().to_string().contains("longer than the address"));
}

#[test]
fn public_space_excludes_special_purpose_blocks() {
    let v4 = public_space(Family::V4);
    let addr = |s: &str| Cidr::parse(s).unwrap().first;
    for private in ["10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.169.254", "192.0.2.1"]
    {
        assert!(!v4.contains(addr(private)), "{private} is not public");
    }
    for public in ["8.8.8.8", "1.1.1.1", "52.94.0.1", "172.32.0.1", "100.128.0.1", "223.255.255.255"] {
        assert!(v4.contains(addr(public)), "{public} is public");
    }
    // 2^32 minus the special-purpose blocks (they do not overlap).
    let excluded: u128 = NON_PUBLIC_IPV4.iter().map(|(c, _)| Cidr::parse(c).unwrap().to_set().len()).sum();
    assert_eq!(v4.len(), (1u128 << 32) - excluded);
    assert_eq!(v4.len(), 3_702_258_688);

    let v6 = public_space(Family::V6);
    for public in ["2600::1", "2a00:1450::1", "2001:4860:4860::8888"] {
        assert!(v6.contains(addr(public)), "{public} is public");
    }
    for other in ["fd00::1", "fe80::1", "::1", "ff02::1", "2001:db8::1", "::ffff:8.8.8.8"] {
        assert!(!v6.contains(addr(other)), "{other} is not public");
    }
}

#[test]
fn shares_read_as_people_say_them() {
    let v4 = public_space(Family::V4).len();
    assert_eq!(share(v4, v4, Family::V4), "100% of public IPv4");
    assert_eq!(share(v4 - 1, v4, Family::V4), "99.99% of public IPv4");
    assert_eq!(share(v4 / 2, v4, Family::V4), "50% of public IPv4");
    assert_eq!(share(v4 / 8, v4, Family::V4), "12.5% of public IPv4");
    assert_eq!(share(1 << 24, v4, Family::V4), "0.45% of public IPv4");
    assert_eq!(share(256, v4, Family::V4), "256 public IPv4 addresses");
    assert_eq!(share(1, v4, Family::V4), "1 public IPv4 address");
    assert_eq!(share(65_536, v4, Family::V4), "65,536 public IPv4 addresses");
    let v6 = public_space(Family::V6).len();
    assert_eq!(share(v6, v6, Family::V6), "100% of public IPv6");
}
