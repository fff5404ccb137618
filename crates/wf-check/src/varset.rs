//! Sets of variables for the dataflow of `flow.rs`: persistent bitsets that share structure.
//!
//! A set is a radix tree of fixed height over the bits of the variable ids: leaves of
//! [`LEAF_WORDS`] words, inner nodes of [`FANOUT`] children, and no subtree for an empty
//! part (so an empty set is one `None`, and two equal sets have the same shape). Copying a
//! set copies a pointer; inserting or removing a variable copies one root-to-leaf path;
//! union and intersection skip the subtrees the two sets share and allocate only where the
//! result differs from both sides. So the definedness and liveness of every node of a long
//! subworkflow, where each node's set is its predecessor's with a variable more, cost about
//! one path per definition instead of nodes × variables bits.

use std::rc::Rc;

/// Words in a leaf (1,024 variables).
const LEAF_WORDS: usize = 16;
/// Children of an inner node.
const FANOUT: usize = 16;
/// log2 of the variables a leaf holds.
const LEAF_SHIFT: u32 = 10;
/// log2 of [`FANOUT`].
const FANOUT_SHIFT: u32 = 4;

type Link = Option<Rc<Node>>;

#[derive(Clone, Debug)]
enum Node {
    Leaf([u64; LEAF_WORDS]),
    Inner([Link; FANOUT]),
}

/// A set of variable ids below the capacity it was made for.
#[derive(Clone, Debug)]
pub(crate) struct VarSet {
    /// Inner levels above the leaves.
    height: u32,
    root: Link,
}

/// Which child of an inner node at `height` (≥ 1) holds `v`.
fn child(v: usize, height: u32) -> usize {
    (v >> (LEAF_SHIFT + FANOUT_SHIFT * (height - 1))) & (FANOUT - 1)
}

/// The word of a leaf that holds `v`, and its bit.
fn word_bit(v: usize) -> (usize, u64) {
    ((v >> 6) & (LEAF_WORDS - 1), 1 << (v % 64))
}

impl VarSet {
    /// The empty set, for ids below `vars`.
    pub fn empty(vars: usize) -> VarSet {
        let mut height = 0;
        while (vars.max(1) - 1) >> (LEAF_SHIFT + FANOUT_SHIFT * height) != 0 {
            height += 1;
        }
        VarSet { height, root: None }
    }

    /// The largest id the set can hold, plus one.
    fn capacity(&self) -> usize {
        1 << (LEAF_SHIFT + FANOUT_SHIFT * self.height).min(usize::BITS - 1)
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: usize) -> bool {
        if v >= self.capacity() {
            return false;
        }
        let mut link = &self.root;
        let mut height = self.height;
        loop {
            match link.as_deref() {
                None => return false,
                Some(Node::Leaf(words)) => {
                    let (w, bit) = word_bit(v);
                    return words[w] & bit != 0;
                }
                Some(Node::Inner(children)) => {
                    link = &children[child(v, height)];
                    height -= 1;
                }
            }
        }
    }

