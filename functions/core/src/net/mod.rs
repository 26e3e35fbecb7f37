//! Address sets: IPv4 and IPv6 addresses as unions of intervals.
//!
//! A firewall question ("who can reach port 22?") has one answer however the rules spell it: `0.0.0.0/0`, two
//! halves in two groups, or a prefix list holding the world all admit the same set. So sources are parsed into
//! intervals of addresses and combined with set arithmetic, never compared as strings.

mod public;

pub use public::{public_space, NON_PUBLIC_IPV4, NON_PUBLIC_IPV6};

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// 32-bit addresses.
    V4,
    /// 128-bit addresses.
    V6,
}

impl Family {
    /// The highest address of the family.
    pub fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }

    /// Address width in bits.
    pub fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// `IPv4` or `IPv6`, as AWS writes it.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// A CIDR block, parsed: the family and the first and last address it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// IPv4 or IPv6.
    pub family: Family,
    /// First address (host bits cleared).
    pub first: u128,
    /// Last address (host bits set).
    pub last: u128,
}

/// Why a CIDR did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a CIDR block: {why}")]
pub struct CidrError {
    /// The text as written in the rule.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl Cidr {
    /// Parses `a.b.c.d/n` or an IPv6 prefix; a bare address is a /32 or /128. Host bits set below the prefix length
    /// are ignored, as the block then still covers the whole prefix (the sound reading for a firewall).
    pub fn parse(text: &str) -> Result<Self, CidrError> {
        let err = |why| CidrError { text: text.to_string(), why };
        let trimmed = text.trim();
        let (addr, len) = match trimmed.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u32>().map_err(|_| err("the prefix length is not a number"))?)),
            None => (trimmed, None),
        };
        let (family, value) = if let Ok(v4) = addr.parse::<Ipv4Addr>() {
            (Family::V4, u128::from(u32::from(v4)))
        } else if let Ok(v6) = addr.parse::<Ipv6Addr>() {
            (Family::V6, u128::from(v6))
        } else {
            return Err(err("the address is neither IPv4 nor IPv6"));
        };
        let len = len.unwrap_or(family.bits());
        if len > family.bits() {
            return Err(err("the prefix length is longer than the address"));
        }
        let host_bits = family.bits() - len;
        let host_mask = if host_bits == 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
        let first = value & !host_mask & family.max();
        Ok(Self { family, first, last: first | host_mask })
    }

    /// The block as a one-interval set.
    pub fn to_set(self) -> AddressSet {
        AddressSet::interval(self.first, self.last)
    }
}

/// A set of addresses of one family: sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressSet {
    ranges: Vec<(u128, u128)>,
}

impl AddressSet {
    /// No address.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every address from `first` to `last` inclusive (empty when `first > last`).
    pub fn interval(first: u128, last: u128) -> Self {
        if first > last {
            return Self::empty();
        }
        Self { ranges: vec![(first, last)] }
    }

    /// Every address of the family.
    pub fn all(family: Family) -> Self {
        Self::interval(0, family.max())
    }

    /// The union of these intervals, in any order, overlapping or not.
    pub fn from_intervals(intervals: impl IntoIterator<Item = (u128, u128)>) -> Self {
        let mut ranges: Vec<(u128, u128)> = intervals.into_iter().filter(|(a, b)| a <= b).collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
        for (first, last) in ranges {
            match merged.last_mut() {
                // Overlapping or adjacent: one interval.
                Some((_, prev_last)) if prev_last.checked_add(1).is_none_or(|next| first <= next) => {
                    *prev_last = (*prev_last).max(last);
                }
                _ => merged.push((first, last)),
            }
        }
        Self { ranges: merged }
    }

    /// The intervals, sorted and disjoint.
    pub fn intervals(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    /// True when the set holds no address.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Is this address in the set?
    pub fn contains(&self, address: u128) -> bool {
        let i = self.ranges.partition_point(|(_, last)| *last < address);
        self.ranges.get(i).is_some_and(|(first, _)| *first <= address)
    }

    /// Addresses in either set.
    pub fn union(&self, other: &Self) -> Self {
        Self::from_intervals(self.ranges.iter().chain(&other.ranges).copied())
    }

    /// Addresses in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a0, a1) = self.ranges[i];
            let (b0, b1) = other.ranges[j];
            let (lo, hi) = (a0.max(b0), a1.min(b1));
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self { ranges: out }
    }

