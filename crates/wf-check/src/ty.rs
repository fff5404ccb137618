//! The type lattice of the checker: a set of value kinds, plus what is known about the
//! fields of maps and the elements of lists. Types only ever grow by union, so the
//! inference converges; `Ty::any()` (every kind, nothing known) is the top.

use std::fmt;
use std::rc::Rc;

/// A set of value kinds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Kinds(u16);

impl Kinds {
    /// No kind: the value cannot exist (unreachable code, or a function that never returns).
    pub const NONE: Kinds = Kinds(0);
    /// `null`.
    pub const NULL: Kinds = Kinds(1);
    /// Booleans.
    pub const BOOL: Kinds = Kinds(2);
    /// 64-bit integers.
    pub const INT: Kinds = Kinds(4);
    /// Doubles.
    pub const DOUBLE: Kinds = Kinds(8);
    /// Strings.
    pub const STRING: Kinds = Kinds(16);
    /// Bytes.
    pub const BYTES: Kinds = Kinds(32);
    /// Lists.
    pub const LIST: Kinds = Kinds(64);
    /// Maps.
    pub const MAP: Kinds = Kinds(128);
    /// Integers or doubles.
    pub const NUMBER: Kinds = Kinds(4 | 8);
    /// Anything.
    pub const ANY: Kinds = Kinds(255);

    /// Set union.
    pub const fn or(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    /// Set intersection.
    pub const fn and(self, other: Kinds) -> Kinds {
        Kinds(self.0 & other.0)
    }

    /// The kinds of `self` that are not in `other`.
    pub const fn minus(self, other: Kinds) -> Kinds {
        Kinds(self.0 & !other.0)
    }

    /// Whether the two sets share a kind.
    pub const fn intersects(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether every kind of `self` is in `other`.
    pub const fn within(self, other: Kinds) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set is empty.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }

    /// Whether the set holds exactly one kind.
    pub const fn is_single(self) -> bool {
        self.0 != 0 && self.0 & (self.0 - 1) == 0
    }

    /// The kinds in the set, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Kinds> {
        (0..8).map(|b| Kinds(1 << b)).filter(move |k| self.intersects(*k))
    }

    /// The GCW name of a single kind, as `get_type` reports it.
    pub fn gcw_name(self) -> &'static str {
        match self.0 {
            1 => "null",
            2 => "boolean",
            4 => "integer",
            8 => "double",
            16 => "string",
            32 => "bytes",
            64 => "list",
            128 => "map",
            _ => "value",
        }
    }
}

impl fmt::Debug for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Kinds::ANY {
            return f.write_str("any");
        }
        if self.is_none() {
            return f.write_str("nothing");
        }
        let names: Vec<&str> = self.iter().map(Kinds::gcw_name).collect();
        f.write_str(&names.join(" | "))
    }
}

/// Known fields of a map.
#[derive(Clone, PartialEq, Debug)]
pub struct Fields {
    /// Field names and their types, in a stable order.
    pub entries: Vec<(String, Ty)>,
    /// Whether these are *all* the fields (a missing field is then certainly a KeyError).
    pub closed: bool,
}

/// An inferred type.
#[derive(Clone, PartialEq, Debug)]
pub struct Ty {
    /// Which kinds of value it may be.
    pub kinds: Kinds,
    /// When it may be a map: what is known of the fields.
    pub fields: Option<Rc<Fields>>,
    /// When it may be a list: the type of the elements.
    pub elem: Option<Rc<Ty>>,
    /// Whether the value (or part of it) comes from outside the workflow: the result of a
    /// blocking call such as `http.get`. Mistakes on such values are reported as warnings,
    /// since the workflow's author may rely on an environment the checker cannot see.
    pub external: bool,
}

/// How deep shapes may nest before they are forgotten (keeps inference finite).
const MAX_DEPTH: usize = 6;

impl Ty {
    /// A type of these kinds, with nothing more known.
    pub const fn of(kinds: Kinds) -> Ty {
        Ty { kinds, fields: None, elem: None, external: false }
    }

    /// Anything.
    pub const fn any() -> Ty {
        Ty::of(Kinds::ANY)
    }

    /// No value at all.
    pub const fn none() -> Ty {
        Ty::of(Kinds::NONE)
    }

    /// A list whose elements have type `elem`.
    pub fn list_of(elem: Ty) -> Ty {
        Ty { kinds: Kinds::LIST, fields: None, elem: Some(Rc::new(elem)), external: false }
    }

    /// A map with these fields.
    pub fn map_of(entries: Vec<(String, Ty)>, closed: bool) -> Ty {
        Ty { kinds: Kinds::MAP, fields: Some(Rc::new(Fields { entries, closed })), elem: None, external: false }
    }

    /// A closed map built from `(name, type)` pairs.
    pub fn record(entries: &[(&str, Ty)]) -> Ty {
        Ty::map_of(entries.iter().map(|(k, t)| ((*k).to_string(), t.clone())).collect(), true)
    }

    /// Whether nothing useful is known (every kind possible).
    pub fn is_any(&self) -> bool {
        self.kinds == Kinds::ANY && self.fields.is_none() && self.elem.is_none()
    }

    /// The union of two types.
    pub fn union(&self, other: &Ty) -> Ty {
        self.union_at(other, 0)
    }

