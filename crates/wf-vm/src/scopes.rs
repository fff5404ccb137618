//! The stack of open variable scopes of a fiber (loop bodies, except blocks, branches):
//! which slots each scope created, so that they can be unset when it ends. All records
//! share one buffer, so entering a scope does not allocate once the buffer has grown.

use crate::value::Value;

/// Open scopes, innermost last.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    /// Where each record's slots begin in `created`.
    starts: Vec<usize>,
    /// The slots each scope created, record after record.
    created: Vec<u32>,
}

impl Scopes {
    /// How many scopes are open.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Opens a scope that created the slots among `candidates` that are unset now.
    pub fn enter(&mut self, candidates: &[u32], slots: &[Option<Value>]) {
        self.starts.push(self.created.len());
        self.created.extend(candidates.iter().copied().filter(|&s| slots[s as usize].is_none()));
    }

    /// Unsets the slots the innermost scope created (a loop body starts its next iteration).
    pub fn reset_innermost(&self, slots: &mut [Option<Value>]) {
        if let Some(&start) = self.starts.last() {
            for &s in &self.created[start..] {
                slots[s as usize] = None;
            }
        }
    }

    /// Closes scopes until `keep` remain, unsetting the slots each created.
    pub fn leave_to(&mut self, keep: usize, slots: &mut [Option<Value>]) {
        if keep >= self.starts.len() {
            return;
        }
        let start = self.starts[keep];
        for &s in &self.created[start..] {
            slots[s as usize] = None;
        }
        self.forget_to(keep);
    }

    /// Drops scopes until `keep` remain without touching any slot (their frame is gone).
    pub fn forget_to(&mut self, keep: usize) {
        if keep < self.starts.len() {
            self.created.truncate(self.starts[keep]);
            self.starts.truncate(keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_unset_only_what_they_created() {
        let mut slots = vec![Some(Value::Int(1)), None, None, None];
        let mut scopes = Scopes::default();
        scopes.enter(&[0, 1], &slots);
        slots[0] = Some(Value::Int(2));
        slots[1] = Some(Value::Int(3));
        scopes.enter(&[2], &slots);
        slots[2] = Some(Value::Int(4));
        scopes.reset_innermost(&mut slots);
        assert_eq!(slots[2], None);
        slots[2] = Some(Value::Int(5));
        scopes.leave_to(1, &mut slots);
        assert_eq!((scopes.len(), &slots[2]), (1, &None));
        scopes.leave_to(0, &mut slots);
        assert_eq!(slots, vec![Some(Value::Int(2)), None, None, None]);
        scopes.enter(&[3], &slots);
        scopes.forget_to(0);
        assert_eq!(scopes.len(), 0);
    }
}
