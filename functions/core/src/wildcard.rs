//! Wildcard patterns (IAM actions and ARNs, instance types), reasoned about exactly and without backtracking.
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
    case: Case,
    text: String,
    literal: bool,
    /// True for `*` (or `**`…), which matches everything.
    any: bool,
    /// Where the text after the last wildcard starts: every match ends with it.
    suffix: usize,
    /// For an action pattern whose service part (before the first `:`) has no wildcard, a hash of that part,
    /// lower-cased: two such patterns of different services never intersect, and this tells most of them apart at
    /// once.
    service: Option<u64>,
}

/// Stands for every character no literal in the patterns names (used when exploring `?` and `*`).
const OTHER: char = '\u{E000}';
/// Above this many product states the cover check gives up and answers "not covered", the sound side for a Deny.
const COVER_STATE_LIMIT: usize = 200_000;

impl Pattern {
    /// Parses `text`; consecutive `*` collapse into one.
    pub fn new(text: &str, case: Case) -> Self {
        let literal = !text.contains(['*', '?']);
        let any = !text.is_empty() && text.bytes().all(|b| b == b'*');
        let suffix = text.rfind(['*', '?']).map_or(0, |i| i + 1);
        let service =
            text.find([':', '*', '?']).filter(|&i| text.as_bytes()[i] == b':').map(|end| service_hash(&text[..end]));
        Self { case, text: text.to_string(), literal, any, suffix, service }
    }

    /// The pattern as an automaton's tokens: literals (folded when case-insensitive), `?`, and `*` (runs
    /// collapsed). Built when a question needs the automaton; matching ASCII text does not.
    fn tokens(&self) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(self.text.len());
        for c in self.text.chars() {
            let t = match token_of(c) {
                Token::Lit(c) if self.case == Case::Insensitive => Token::Lit(fold(c)),
                t => t,
            };
            if !(t == Token::Any && tokens.last() == Some(&Token::Any)) {
                tokens.push(t);
            }
        }
        tokens
    }

    /// An action pattern (case-insensitive).
    pub fn action(text: &str) -> Self {
        Self::new(text, Case::Insensitive)
    }

    /// A resource (ARN) pattern (case-sensitive).
    pub fn resource(text: &str) -> Self {
        Self::new(text, Case::Sensitive)
    }

    /// A hash of the service part of an action pattern (`s3` in `s3:Get*`, any case) when it has no wildcard.
    pub fn service_hash(&self) -> Option<u64> {
        self.service
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
        self.any
    }

    /// Does the pattern match this concrete string?
    pub fn matches(&self, s: &str) -> bool {
        if self.case == Case::Sensitive {
            if self.literal {
                return self.text == s;
            }
            if !s.ends_with(&self.text[self.suffix..]) {
                return false;
            }
        }
        // Greedy matching with one resume point: on a mismatch, the last `*` takes one more character. With only
        // `*` and `?` this finds a match whenever one exists, and allocates nothing (the audit calls it millions of
        // times). ASCII text, the usual case, is matched byte by byte.
        if self.text.is_ascii() && s.is_ascii() {
            return self.matches_ascii(s.as_bytes());
        }
        let tokens = &self.tokens();
        let (mut t, mut at) = (0usize, 0usize);
        let mut resume: Option<(usize, usize)> = None;
        loop {
            let Some(c) = s[at..].chars().next() else {
                while tokens.get(t) == Some(&Token::Any) {
                    t += 1;
                }
                return t == tokens.len();
            };
            match tokens.get(t) {
                Some(Token::Any) => {
                    resume = Some((t + 1, at));
                    t += 1;
                    continue;
                }
                Some(Token::One) => {
                    t += 1;
                    at += c.len_utf8();
                    continue;
                }
                Some(Token::Lit(x)) if *x == self.folded(c) => {
                    t += 1;
                    at += c.len_utf8();
                    continue;
                }
                _ => {}
            }
            let Some((after_star, from)) = resume else { return false };
            let skipped = s[from..].chars().next().map_or(1, char::len_utf8);
            resume = Some((after_star, from + skipped));
            t = after_star;
            at = from + skipped;
        }
    }

    /// [`Pattern::matches`] on ASCII: the pattern's own text is the automaton.
    fn matches_ascii(&self, s: &[u8]) -> bool {
        let p = self.text.as_bytes();
        let fold = self.case == Case::Insensitive;
        let (mut t, mut at) = (0usize, 0usize);
        let mut resume: Option<(usize, usize)> = None;
        while at < s.len() {
            match p.get(t) {
                Some(b'*') => {
                    resume = Some((t + 1, at));
                    t += 1;
                    continue;
                }
                Some(b'?') => {
                    t += 1;
                    at += 1;
                    continue;
                }
                Some(&c) if c == s[at] || (fold && c.eq_ignore_ascii_case(&s[at])) => {
                    t += 1;
                    at += 1;
                    continue;
                }
                _ => {}
            }
            let Some((after_star, from)) = resume else { return false };
            resume = Some((after_star, from + 1));
            t = after_star;
            at = from + 1;
        }
        p[t.min(p.len())..].iter().all(|&c| c == b'*')
    }

    /// Adds the states reachable by letting `*` match nothing; sorted, deduplicated.
    fn closure(tokens: &[Token], mut states: Vec<usize>) -> Vec<usize> {
        let mut i = 0;
        while i < states.len() {
            let s = states[i];
            if tokens.get(s) == Some(&Token::Any) && !states.contains(&(s + 1)) {
                states.push(s + 1);
            }
            i += 1;
        }
        states.sort_unstable();
        states.dedup();
        states
    }

    /// A string both patterns match (the shortest), or `None` when they match nothing in common.
    /// Compares case-insensitively if either pattern does; such witnesses are lower-cased.
    pub fn intersection(&self, other: &Pattern) -> Option<String> {
        let insensitive = self.case == Case::Insensitive || other.case == Case::Insensitive;
        let lit = |c: char| if insensitive { fold(c) } else { c };
        let (a, b) = (&self.tokens(), &other.tokens());
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
        // Different literal services (the text before the first colon) match different strings.
        if let (Some(a), Some(b)) = (self.service, other.service) {
            if a != b {
                return false;
            }
        }
        // Literal prefixes and suffixes must agree where both have them: most pairs (other services, other ARNs)
        // differ there, without building the product.
        let insensitive = self.case == Case::Insensitive || other.case == Case::Insensitive;
        let (a, b) = (&self.text, &other.text);
        if !literals_agree(a.chars().zip(b.chars()), insensitive)
            || !literals_agree(a.chars().rev().zip(b.chars().rev()), insensitive)
        {
            return false;
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
        let own = self.tokens();
        let b = &other.tokens();
        // The characters that can tell states apart: every literal of `self`, and one that is none of them.
        let mut alphabet: Vec<char> = own
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
                match own.get(s) {
                    Some(Token::Lit(x)) if lit(*x) == c => next.push(s + 1),
                    Some(Token::One) => next.push(s + 1),
                    Some(Token::Any) => next.push(s),
                    _ => {}
                }
            }
            Self::closure(&own, next)
        };
        type Node = (usize, Vec<usize>);
        let start: Node = (0, Self::closure(&own, vec![0]));
        let mut parent: HashMap<Node, Option<(Node, Option<char>)>> = HashMap::from([(start.clone(), None)]);
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let (j, ref states) = node;
            if j == b.len() && !states.contains(&own.len()) {
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
        // Two strings `other` surely matches (its wildcards as short and as long as can be); one `self` does not
        // match disproves covering without the product automaton, which is the usual answer.
        for star in ["", "#"] {
            let witness = other.text.replace('*', star).replace('?', "#");
            if !self.matches(&witness) {
                return false;
            }
        }
        self.uncovered(other).is_none()
    }
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// FNV-1a over the lower-cased bytes.
fn service_hash(service: &str) -> u64 {
    service
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x100_0000_01b3))
}