    /// Whether the two sets are one tree (a cheap test: equal sets built apart are not).
    pub fn is_same_tree(&self, other: &VarSet) -> bool {
        match (&self.root, &other.root) {
            (None, None) => true,
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Adds `v` (ids past the capacity are ignored).
    pub fn insert(&mut self, v: usize) {
        if v < self.capacity() && !self.contains(v) {
            insert_in(&mut self.root, self.height, v);
        }
    }

    /// Removes `v`.
    pub fn remove(&mut self, v: usize) {
        if self.contains(v) {
            remove_in(&mut self.root, self.height, v);
        }
    }

    /// Adds `other`; returns whether anything changed.
    pub fn union_with(&mut self, other: &VarSet) -> bool {
        debug_assert_eq!(self.height, other.height);
        match union(&self.root, &other.root) {
            Some(root) => {
                self.root = root;
                true
            }
            None => false,
        }
    }

    /// Keeps only what is also in `other`; returns whether anything changed.
    pub fn intersect_with(&mut self, other: &VarSet) -> bool {
        debug_assert_eq!(self.height, other.height);
        match intersect(&self.root, &other.root) {
            Some(root) => {
                self.root = root;
                true
            }
            None => false,
        }
    }

    /// The tree nodes this set reaches, shared ones counted once per set (for the tests
    /// that bound the memory of the analyses).
    #[cfg(test)]
    pub fn nodes(&self, seen: &mut std::collections::HashSet<*const ()>) -> usize {
        fn walk(link: &Link, seen: &mut std::collections::HashSet<*const ()>) -> usize {
            let Some(node) = link else { return 0 };
            if !seen.insert(Rc::as_ptr(node).cast()) {
                return 0;
            }
            match &**node {
                Node::Leaf(_) => 1,
                Node::Inner(children) => 1 + children.iter().map(|c| walk(c, seen)).sum::<usize>(),
            }
        }
        walk(&self.root, seen)
    }
}

impl PartialEq for VarSet {
    fn eq(&self, other: &VarSet) -> bool {
        self.height == other.height && same(&self.root, &other.root)
    }
}

impl Eq for VarSet {}

fn insert_in(link: &mut Link, height: u32, v: usize) {
    let node = link.get_or_insert_with(|| {
        Rc::new(if height == 0 { Node::Leaf([0; LEAF_WORDS]) } else { Node::Inner(Default::default()) })
    });
    match Rc::make_mut(node) {
        Node::Leaf(words) => {
            let (w, bit) = word_bit(v);
            words[w] |= bit;
        }
        Node::Inner(children) => insert_in(&mut children[child(v, height)], height - 1, v),
    }
}

/// Removes `v`, which is in the subtree; drops the nodes left empty.
fn remove_in(link: &mut Link, height: u32, v: usize) {
    let Some(node) = link else { return };
    let empty = match Rc::make_mut(node) {
        Node::Leaf(words) => {
            let (w, bit) = word_bit(v);
            words[w] &= !bit;
            words.iter().all(|&w| w == 0)
        }
        Node::Inner(children) => {
            remove_in(&mut children[child(v, height)], height - 1, v);
            children.iter().all(Option::is_none)
        }
    };
    if empty {
        *link = None;
    }
}

/// Whether two subtrees hold the same variables (empty parts have no subtree, so equal
/// sets have equal shapes).
fn same(a: &Link, b: &Link) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) if Rc::ptr_eq(x, y) => true,
        (Some(x), Some(y)) => match (&**x, &**y) {
            (Node::Leaf(p), Node::Leaf(q)) => p == q,
            (Node::Inner(p), Node::Inner(q)) => p.iter().zip(q).all(|(c, d)| same(c, d)),
            _ => false,
        },
        _ => false,
    }
}

/// `a ∪ b`, or `None` when that is `a`. Shares `b`'s node when the union is `b`.
fn union(a: &Link, b: &Link) -> Option<Link> {
    let (x, y) = match (a, b) {
        (_, None) => return None,
        (None, Some(_)) => return Some(b.clone()),
        (Some(x), Some(y)) if Rc::ptr_eq(x, y) => return None,
        (Some(x), Some(y)) => (x, y),
    };
    match (&**x, &**y) {
        (Node::Leaf(p), Node::Leaf(q)) => {
            if p.iter().zip(q).all(|(p, q)| q & !p == 0) {
                return None;
            }
            if p.iter().zip(q).all(|(p, q)| p & !q == 0) {
                return Some(b.clone());
            }
            Some(Some(Rc::new(Node::Leaf(std::array::from_fn(|i| p[i] | q[i])))))
        }
        (Node::Inner(p), Node::Inner(q)) => {
            let mut out: Option<[Link; FANOUT]> = None;
            for i in 0..FANOUT {
                if let Some(c) = union(&p[i], &q[i]) {
                    out.get_or_insert_with(|| p.clone())[i] = c;
                }
            }
            let out = out?;
            Some(if shares_all(&out, q) { b.clone() } else { Some(Rc::new(Node::Inner(out))) })
        }
        _ => None,
    }
}

/// `a ∩ b`, or `None` when that is `a`. Shares `b`'s node when the intersection is `b`.
fn intersect(a: &Link, b: &Link) -> Option<Link> {
    let (x, y) = match (a, b) {
        (None, _) => return None,
        (Some(_), None) => return Some(None),
        (Some(x), Some(y)) if Rc::ptr_eq(x, y) => return None,
        (Some(x), Some(y)) => (x, y),
    };
    match (&**x, &**y) {
        (Node::Leaf(p), Node::Leaf(q)) => {
            if p.iter().zip(q).all(|(p, q)| p & !q == 0) {
                return None;
            }
            if p.iter().zip(q).all(|(p, q)| q & !p == 0) {
                return Some(b.clone());
            }
            let words: [u64; LEAF_WORDS] = std::array::from_fn(|i| p[i] & q[i]);
            Some(words.iter().any(|&w| w != 0).then(|| Rc::new(Node::Leaf(words))))
        }
        (Node::Inner(p), Node::Inner(q)) => {
            let mut out: Option<[Link; FANOUT]> = None;
            for i in 0..FANOUT {
                if let Some(c) = intersect(&p[i], &q[i]) {
                    out.get_or_insert_with(|| p.clone())[i] = c;
                }
            }
            let out = out?;
            Some(if out.iter().all(Option::is_none) {
                None
            } else if shares_all(&out, q) {
                b.clone()
            } else {
                Some(Rc::new(Node::Inner(out)))
            })
        }
        _ => None,
    }
}

