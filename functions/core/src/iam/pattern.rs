//! IAM wildcard patterns, reasoned about exactly and without backtracking.
//!
//! A pattern is a sequence of literals, `?` (one character) and `*` (any run, empty included). Each question is
//! answered on a product of the patterns' automata, visiting each pair of states once:
//! - [`Pattern::intersection`]: a string both patterns match, if any (can an Allow on `s3:Get*` grant something a
//!   class lists as `s3:*Object`?);
//! - [`Pattern::uncovered`]: a string the other pattern matches and this one does not, if any (does a Deny on
//!   `s3:*` cover everything `s3:Get*` allows?). `covers` is its negation.
//!
//! Actions compare case-insensitively, ARNs case-sensitively ([`Case`]).

use std::collections::{HashMap, HashSet, VecDeque};

/// How characters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// ARNs and resource patterns.
    Sensitive,
    /// Action names.
    Insensitive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    Lit(char),
    One,
    Any,
}

/// A parsed IAM wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    tokens: Vec<Token>,
    case: Case,
    text: String,
    literal: bool,
}

/// Stands for every character no literal in the patterns names (used when exploring `?` and `*`).
const OTHER: char = '\u{E000}';
/// Above this many product states the cover check gives up and answers "not covered", the sound side for a Deny.
const COVER_STATE_LIMIT: usize = 200_000;

impl Pattern {
    /// Parses `text`; consecutive `*` collapse into one.
    pub fn new(text: &str, case: Case) -> Self {
        let mut tokens = Vec::with_capacity(text.len());
        for c in text.chars() {
            let t = match c {
                '*' => Token::Any,
                '?' => Token::One,
                c if case == Case::Insensitive => Token::Lit(fold(c)),
                c => Token::Lit(c),
            };
            if !(t == Token::Any && tokens.last() == Some(&Token::Any)) {
                tokens.push(t);
            }
        }
        let literal = tokens.iter().all(|t| matches!(t, Token::Lit(_)));
        Self { tokens, case, text: text.to_string(), literal }
    }

    /// An action pattern (case-insensitive).
    pub fn action(text: &str) -> Self {
        Self::new(text, Case::Insensitive)
    }

    /// A resource (ARN) pattern (case-sensitive).
    pub fn resource(text: &str) -> Self {
        Self::new(text, Case::Sensitive)
    }

