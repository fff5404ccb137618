//! `list.concat` and `list.prepend`. Both copy-on-write: when the caller hands over the only
//! reference to the list, the element is added in place. A list that would nest too deeply
//! is a `ResourceLimitError`.

use std::rc::Rc;

use super::{Args, Call, Context};
use crate::nesting::check_depth;
use crate::value::Value;

/// `list.concat(objs, val)`: `objs` with `val` appended as one element.
pub(super) fn concat(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("list.concat", args);
    let mut list = Rc::clone(c.list(0, "objs")?);
    let val = c.req(1, "val")?.clone();
    check_depth(val.depth() + 1)?;
    Rc::make_mut(&mut list).push(val);
    Ok(Value::List(list))
}

/// `list.prepend(objs, val)`: `objs` with `val` in front.
pub(super) fn prepend(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("list.prepend", args);
    let mut list = Rc::clone(c.list(0, "objs")?);
    let val = c.req(1, "val")?.clone();
    check_depth(val.depth() + 1)?;
    Rc::make_mut(&mut list).insert(0, val);
    Ok(Value::List(list))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    #[test]
    fn concat_appends_one_element() {
        let l = Value::list(vec![Value::Int(1)]);
        let inner = Value::list(vec![Value::Int(2), Value::Int(3)]);
        assert_eq!(call("list.concat", &[l.clone(), inner.clone()]), Ok(Value::list(vec![Value::Int(1), inner])));
        assert_eq!(call("list.concat", &[Value::list(vec![]), Value::Null]), Ok(Value::list(vec![Value::Null])));
        // The argument is not changed.
        assert_eq!(l, Value::list(vec![Value::Int(1)]));
        fails(call("list.concat", &[s("a"), Value::Int(1)]), "TypeError");
    }

    #[test]
    fn prepend_puts_first() {
        let l = Value::list(vec![Value::Int(1)]);
        assert_eq!(call("list.prepend", &[l, s("x")]), Ok(Value::list(vec![s("x"), Value::Int(1)])));
        fails(call("list.prepend", &[Value::Null, Value::Int(1)]), "TypeError");
    }

    #[test]
    fn too_deep_is_a_resource_limit() {
        let mut deep = Value::Int(1);
        for _ in 0..crate::nesting::MAX_NESTING {
            deep = Value::list(vec![deep]);
        }
        fails(call("list.concat", &[Value::list(vec![]), deep.clone()]), "ResourceLimitError");
        fails(call("list.prepend", &[Value::list(vec![]), deep]), "ResourceLimitError");
    }
}
