//! `map.get`, `map.delete`, `map.merge` and `map.merge_nested`.

use std::rc::Rc;

use super::{Args, Call, Context};
use crate::error::{error, tags};
use crate::value::{Map, Nested, Value};

/// `map.get(map, keys)`: the value at a key, or at a path of keys given as a list; null
/// when a key is missing or a step of the path is not a map.
pub(super) fn get(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("map.get", args);
    let map = c.map(0, "map")?;
    match c.req(1, "keys")? {
        Value::Str(key) => Ok(map.get(&**key).cloned().unwrap_or(Value::Null)),
        Value::List(path) => {
            let keys = path
                .iter()
                .map(|k| {
                    k.as_str().ok_or_else(|| c.type_err(format!("`keys` must hold strings, found {}", k.type_name())))
                })
                .collect::<Result<Vec<&str>, Value>>()?;
            let mut current: Option<&Map> = Some(map);
            let mut found: Option<&Value> = None;
            for key in keys {
                found = current.and_then(|m| m.get(key));
                current = found.and_then(Value::as_map);
            }
            Ok(match (found, path.is_empty()) {
                (_, true) => Value::Map(Rc::clone(map)),
                (Some(v), false) => v.clone(),
                (None, false) => Value::Null,
            })
        }
        v => Err(c.wrong("keys", "a string or a list of strings", v)),
    }
}

/// `map.delete(map, key)`: `map` without `key` (no error when absent; order kept).
pub(super) fn delete(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("map.delete", args);
    let map = c.map(0, "map")?;
    let key = c.str(1, "key")?;
    if !map.contains_key(key) {
        return Ok(Value::Map(Rc::clone(map)));
    }
    let mut map = Rc::clone(map);
    Rc::make_mut(&mut map).shift_remove(key);
    Ok(Value::Map(map))
}

/// `map.merge(first, second)`: a shallow merge in which `second` wins.
pub(super) fn merge(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("map.merge", args);
    let mut first = Rc::clone(c.map(0, "first")?);
    let second = c.map(1, "second")?;
    let target = Rc::make_mut(&mut first);
    for (k, v) in second.iter() {
        target.insert(k.clone(), v.clone());
    }
    Ok(Value::Map(first))
}

/// `map.merge_nested(first, second)`: maps under the same key are merged recursively;
/// anything else from `second` wins.
pub(super) fn merge_nested(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("map.merge_nested", args);
    let first = c.map(0, "first")?;
    let second = c.map(1, "second")?;
    let mut budget = MERGE_ENTRIES;
    deep_merge(first, second, &mut budget).map(Value::Map).ok_or_else(|| {
        error(
            tags::RESOURCE_LIMIT,
            format!("map.merge_nested: the merge takes more than {MERGE_ENTRIES} map entries (the maps share parts that the merge would copy out)"),
        )
    })
}

/// The most map entries `map.merge_nested` copies or merges. Maps that share parts (a map
/// that holds the same map under many keys, at many levels) can stand for far more entries
/// than they take memory, and the merge copies every map it merges into: without a bound a
/// merge of two such maps could build gigabytes. A merged map this large measures over
/// 2 MB, four times the variable-memory limit, so no workflow could keep it.
pub(crate) const MERGE_ENTRIES: usize = 262_144;