    fn union_at(&self, other: &Ty, depth: usize) -> Ty {
        if self == other {
            return self.clone();
        }
        let kinds = self.kinds.or(other.kinds);
        let external = self.external || other.external;
        if depth >= MAX_DEPTH {
            return Ty { external, ..Ty::of(kinds) };
        }
        let fields =
            union_part(self, other, Kinds::MAP, |t| t.fields.clone(), |a, b| Rc::new(union_fields(a, b, depth)));
        let elem = union_part(self, other, Kinds::LIST, |t| t.elem.clone(), |a, b| Rc::new(a.union_at(b, depth + 1)));
        Ty { kinds, fields, elem, external }
    }

    /// The same type, marked as coming from outside the workflow.
    pub fn external(self) -> Ty {
        Ty { external: true, ..self }
    }

    /// The type of field `name` when the value is a map: `None` when the map certainly has
    /// no such field (a closed shape without it).
    pub fn field(&self, name: &str) -> Option<Ty> {
        let t = match &self.fields {
            None => Ty::any(),
            Some(f) => match f.entries.iter().find(|(k, _)| k == name) {
                Some((_, t)) => t.clone(),
                None if f.closed => return None,
                None => Ty::any(),
            },
        };
        Some(Ty { external: self.external || t.external, ..t })
    }

    /// The element type when the value is a list.
    pub fn element(&self) -> Ty {
        let t = self.elem.as_deref().cloned().unwrap_or_else(Ty::any);
        Ty { external: self.external || t.external, ..t }
    }

    /// Cuts shapes deeper than the limit, so that recursive assignments stay finite.
    pub fn bounded(self) -> Ty {
        self.bounded_at(0)
    }

    fn bounded_at(self, depth: usize) -> Ty {
        if depth >= MAX_DEPTH {
            return Ty { external: self.external, ..Ty::of(self.kinds) };
        }
        let elem = self.elem.map(|e| Rc::new((*e).clone().bounded_at(depth + 1)));
        let fields = self.fields.map(|f| {
            Rc::new(Fields {
                entries: f.entries.iter().map(|(k, t)| (k.clone(), t.clone().bounded_at(depth + 1))).collect(),
                closed: f.closed,
            })
        });
        Ty { kinds: self.kinds, fields, elem, external: self.external }
    }
}

/// Unions one optional part of two types. A side that may be of `kind` but knows nothing of
/// the part makes the result unknown; a side that cannot be of `kind` does not count.
fn union_part<T: Clone>(
    a: &Ty,
    b: &Ty,
    kind: Kinds,
    get: impl Fn(&Ty) -> Option<T>,
    join: impl Fn(&T, &T) -> T,
) -> Option<T> {
    match (a.kinds.intersects(kind), b.kinds.intersects(kind)) {
        (false, false) => None,
        (true, false) => get(a),
        (false, true) => get(b),
        (true, true) => match (get(a), get(b)) {
            (Some(x), Some(y)) => Some(join(&x, &y)),
            _ => None,
        },
    }
}

fn union_fields(a: &Fields, b: &Fields, depth: usize) -> Fields {
    let mut entries = a.entries.clone();
    for (name, t) in &b.entries {
        match entries.iter_mut().find(|(k, _)| k == name) {
            Some((_, existing)) => *existing = existing.union_at(t, depth + 1),
            None => entries.push((name.clone(), t.clone())),
        }
    }
    Fields { entries, closed: a.closed && b.closed }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kinds == Kinds::MAP
            && let Some(fields) = &self.fields
        {
            let names: Vec<String> = fields.entries.iter().map(|(k, t)| format!("{k}: {t}")).collect();
            let open = if fields.closed { "" } else { ", ..." };
            return write!(f, "{{{}{open}}}", names.join(", "));
        }
        if self.kinds == Kinds::LIST
            && let Some(elem) = &self.elem
        {
            return write!(f, "list<{elem}>");
        }
        write!(f, "{}", self.kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_keeps_what_both_sides_know() {
        let a = Ty::record(&[("url", Ty::of(Kinds::STRING))]);
        let b = Ty::record(&[("code", Ty::of(Kinds::INT))]);
        let u = a.union(&b);
        assert!(u.field("url").is_some() && u.field("code").is_some());
        assert!(u.field("nope").is_none(), "both sides closed: the union is closed");
        let with_null = a.union(&Ty::of(Kinds::NULL));
        assert_eq!(with_null.kinds, Kinds::MAP.or(Kinds::NULL));
        assert!(with_null.field("nope").is_none());
        let with_unknown_map = a.union(&Ty::of(Kinds::MAP));
        assert!(with_unknown_map.field("nope").is_some(), "an unknown map may have any field");
        assert_eq!(format!("{}", Ty::list_of(Ty::of(Kinds::STRING))), "list<string>");
        assert_eq!(format!("{}", Kinds::INT.or(Kinds::NULL)), "null | integer");
    }

    #[test]
    fn deep_types_are_bounded() {
        let mut t = Ty::of(Kinds::INT);
        for _ in 0..20 {
            t = Ty::list_of(t);
        }
        let b = t.bounded();
        let mut depth = 0;
        let mut cur = b;
        while let Some(e) = cur.elem.clone() {
            depth += 1;
            cur = (*e).clone();
        }
        assert!(depth <= MAX_DEPTH);
    }
}

/// The inferred types of a workflow (made by `fixpoint.rs`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Types {
    pub subs: Vec<SubTypes>,
}

/// Inferred types of one subworkflow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubTypes {
    /// By [`crate::flow::VarId`].
    pub vars: Vec<Ty>,
    /// What it returns.
    pub returns: Ty,
}
