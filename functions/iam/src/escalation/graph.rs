//! Graph algorithms over bitset adjacency: reverse reachability (who reaches each node), through strongly connected
//! components so a dense graph costs little more than a sparse one.

use super::Bitset;

/// For every node, the set of nodes that reach it (itself included).
pub(super) fn reached_by(succ: &[Bitset]) -> Vec<Bitset> {
    let n = succ.len();
    let (component, order) = components(succ);
    let count = order.len();
    // Members and predecessor components of each component.
    let mut members: Vec<Bitset> = vec![Bitset::empty(n); count];
    for (v, &c) in component.iter().enumerate() {
        members[c].insert(v);
    }
    // Predecessor components as sets: a dense graph (a role that may pass every role) has many edges per pair.
    let mut from: Vec<Bitset> = vec![Bitset::empty(count); count];
    for (v, row) in succ.iter().enumerate() {
        for w in row.iter() {
            let (cv, cw) = (component[v], component[w]);
            if cv != cw {
                from[cw].insert(cv);
            }
        }
    }
    // `order` lists components sinks first; sources first means every predecessor is done before its successors.
    let mut reach: Vec<Bitset> = vec![Bitset::empty(n); count];
    for &c in order.iter().rev() {
        let mut set = members[c].clone();
        for p in from[c].iter() {
            set.union_with(&reach[p]);
        }
        reach[c] = set;
    }
    component.iter().map(|&c| reach[c].clone()).collect()
}

/// Strongly connected components (Tarjan, iterative): each node's component, and the components in the order they
/// complete (every component after all the components it reaches).
fn components(succ: &[Bitset]) -> (Vec<usize>, Vec<usize>) {
    let n = succ.len();
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![NONE; n];
    let mut order = Vec::new();
    let mut next_index = 0;
    let adjacency: Vec<Vec<usize>> = succ.iter().map(|row| row.iter().collect()).collect();
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        // (node, position in its adjacency list)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if let Some(&w) = adjacency[v].get(*pos) {
                *pos += 1;
                if index[w] == NONE {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let c = order.len();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = c;
                    if w == v {
                        break;
                    }
                }
                order.push(c);
            }
        }
    }
    (component, order)
}

/// The transpose of an adjacency: `pred[w]` holds every `v` with `w` in `succ[v]`.
pub(super) fn transpose(succ: &[Bitset]) -> Vec<Bitset> {
    let n = succ.len();
    let mut pred = vec![Bitset::empty(n); n];
    for (v, row) in succ.iter().enumerate() {
        for w in row.iter() {
            pred[w].insert(v);
        }
    }
    pred
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> Vec<Bitset> {
        let mut succ = vec![Bitset::empty(n); n];
        for &(a, b) in edges {
            succ[a % n].insert(b % n);
        }
        succ
    }

    /// Who reaches `target`, by plain breadth-first search over reversed edges.
    fn brute(succ: &[Bitset], target: usize) -> Vec<usize> {
        let n = succ.len();
        let mut seen = vec![false; n];
        seen[target] = true;
        let mut frontier = vec![target];
        while let Some(t) = frontier.pop() {
            for v in 0..n {
                if !seen[v] && succ[v].contains(t) {
                    seen[v] = true;
                    frontier.push(v);
                }
            }
        }
        (0..n).filter(|&v| seen[v]).collect()
    }

    proptest! {
        #[test]
        fn reverse_reachability_matches_search(n in 1usize..40, edges in prop::collection::vec((0usize..40, 0usize..40), 0..120)) {
            let succ = graph(n, &edges);
            let reach = reached_by(&succ);
            for (t, reached) in reach.iter().enumerate() {
                prop_assert_eq!(reached.iter().collect::<Vec<_>>(), brute(&succ, t));
            }
            let pred = transpose(&succ);
            for (v, row) in succ.iter().enumerate() {
                for w in row.iter() {
                    prop_assert!(pred[w].contains(v));
                }
            }
        }
    }
}