/// Whether every child of `out` is the same node as `b`'s (or both absent).
fn shares_all(out: &[Link; FANOUT], b: &[Link; FANOUT]) -> bool {
    out.iter().zip(b).all(|(c, d)| match (c, d) {
        (None, None) => true,
        (Some(c), Some(d)) => Rc::ptr_eq(c, d),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::VarSet;

    fn set(capacity: usize, items: &BTreeSet<usize>) -> VarSet {
        let mut s = VarSet::empty(capacity);
        for &v in items {
            s.insert(v);
        }
        s
    }

    fn items(capacity: usize, s: &VarSet) -> BTreeSet<usize> {
        (0..capacity).filter(|&v| s.contains(v)).collect()
    }

    #[test]
    fn heights_grow_with_the_capacity() {
        assert_eq!(VarSet::empty(0).height, 0);
        assert_eq!(VarSet::empty(1024).height, 0);
        assert_eq!(VarSet::empty(1025).height, 1);
        assert_eq!(VarSet::empty(16 * 1024).height, 1);
        assert_eq!(VarSet::empty(16 * 1024 + 1).height, 2);
        let mut s = VarSet::empty(10);
        s.insert(5000);
        assert!(!s.contains(5000), "ids past the capacity are ignored");
    }

    #[test]
    fn a_copy_with_one_more_variable_shares_the_rest() {
        let mut a = VarSet::empty(100_000);
        for v in (0..100_000).step_by(7) {
            a.insert(v);
        }
        let mut b = a.clone();
        b.insert(50_002);
        let mut seen = std::collections::HashSet::new();
        let first = a.nodes(&mut seen);
        assert_eq!(b.nodes(&mut seen), 3, "one path of a height-2 tree is new");
        assert!(first > 90);
        b.remove(50_002);
        assert_eq!(a, b);
        let mut c = a.clone();
        assert!(!c.union_with(&b));
        assert!(!c.intersect_with(&b));
    }

    fn ops() -> impl Strategy<Value = (usize, BTreeSet<usize>, BTreeSet<usize>, Vec<usize>)> {
        prop_oneof![Just(60usize), Just(3000), Just(40_000)].prop_flat_map(|cap| {
            let item = prop_oneof![0..cap, (0..cap.div_ceil(64)).prop_map(|w| w * 64), Just(cap - 1)];
            (
                Just(cap),
                proptest::collection::btree_set(item.clone(), 0..80),
                proptest::collection::btree_set(item.clone(), 0..80),
                proptest::collection::vec(item, 0..20),
            )
        })
    }

    proptest! {
        #[test]
        fn behaves_as_a_set((cap, a, b, removed) in ops()) {
            let (sa, sb) = (set(cap, &a), set(cap, &b));
            prop_assert_eq!(items(cap, &sa), a.clone());
            let mut u = sa.clone();
            let changed = u.union_with(&sb);
            let union: BTreeSet<usize> = a.union(&b).copied().collect();
            prop_assert_eq!(changed, union != a);
            prop_assert_eq!(items(cap, &u), union.clone());
            prop_assert_eq!(&u, &set(cap, &union));
            let mut i = sa.clone();
            let changed = i.intersect_with(&sb);
            let inter: BTreeSet<usize> = a.intersection(&b).copied().collect();
            prop_assert_eq!(changed, inter != a);
            prop_assert_eq!(&i, &set(cap, &inter));
            prop_assert_eq!(items(cap, &i), inter);
            let mut r = sa.clone();
            let mut left = a.clone();
            for v in removed {
                r.remove(v);
                left.remove(&v);
            }
            prop_assert_eq!(&r, &set(cap, &left));
            prop_assert_eq!(sa == sb, a == b);
        }
    }
}
