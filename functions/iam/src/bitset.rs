//! A fixed-size set of small integers, 64 to a word: the escalation graph's rows, columns and frontiers.

/// A set of indices below a fixed size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    /// No index, out of `len`.
    pub(crate) fn empty(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)], len }
    }

    /// Every index below `len`.
    pub(crate) fn full(len: usize) -> Self {
        let mut s = Self { words: vec![u64::MAX; len.div_ceil(64)], len };
        s.trim();
        s
    }

    fn trim(&mut self) {
        if !self.len.is_multiple_of(64) {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << (self.len % 64)) - 1;
            }
        }
    }

    /// Adds `i`.
    pub(crate) fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Is `i` in the set?
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// True when no index is in the set.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// How many indices are in the set.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Adds every index of `other`; true when something was added.
    pub(crate) fn union_with(&mut self, other: &Self) -> bool {
        let mut changed = false;
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            let next = *a | *b;
            changed |= next != *a;
            *a = next;
        }
        changed
    }

    /// Keeps only indices also in `other`.
    pub(crate) fn intersect_with(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= *b;
        }
    }

    /// Removes every index of `other`.
    pub(crate) fn subtract(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !*b;
        }
    }

    /// The indices in the set, ascending.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + i)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn set_operations_match_btreeset(a in prop::collection::btree_set(0usize..150, 0..40),
                                         b in prop::collection::btree_set(0usize..150, 0..40)) {
            let build = |s: &BTreeSet<usize>| { let mut b = Bitset::empty(150); s.iter().for_each(|&i| b.insert(i)); b };
            let (sa, sb) = (build(&a), build(&b));
            prop_assert_eq!(sa.iter().collect::<BTreeSet<_>>(), a.clone());
            let mut u = sa.clone(); u.union_with(&sb);
            prop_assert_eq!(u.iter().collect::<BTreeSet<_>>(), a.union(&b).copied().collect::<BTreeSet<_>>());
            let mut i = sa.clone(); i.intersect_with(&sb);
            prop_assert_eq!(i.iter().collect::<BTreeSet<_>>(), a.intersection(&b).copied().collect::<BTreeSet<_>>());
            let mut d = sa.clone(); d.subtract(&sb);
            prop_assert_eq!(d.iter().collect::<BTreeSet<_>>(), a.difference(&b).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(sa.count(), a.len());
        }
    }

    #[test]
    fn full_sets_hold_exactly_their_length() {
        for len in [0, 1, 63, 64, 65, 130] {
            assert_eq!(Bitset::full(len).count(), len);
            assert_eq!(Bitset::full(len).iter().last(), len.checked_sub(1));
        }
    }
}