    /// Addresses in this set and not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let mut j = 0;
        for &(first, last) in &self.ranges {
            let mut start = first;
            let mut open = true;
            while j < other.ranges.len() && other.ranges[j].1 < start {
                j += 1;
            }
            let mut k = j;
            while open && k < other.ranges.len() && other.ranges[k].0 <= last {
                let (cut0, cut1) = other.ranges[k];
                if cut0 > start {
                    out.push((start, cut0 - 1));
                }
                match cut1.checked_add(1) {
                    Some(next) if next <= last => start = next.max(start),
                    _ => open = false,
                }
                k += 1;
            }
            if open {
                out.push((start, last));
            }
        }
        Self { ranges: out }
    }

    /// How many addresses the set holds, saturating at `u128::MAX` (only the whole IPv6 space, 2^128, is larger).
    pub fn len(&self) -> u128 {
        self.ranges.iter().fold(0u128, |n, (first, last)| n.saturating_add((last - first).saturating_add(1)))
    }
}

/// How much of the public address space a set covers, in words: `100%`, `0.45%`, or a count when under 0.01 %.
pub fn share(count: u128, total: u128, family: Family) -> String {
    if total == 0 {
        return format!("no public {}", family.name());
    }
    if count >= total {
        return format!("100% of public {}", family.name());
    }
    // Hundredths of a percent, rounded down, so a set short of everything never reads as 100%.
    let basis_points = scaled_ratio(count, total, 10_000);
    if basis_points == 0 {
        let noun = if count == 1 { "address" } else { "addresses" };
        return format!("{} public {} {noun}", group_digits(count), family.name());
    }
    let whole = basis_points / 100;
    let frac = basis_points % 100;
    let percent = match frac {
        0 => format!("{whole}"),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    };
    format!("{percent}% of public {}", family.name())
}

/// `count × scale ÷ total`, rounded down; exact for every `count` and `total` (IPv6 counts reach 2^125, so the
/// product is taken in 256 bits). Zero when `total` is zero.
pub fn scaled_ratio(count: u128, total: u128, scale: u32) -> u128 {
    if total == 0 {
        return 0;
    }
    let scale = u128::from(scale);
    (count / total) * scale + mul_div_floor(count % total, scale, total)
}

/// `⌊a × b ÷ d⌋` for `a < d` and `b < 2^32` (so the quotient fits), through a 256-bit product.
fn mul_div_floor(a: u128, b: u128, d: u128) -> u128 {
    const LOW: u128 = u64::MAX as u128;
    let high_part = (a >> 64) * b; // < 2^96
    let low_part = (a & LOW) * b; // < 2^96
    let (lo, carry) = (high_part << 64).overflowing_add(low_part);
    let hi = (high_part >> 64) + u128::from(carry);
    // Binary long division of (hi, lo) by d; hi < d because a < d.
    let mut quotient = 0u128;
    let mut rem = hi;
    for bit in (0..128).rev() {
        let overflowed = rem >> 127 == 1;
        rem = (rem << 1) | ((lo >> bit) & 1);
        quotient <<= 1;
        // When the shift overflowed, the true remainder is 2^128 + rem ≥ d; the wrapping subtraction is exact.
        if overflowed || rem >= d {
            rem = rem.wrapping_sub(d);
            quotient |= 1;
        }
    }
    quotient
}

/// `1234567` → `1,234,567`.
fn group_digits(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host_bits = (self.last - self.first).count_ones();
        let len = self.family.bits() - host_bits;
        match self.family {
            Family::V4 => write!(f, "{}/{len}", Ipv4Addr::from(self.first as u32)),
            Family::V6 => write!(f, "{}/{len}", Ipv6Addr::from(self.first)),
        }
    }
}

#[cfg(test)]
mod tests;