    /// The text it was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn folded(&self, c: char) -> char {
        if self.case == Case::Insensitive {
            fold(c)
        } else {
            c
        }
    }

    /// True when the pattern has no wildcard: it matches exactly its own text.
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// True for `*`, which matches everything.
    fn is_any(&self) -> bool {
        self.tokens == [Token::Any]
    }

    /// Does the pattern match this concrete string?
    pub fn matches(&self, s: &str) -> bool {
        if self.literal {
            return match self.case {
                Case::Sensitive => self.text == s,
                Case::Insensitive => {
                    self.tokens.len() == s.chars().count()
                        && self.tokens.iter().zip(s.chars()).all(|(t, c)| *t == Token::Lit(fold(c)))
                }
            };
        }
        let mut states = self.closure(vec![0]);
        for c in s.chars() {
            states = self.step(&states, self.folded(c));
            if states.is_empty() {
                return false;
            }
        }
        states.contains(&self.tokens.len())
    }

    /// Adds the states reachable by letting `*` match nothing; sorted, deduplicated.
    fn closure(&self, mut states: Vec<usize>) -> Vec<usize> {
        let mut i = 0;
        while i < states.len() {
            let s = states[i];
            if self.tokens.get(s) == Some(&Token::Any) && !states.contains(&(s + 1)) {
                states.push(s + 1);
            }
            i += 1;
        }
        states.sort_unstable();
        states.dedup();
        states
    }

    fn step(&self, states: &[usize], c: char) -> Vec<usize> {
        let mut next = Vec::with_capacity(states.len() + 1);
        for &s in states {
            match self.tokens.get(s) {
                Some(Token::Lit(x)) if *x == c => next.push(s + 1),
                Some(Token::One) => next.push(s + 1),
                Some(Token::Any) => next.push(s),
                _ => {}
            }
        }
        self.closure(next)
    }

    /// A string both patterns match (the shortest), or `None` when they match nothing in common.
    /// Compares case-insensitively if either pattern does; such witnesses are lower-cased.
    pub fn intersection(&self, other: &Pattern) -> Option<String> {
        let insensitive = self.case == Case::Insensitive || other.case == Case::Insensitive;
        let lit = |c: char| if insensitive { fold(c) } else { c };
        let (a, b) = (&self.tokens, &other.tokens);
        let goal = (a.len(), b.len());
        type Pair = (usize, usize);
        let mut parent: HashMap<Pair, (Pair, Option<char>)> = HashMap::new();
        let mut queue = VecDeque::from([(0usize, 0usize)]);
        parent.insert((0, 0), ((0, 0), None));
        while let Some((i, j)) = queue.pop_front() {
            if (i, j) == goal {
                let mut out = Vec::new();
                let mut at = goal;
                while at != (0, 0) {
                    let (prev, c) = parent[&at];
                    out.extend(c);
                    at = prev;
                }
                out.reverse();
                return Some(out.into_iter().collect());
            }
            let mut moves: Vec<(Pair, Option<char>)> = Vec::with_capacity(4);
            if a.get(i) == Some(&Token::Any) {
                moves.push(((i + 1, j), None));
            }
            if b.get(j) == Some(&Token::Any) {
                moves.push(((i, j + 1), None));
            }
            if let (Some(ta), Some(tb)) = (a.get(i), b.get(j)) {
                let adv = |t: &Token, k: usize| if *t == Token::Any { k } else { k + 1 };
                let c = match (ta, tb) {
                    (Token::Lit(x), Token::Lit(y)) => (lit(*x) == lit(*y)).then_some(*x),
                    (Token::Lit(x), _) => Some(*x),
                    (_, Token::Lit(y)) => Some(*y),
                    (Token::Any, Token::Any) => None, // a self-loop on both sides adds nothing
                    _ => Some('x'),
                };
                if let Some(c) = c {
                    moves.push(((adv(ta, i), adv(tb, j)), Some(c)));
                }
            }
            for (next, c) in moves {
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(next) {
                    e.insert(((i, j), c));
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Do the patterns match at least one common string?
    pub fn intersects(&self, other: &Pattern) -> bool {
        if self.is_any() || other.is_any() {
            return true;
        }
        // Against a literal (most class entries and most ARNs) this is a plain match, far cheaper than the product.
        if self.case == other.case {
            if other.is_literal() {
                return self.matches(&other.text);
            }
            if self.is_literal() {
                return other.matches(&self.text);
            }
        }
        self.intersection(other).is_some()
    }

    /// A string `other` matches and `self` does not (the shortest found), or `None` when `self` covers `other`.
    /// If the search grows past a fixed bound it answers with a placeholder witness: "not proven covered".
    pub fn uncovered(&self, other: &Pattern) -> Option<String> {
        let insensitive = self.case == Case::Insensitive || other.case == Case::Insensitive;
        let lit = |c: char| if insensitive { fold(c) } else { c };
        let b = &other.tokens;
        // The characters that can tell states apart: every literal of `self`, and one that is none of them.
        let mut alphabet: Vec<char> = self
            .tokens
            .iter()
            .filter_map(|t| if let Token::Lit(c) = t { Some(lit(*c)) } else { None })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        alphabet.sort_unstable();
        alphabet.push(OTHER);
        let step = |states: &[usize], c: char| -> Vec<usize> {
            let mut next = Vec::new();
            for &s in states {
                match self.tokens.get(s) {
                    Some(Token::Lit(x)) if lit(*x) == c => next.push(s + 1),
                    Some(Token::One) => next.push(s + 1),
                    Some(Token::Any) => next.push(s),
                    _ => {}
                }
            }
            self.closure(next)
        };
        type Node = (usize, Vec<usize>);
        let start: Node = (0, self.closure(vec![0]));
        let mut parent: HashMap<Node, Option<(Node, Option<char>)>> = HashMap::from([(start.clone(), None)]);
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let (j, ref states) = node;
            if j == b.len() && !states.contains(&self.tokens.len()) {
                let mut out = Vec::new();
                let mut at = node.clone();
                while let Some(Some((prev, c))) = parent.get(&at) {
                    out.extend(c.map(|c| if c == OTHER { '#' } else { c }));
                    at = prev.clone();
                }
                out.reverse();
                return Some(out.into_iter().collect());
            }
            if parent.len() > COVER_STATE_LIMIT {
                return Some(format!("<not proven: more than {COVER_STATE_LIMIT} states>"));
            }
            let mut moves: Vec<(Node, Option<char>)> = Vec::new();
            match b.get(j) {
                Some(Token::Lit(y)) => {
                    let c = lit(*y);
                    let c = if alphabet.contains(&c) { c } else { OTHER };
                    moves.push(((j + 1, step(states, c)), Some(if c == OTHER { *y } else { c })));
                }
                Some(Token::One) => {
                    for &c in &alphabet {
                        moves.push(((j + 1, step(states, c)), Some(c)));
                    }
                }
                Some(Token::Any) => {
                    moves.push(((j + 1, states.clone()), None));
                    for &c in &alphabet {
                        moves.push(((j, step(states, c)), Some(c)));
                    }
                }
                None => {}
            }
            for (next, c) in moves {
                if !parent.contains_key(&next) {
                    parent.insert(next.clone(), Some((node.clone(), c)));
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// Does `self` match every string `other` matches?
    pub fn covers(&self, other: &Pattern) -> bool {
        if self.is_any() {
            return true;
        }
        if self.case == other.case && other.is_literal() {
            return self.matches(&other.text);
        }
        self.uncovered(other).is_none()
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn matching() {
        let p = Pattern::action("s3:Get*");
        assert!(p.matches("s3:GetObject") && p.matches("S3:getobject") && p.matches("s3:Get"));
        assert!(!p.matches("s3:PutObject"));
        assert!(Pattern::action("iam:?assRole").matches("iam:PassRole"));
        assert!(!Pattern::action("iam:?assRole").matches("iam:assRole"));
        let arn = Pattern::resource("arn:aws:s3:::Bucket/*");
        assert!(arn.matches("arn:aws:s3:::Bucket/key") && !arn.matches("arn:aws:s3:::bucket/key"));
    }

    #[test]
    fn intersections_with_witnesses() {
        let w = Pattern::action("s3:Get*").intersection(&Pattern::action("s3:*Object")).unwrap();
        assert!(Pattern::action("s3:Get*").matches(&w) && Pattern::action("s3:*Object").matches(&w), "{w}");
        assert_eq!(Pattern::action("s3:Get*").intersection(&Pattern::action("s3:Put*")), None);
        // Case-insensitive witnesses come back case-folded.
        assert_eq!(
            Pattern::action("IAM:PassRole").intersection(&Pattern::action("iam:pass*")).as_deref(),
            Some("iam:passrole")
        );
        assert!(!Pattern::resource("arn:aws:s3:::Bucket/*").intersects(&Pattern::resource("arn:aws:s3:::bucket/*")));
        assert!(Pattern::action("*").intersects(&Pattern::action("codedeploy:CreateDeployment")));
        assert!(Pattern::action("lambda:Update?unctionCode").intersects(&Pattern::action("lambda:UpdateFunction*")));
    }

    #[test]
    fn covering_with_counterexamples() {
        assert!(Pattern::action("*").covers(&Pattern::action("s3:Get*")));
        assert!(Pattern::action("s3:*").covers(&Pattern::action("S3:Get*")));
        let gap = Pattern::action("s3:Get*").uncovered(&Pattern::action("s3:*")).unwrap();
        assert!(Pattern::action("s3:*").matches(&gap) && !Pattern::action("s3:Get*").matches(&gap), "{gap}");
        assert!(Pattern::action("s3:?et*").covers(&Pattern::action("s3:Get*")));
        assert!(Pattern::resource("a*b*c").covers(&Pattern::resource("a*bc")));
        assert!(Pattern::resource("a*b").covers(&Pattern::resource("a?b")));
        assert!(!Pattern::resource("a?b").covers(&Pattern::resource("a*b")));
        assert!(!Pattern::resource("arn:aws:s3:::b/*").covers(&Pattern::resource("arn:aws:s3:::B/*")));
    }

    #[test]
    fn many_stars_stay_fast() {
        let many = "*a".repeat(40) + "*";
        let p = Pattern::resource(&many);
        let q = Pattern::resource(&("a*".repeat(40)));
        assert!(p.intersects(&q));
        assert!(p.covers(&q) || p.uncovered(&q).is_some());
        assert!(p.matches(&"ba".repeat(40)));
        assert!(!p.matches(&"b".repeat(200)));
    }

    fn strings(alphabet: &[char], max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..max {
            let mut next = vec![];
            for s in &frontier {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            all.extend(next.iter().cloned());
            frontier = next;
        }
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// Against brute force over every string up to length 6 on {a, b, c}.
        #[test]
        fn agrees_with_brute_force(a in "[ab?*]{0,5}", b in "[abc?*]{0,5}") {
            let (pa, pb) = (Pattern::resource(&a), Pattern::resource(&b));
            let universe = strings(&['a', 'b', 'c'], 6);
            match pa.intersection(&pb) {
                Some(w) => prop_assert!(pa.matches(&w) && pb.matches(&w), "{a} ∩ {b}: {w}"),
                None => prop_assert!(!universe.iter().any(|s| pa.matches(s) && pb.matches(s)), "{a} ∩ {b} missed"),
            }
            match pa.uncovered(&pb) {
                Some(w) => {
                    let w = w.replace('#', "c");
                    prop_assert!(pb.matches(&w) && !pa.matches(&w), "{a} ⊉ {b}: bad witness {w}");
                }
                None => prop_assert!(!universe.iter().any(|s| pb.matches(s) && !pa.matches(s)), "{a} ⊇ {b} wrong"),
            }
        }
    }
}
