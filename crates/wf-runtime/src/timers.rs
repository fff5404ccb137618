//! A queue of things due at a time: the machine's sleeps, backoffs, await timeouts and
//! delayed answers, and a scenario's scheduled requests. Earliest first; at the same time,
//! lower priority first, then in the order they were added.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Timers carrying a `T` each.
#[derive(Debug)]
pub struct TimerQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    seq: u64,
}

#[derive(Debug)]
struct Entry<T> {
    at: f64,
    priority: u8,
    seq: u64,
    item: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (f64, u8, u64) {
        (self.at, self.priority, self.seq)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    /// Reversed, so that the heap's top is the earliest entry.
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.key(), other.key());
        b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2))
    }
}

impl<T> Default for TimerQueue<T> {
    fn default() -> Self {
        TimerQueue { heap: BinaryHeap::new(), seq: 0 }
    }
}

impl<T> TimerQueue<T> {
    /// Adds `item`, due at `at` (Unix seconds).
    pub fn push(&mut self, at: f64, priority: u8, item: T) {
        self.seq += 1;
        self.heap.push(Entry { at, priority, seq: self.seq, item });
    }

    /// When the earliest entry is due.
    pub fn next_at(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.at)
    }

    /// Takes the earliest entry.
    pub fn pop(&mut self) -> Option<(f64, T)> {
        self.heap.pop().map(|e| (e.at, e.item))
    }

    /// How many entries wait.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Every entry with its time, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (f64, &T)> {
        self.heap.iter().map(|e| (e.at, &e.item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_then_priority_then_insertion_order() {
        let mut q = TimerQueue::default();
        q.push(5.0, 1, "late");
        q.push(1.0, 1, "machine");
        q.push(1.0, 0, "scenario");
        q.push(1.0, 1, "machine again");
        assert_eq!(q.next_at(), Some(1.0));
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, t)| t)).collect();
        assert_eq!(order, ["scenario", "machine", "machine again", "late"]);
        assert!(q.is_empty());
    }
}