/// The merge of two maps, or `None` once it has copied or merged `budget` entries. It is
/// no deeper than the deeper of the two, and the recursion follows their depth, which is
/// bounded.
fn deep_merge(first: &Rc<Nested<Map>>, second: &Map, budget: &mut usize) -> Option<Rc<Nested<Map>>> {
    let mut out = Rc::clone(first);
    *budget = budget.checked_sub(first.len() + second.len())?;
    let target = Rc::make_mut(&mut out);
    for (k, v) in second.iter() {
        let merged = match (target.get(k), v) {
            (Some(Value::Map(a)), Value::Map(b)) => Value::Map(deep_merge(a, b, budget)?),
            _ => v.clone(),
        };
        target.insert(k.clone(), merged);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    fn nested() -> Value {
        Value::from_pairs([("a", Value::from_pairs([("b", Value::Int(1))])), ("c", Value::Int(2))])
    }

    #[test]
    fn get_by_key_and_path() {
        assert_eq!(call("map.get", &[nested(), s("c")]), Ok(Value::Int(2)));
        assert_eq!(call("map.get", &[nested(), s("zz")]), Ok(Value::Null));
        assert_eq!(call("map.get", &[nested(), Value::list(vec![s("a"), s("b")])]), Ok(Value::Int(1)));
        assert_eq!(call("map.get", &[nested(), Value::list(vec![s("a"), s("x")])]), Ok(Value::Null));
        assert_eq!(call("map.get", &[nested(), Value::list(vec![s("c"), s("x")])]), Ok(Value::Null));
        assert_eq!(call("map.get", &[nested(), Value::list(vec![s("x"), s("y")])]), Ok(Value::Null));
        assert_eq!(call("map.get", &[nested(), Value::list(vec![])]), Ok(nested()));
    }

    #[test]
    fn get_errors() {
        fails(call("map.get", &[Value::list(vec![]), s("a")]), "TypeError");
        fails(call("map.get", &[nested(), Value::Int(1)]), "TypeError");
        fails(call("map.get", &[nested(), Value::list(vec![s("a"), Value::Int(1)])]), "TypeError");
    }

    #[test]
    fn delete_keeps_order() {
        let m = Value::from_pairs([("a", Value::Int(1)), ("b", Value::Int(2)), ("c", Value::Int(3))]);
        let got = call("map.delete", &[m.clone(), s("a")]).expect("delete");
        assert_eq!(call("keys", &[got]), Ok(Value::list(vec![s("b"), s("c")])));
        assert_eq!(call("map.delete", &[m.clone(), s("zz")]), Ok(m.clone()));
        assert_eq!(call("keys", &[m]).map(|k| k.as_list().map(<[Value]>::len)), Ok(Some(3)));
        fails(call("map.delete", &[nested(), Value::Int(1)]), "TypeError");
    }

    #[test]
    fn merge_is_shallow() {
        let second = Value::from_pairs([("a", Value::from_pairs([("x", Value::Int(9))])), ("d", Value::Int(4))]);
        let got = call("map.merge", &[nested(), second]).expect("merge");
        let expected = Value::from_pairs([
            ("a", Value::from_pairs([("x", Value::Int(9))])),
            ("c", Value::Int(2)),
            ("d", Value::Int(4)),
        ]);
        assert_eq!(got, expected);
        assert_eq!(call("keys", &[got]), Ok(Value::list(vec![s("a"), s("c"), s("d")])));
        fails(call("map.merge", &[nested(), Value::list(vec![])]), "TypeError");
    }

    #[test]
    fn merge_nested_is_deep() {
        let second = Value::from_pairs([
            ("a", Value::from_pairs([("x", Value::Int(9))])),
            ("c", Value::from_pairs([("y", Value::Int(1))])),
        ]);
        let got = call("map.merge_nested", &[nested(), second]).expect("merge");
        let expected = Value::from_pairs([
            ("a", Value::from_pairs([("b", Value::Int(1)), ("x", Value::Int(9))])),
            ("c", Value::from_pairs([("y", Value::Int(1))])),
        ]);
        assert_eq!(got, expected);
        fails(call("map.merge_nested", &[Value::Null, nested()]), "TypeError");
    }

    #[test]
    fn merging_maps_that_share_parts_is_bounded() {
        // 40 levels of a map holding the same map twice: 2^40 entries in a few hundred bytes.
        let mut m = Value::from_pairs([("leaf", Value::Int(1))]);
        for _ in 0..40 {
            m = Value::from_pairs([("l", m.clone()), ("r", m)]);
        }
        let msg = fails(call("map.merge_nested", &[m.clone(), m]), "ResourceLimitError");
        assert!(msg.contains("more than 262144 map entries"), "{msg}");
        // Maps of real size merge.
        let wide = Value::from_pairs((0..1000).map(|i| (["a", "b", "c", "d"][i % 4], Value::Int(i as i64))));
        assert!(call("map.merge_nested", &[wide.clone(), wide]).is_ok());
    }
}
