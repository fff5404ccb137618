//! How deeply lists and maps nest. Every list and map carries its depth (an empty one is
//! 1, one holding a list of numbers is 2), kept exact as it changes, so bounding the depth
//! where containers are built costs one comparison per element instead of a walk. The
//! machine refuses to build a value deeper than [`MAX_NESTING`] (a `ResourceLimitError`);
//! values from outside come from JSON or YAML readers that bound their own depth. So every
//! recursive walk over values (equality, printing, JSON, memory measuring, dropping) stays
//! shallow, and none needs a stack of its own.

use std::fmt;
use std::ops::Deref;

use crate::error::{error, tags};
use crate::value::{Map, Value};

/// The deepest the machine nests lists and maps (see `docs/semantics.md`).
pub const MAX_NESTING: u32 = 100;

/// The error for a value that would nest deeper than [`MAX_NESTING`]. Out of line, so that
/// the checks inlined into the interpreter loop stay small.
#[cold]
#[inline(never)]
pub fn too_deep() -> Value {
    error(
        tags::RESOURCE_LIMIT,
        format!("lists and maps would nest more than {MAX_NESTING} levels deep; flatten the value"),
    )
}

/// Fails with [`too_deep`] when a value of `depth` levels is over the limit.
#[inline]
pub fn check_depth(depth: u32) -> Result<(), Value> {
    if depth > MAX_NESTING { Err(too_deep()) } else { Ok(()) }
}

/// A list's elements or a map's entries with their nesting depth: one more than the
/// deepest element (scalars count 0). Reading goes through `Deref`; changes go through the
/// methods here, which keep the depth exact.
#[derive(Clone)]
pub struct Nested<T> {
    depth: u32,
    items: T,
}

/// What a container holds, for computing its depth.
pub trait Children {
    /// The depth of the deepest element (0 when there is none).
    fn deepest(&self) -> u32;
}

impl Children for Vec<Value> {
    fn deepest(&self) -> u32 {
        self.iter().map(Value::depth).max().unwrap_or(0)
    }
}

impl Children for Map {
    fn deepest(&self) -> u32 {
        self.values().map(Value::depth).max().unwrap_or(0)
    }
}

impl<T: Children> Nested<T> {
    /// Wraps `items`, computing the depth (one pass over the elements, not a walk).
    pub fn new(items: T) -> Nested<T> {
        let depth = items.deepest().saturating_add(1);
        Nested { depth, items }
    }

    /// Recomputes the depth from the elements.
    fn refresh(&mut self) {
        self.depth = self.items.deepest().saturating_add(1);
    }

    /// Updates the depth after an element of depth `old` became one of depth `new`: only
    /// when the deepest element got shallower are the elements looked at again.
    fn replaced(&mut self, old: u32, new: u32) {
        let needed = new.saturating_add(1);
        if needed > self.depth {
            self.depth = needed;
        } else if new < old && old.saturating_add(1) == self.depth {
            self.refresh();
        }
    }
}

impl<T> Nested<T> {
    /// How deeply the container nests: 1 for an empty one or one holding only scalars.
    #[inline]
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The elements.
    pub fn into_inner(self) -> T {
        self.items
    }
}

impl<T> Deref for Nested<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.items
    }
}