/// Wildcards and literals, character by character.
fn token_of(c: char) -> Token {
    match c {
        '*' => Token::Any,
        '?' => Token::One,
        c => Token::Lit(c),
    }
}

/// Do two texts' characters (from the start, or from the end) agree on their literals up to the first wildcard
/// in either?
fn literals_agree(pairs: impl Iterator<Item = (char, char)>, insensitive: bool) -> bool {
    for (a, b) in pairs {
        match (token_of(a), token_of(b)) {
            (Token::Lit(a), Token::Lit(b)) if a == b || (insensitive && fold(a) == fold(b)) => {}
            (Token::Lit(_), Token::Lit(_)) => return false,
            // Past the first wildcard, positions no longer line up.
            _ => return true,
        }
    }
    true
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

        /// The shortcuts of `intersects` and `covers` (literal services, prefixes and suffixes, sample strings)
        /// never change the product automata's answers (which the test below checks against brute force), with
        /// colons and case in play.
        #[test]
        fn shortcuts_agree_with_the_automata(a in "[aB:*?]{0,6}", b in "[Ab:*?]{0,6}") {
            for (pa, pb) in [
                (Pattern::action(&a), Pattern::action(&b)),
                (Pattern::resource(&a), Pattern::resource(&b)),
                (Pattern::action(&a), Pattern::resource(&b)),
            ] {
                prop_assert_eq!(pa.intersects(&pb), pa.intersection(&pb).is_some(), "{} ∩ {}", a, b);
                prop_assert_eq!(pa.covers(&pb), pa.uncovered(&pb).is_none(), "{} ⊇ {}", a, b);
            }
        }

        /// Matching against its definition, with and without case folding, on non-ASCII text too.
        #[test]
        fn matching_agrees_with_the_definition(p in "[aAbé?*]{0,7}", s in "[aAbéc]{0,8}") {
            // The definition, by recursion: `*` takes nothing or one more character, `?` exactly one.
            fn defined(p: &[char], s: &[char], any_case: bool) -> bool {
                let eq = |x: char, y: char| if any_case { fold(x) == fold(y) } else { x == y };
                match (p.first(), s.first()) {
                    (None, _) => s.is_empty(),
                    (Some('*'), _) => {
                        defined(&p[1..], s, any_case) || (!s.is_empty() && defined(p, &s[1..], any_case))
                    }
                    (Some(_), None) => false,
                    (Some('?'), Some(_)) => defined(&p[1..], &s[1..], any_case),
                    (Some(&x), Some(&y)) => eq(x, y) && defined(&p[1..], &s[1..], any_case),
                }
            }
            let (pc, sc): (Vec<char>, Vec<char>) = (p.chars().collect(), s.chars().collect());
            prop_assert_eq!(Pattern::resource(&p).matches(&s), defined(&pc, &sc, false), "{} ~ {}", p, s);
            prop_assert_eq!(Pattern::action(&p).matches(&s), defined(&pc, &sc, true), "{} ~ {} (any case)", p, s);
        }

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
