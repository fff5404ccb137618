//! The stack of open variable scopes of a fiber (loop bodies, except blocks, branches):
//! which slots each scope created, so that they can be unset when it ends. All records
//! share one buffer, so entering a scope does not allocate once the buffer has grown.

use crate::code::Scope;
use crate::value::Value;

/// Open scopes, innermost last.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    /// Where each record's slots begin in `created`.
    starts: Vec<usize>,
    /// Where each record's body slots (after its loop variables) begin in `created`.
    bodies: Vec<usize>,
    /// The slots each scope created, record after record.
    created: Vec<u32>,
}

impl Scopes {
    /// How many scopes are open.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Opens a scope that created the slots of `scope` that are unset now.
    pub fn enter(&mut self, scope: &Scope, slots: &[Option<Value>]) {
        let (loop_vars, body) = scope.slots.split_at(scope.loop_vars as usize);
        let unset = |s: &u32| slots[*s as usize].is_none();
        self.starts.push(self.created.len());
        self.created.extend(loop_vars.iter().copied().filter(unset));
        self.bodies.push(self.created.len());
        self.created.extend(body.iter().copied().filter(unset));
    }

    /// Unsets the slots the innermost scope's body created (a loop starts its next
    /// iteration, which sets the loop variables again).
    #[inline]
    pub fn reset_innermost(&self, slots: &mut [Option<Value>]) {
        if let Some(&start) = self.bodies.last() {
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
            self.bodies.truncate(keep);
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
        let scope = |slots: &[u32], loop_vars| Scope { slots: slots.to_vec(), loop_vars };
        scopes.enter(&scope(&[0, 1], 0), &slots);
        slots[0] = Some(Value::Int(2));
        slots[1] = Some(Value::Int(3));
        scopes.enter(&scope(&[3, 2], 1), &slots);
        slots[2] = Some(Value::Int(4));
        slots[3] = Some(Value::Int(6));
        scopes.reset_innermost(&mut slots);
        assert_eq!((&slots[2], &slots[3]), (&None, &Some(Value::Int(6))), "the loop variable stays");
        slots[2] = Some(Value::Int(5));
        scopes.leave_to(1, &mut slots);
        assert_eq!((scopes.len(), &slots[2]), (1, &None));
        scopes.leave_to(0, &mut slots);
        assert_eq!(slots, vec![Some(Value::Int(2)), None, None, None]);
        scopes.enter(&scope(&[3], 0), &slots);
        scopes.forget_to(0);
        assert_eq!(scopes.len(), 0);
    }
}