impl<T: Children + Default> Default for Nested<T> {
    fn default() -> Nested<T> {
        Nested::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Nested<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Nested<T> {
    fn eq(&self, other: &Nested<T>) -> bool {
        self.items == other.items
    }
}

impl Nested<Vec<Value>> {
    /// Appends `v`.
    #[inline]
    pub fn push(&mut self, v: Value) {
        let depth = v.depth();
        self.push_with_depth(v, depth);
    }

    /// Appends `v`, whose depth the caller has read already (the interpreter checks it first).
    #[inline]
    pub(crate) fn push_with_depth(&mut self, v: Value, depth: u32) {
        if depth >= self.depth {
            self.depth = depth.saturating_add(1);
        }
        self.items.push(v);
    }

    /// Inserts `v` at `index` (at most the length).
    pub fn insert(&mut self, index: usize, v: Value) {
        self.depth = self.depth.max(v.depth().saturating_add(1));
        self.items.insert(index, v);
    }

    /// Replaces element `index` with `v`; false (and no change) when out of range.
    pub fn set(&mut self, index: usize, v: Value) -> bool {
        let Some(slot) = self.items.get_mut(index) else { return false };
        let (old, new) = (slot.depth(), v.depth());
        *slot = v;
        self.replaced(old, new);
        true
    }

    /// Runs `f` on element `index` (`None` when out of range), then updates the depth.
    pub(crate) fn with_item<R>(&mut self, index: usize, f: impl FnOnce(&mut Value) -> R) -> Option<R> {
        let item = self.items.get_mut(index)?;
        let old = item.depth();
        let r = f(item);
        let new = item.depth();
        self.replaced(old, new);
        Some(r)
    }
}

impl Nested<Map> {
    /// Sets `key` to `v` (a new key goes last), returning the value it replaces.
    pub fn insert(&mut self, key: std::rc::Rc<str>, v: Value) -> Option<Value> {
        let new = v.depth();
        let old = self.items.insert(key, v);
        self.replaced(old.as_ref().map_or(0, Value::depth), new);
        old
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let old = self.items.shift_remove(key)?;
        self.replaced(old.depth(), 0);
        Some(old)
    }

    /// Runs `f` on the value of `key` (`None` when absent), then updates the depth.
    pub(crate) fn with_value<R>(&mut self, key: &str, f: impl FnOnce(&mut Value) -> R) -> Option<R> {
        let item = self.items.get_mut(key)?;
        let old = item.depth();
        let r = f(item);
        let new = item.depth();
        self.replaced(old, new);
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(levels: u32) -> Value {
        let mut v = Value::Int(1);
        for _ in 0..levels {
            v = Value::list(vec![v]);
        }
        v
    }

    #[test]
    fn depth_counts_levels() {
        assert_eq!(Value::Int(1).depth(), 0);
        assert_eq!(Value::list(vec![]).depth(), 1);
        assert_eq!(Value::map(Map::default()).depth(), 1);
        assert_eq!(deep(3).depth(), 3);
        assert_eq!(Value::from_pairs([("a", deep(2)), ("b", Value::Null)]).depth(), 3);
    }

    #[test]
    fn changes_keep_the_depth_exact() {
        let mut l = Nested::new(vec![deep(3), deep(1)]);
        assert_eq!(l.depth(), 4);
        l.push(deep(5));
        assert_eq!(l.depth(), 6);
        assert!(l.set(2, Value::Null));
        assert_eq!(l.depth(), 4);
        assert!(!l.set(9, Value::Null));
        l.with_item(0, |v| *v = Value::Null);
        assert_eq!(l.depth(), 2);
        l.insert(0, deep(2));
        assert_eq!(l.depth(), 3);

        let mut m = Nested::new(Map::default());
        m.insert("a".into(), deep(4));
        m.insert("b".into(), deep(1));
        assert_eq!(m.depth(), 5);
        m.insert("a".into(), Value::Null);
        assert_eq!(m.depth(), 2);
        m.shift_remove("b");
        assert_eq!(m.depth(), 1);
        m.with_value("a", |v| *v = deep(7));
        assert_eq!(m.depth(), 8);
        assert_eq!(m.with_value("zz", |_| ()), None);
    }

    #[test]
    fn the_limit_is_checked() {
        assert!(check_depth(MAX_NESTING).is_ok());
        let e = check_depth(MAX_NESTING + 1).unwrap_err();
        assert_eq!(e.get("tags").and_then(|t| t.as_list()?.first()?.as_str()), Some(tags::RESOURCE_LIMIT));
        assert!(Value::try_list(vec![deep(MAX_NESTING - 1)]).is_ok());
        assert!(Value::try_list(vec![deep(MAX_NESTING)]).is_err());
    }
}
