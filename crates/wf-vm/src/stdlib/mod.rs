//! Implementations of the pure standard-library functions (those that need no outside
//! world): every entry of `wf_check::stdlib::FUNCTIONS` that is not blocking. Blocking ones
//! (HTTP, sleep, log, callbacks, connectors) are effects that the driver answers.
//!
//! Choices where GCW's behaviour is not documented are listed in `docs/semantics-stdlib.md`.

mod base64;
mod hash;
mod helpers;
mod json_fns;
mod list;
mod map;
mod math;
mod sys;
mod text;
mod time;
mod uuid;

use std::rc::Rc;

use crate::error::{type_error, value_error};
use crate::value::{Map, Nested, Value};

/// What a native function may use besides its arguments: the driver's clock, environment
/// and seeded random numbers. Natives never touch the wall clock or OS randomness.
pub trait Context {
    /// Seconds since the Unix epoch, as the driver's clock says.
    fn now(&self) -> f64;
    /// An environment variable (`sys.get_env`), including the `GOOGLE_CLOUD_*` built-ins.
    fn env(&self, name: &str) -> Option<Value>;
    /// The next 64 random bits from the seeded generator.
    fn random_u64(&mut self) -> u64;
}

/// Arguments of a native call, by parameter position; a parameter may be absent (an
/// optional one that a `call` step's named `args` left out).
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    values: &'a [Option<Value>],
}

impl<'a> Args<'a> {
    /// Wraps positional arguments (`None` = not given).
    pub fn new(values: &'a [Option<Value>]) -> Args<'a> {
        Args { values }
    }

    /// Argument `i`, if given.
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.values.get(i).and_then(Option::as_ref)
    }

    /// How many positions there are (given or not).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no positions.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A native function: arguments in, a value or a raised error value out. Call it through
/// [`invoke`], which holds its result to the size limits.
pub type Native = fn(Args<'_>, &mut dyn Context) -> Result<Value, Value>;

/// Calls a native function and checks the size of what it returns
/// ([`crate::sizes::check_result`]): the one way the machine calls the standard library.
pub fn invoke(f: Native, args: Args<'_>, cx: &mut dyn Context) -> Result<Value, Value> {
    f(args, cx).and_then(crate::sizes::check_result)
}

/// The implementation of a pure standard-library function, by its full name.
pub fn native(name: &str) -> Option<Native> {
    let f: Native = match name {
        "default" => helpers::default,
        "double" => helpers::double,
        "get_type" => helpers::get_type,
        "if" => helpers::if_,
        "int" => helpers::int,
        "keys" => helpers::keys,
        "len" => helpers::len,
        "string" => helpers::string,
        "base64.decode" => base64::decode,
        "base64.encode" => base64::encode,
        "hash.compute_checksum" => hash::compute_checksum,
        "hash.compute_hmac" => hash::compute_hmac,
        "json.decode" => json_fns::decode,
        "json.encode" => json_fns::encode,
        "json.encode_to_string" => json_fns::encode_to_string,
        "list.concat" => list::concat,
        "list.prepend" => list::prepend,
        "map.delete" => map::delete,
        "map.get" => map::get,
        "map.merge" => map::merge,
        "map.merge_nested" => map::merge_nested,
        "math.abs" => math::abs,
        "math.floor" => math::floor,
        "math.max" => math::max,
        "math.min" => math::min,
        "sys.get_env" => sys::get_env,
        "sys.now" => sys::now,
        "text.decode" => text::decode,
        "text.encode" => text::encode,
        "text.find_all" => text::find_all,
        "text.find_all_regex" => text::find_all_regex,
        "text.match_regex" => text::match_regex,
        "text.replace_all" => text::replace_all,
        "text.replace_all_regex" => text::replace_all_regex,
        "text.split" => text::split,
        "text.substring" => text::substring,
        "text.to_lower" => text::to_lower,
        "text.to_upper" => text::to_upper,
        "text.url_decode" => text::url_decode,
        "text.url_encode" => text::url_encode,
        "text.url_encode_plus" => text::url_encode_plus,
        "time.format" => time::format,
        "time.parse" => time::parse,
        "uuid.generate" => uuid::generate,
        _ => return None,
    };
    Some(f)
}

/// The arguments of one call together with the function's name, so that argument errors
/// read `text.split: \`separator\` must be a string, found integer`.
#[derive(Debug, Clone, Copy)]
struct Call<'a> {
    name: &'static str,
    args: Args<'a>,
}

impl<'a> Call<'a> {
    fn new(name: &'static str, args: Args<'a>) -> Call<'a> {
        Call { name, args }
    }

    /// A `TypeError` for parameter `param` that wanted `expected` and got `found`.
    fn wrong(&self, param: &str, expected: &str, found: &Value) -> Value {
        type_error(format!("{}: `{param}` must be {expected}, found {}", self.name, found.type_name()))
    }

    /// A `TypeError` naming this function.
    fn type_err(&self, message: impl std::fmt::Display) -> Value {
        type_error(format!("{}: {message}", self.name))
    }

    /// A `ValueError` naming this function.
    fn value_err(&self, message: impl std::fmt::Display) -> Value {
        value_error(format!("{}: {message}", self.name))
    }

    /// Required argument `i`.
    fn req(&self, i: usize, param: &str) -> Result<&'a Value, Value> {
        self.args.get(i).ok_or_else(|| type_error(format!("{}: `{param}` is required", self.name)))
    }

    /// Optional argument `i`; an explicit `null` counts as not given.
    fn opt(&self, i: usize) -> Option<&'a Value> {
        self.args.get(i).filter(|v| !matches!(v, Value::Null))
    }

    fn str(&self, i: usize, param: &str) -> Result<&'a str, Value> {
        match self.req(i, param)? {
            Value::Str(s) => Ok(s),
            v => Err(self.wrong(param, "a string", v)),
        }
    }

    fn opt_str(&self, i: usize, param: &str) -> Result<Option<&'a str>, Value> {
        match self.opt(i) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(v) => Err(self.wrong(param, "a string", v)),
        }
    }

    fn int(&self, i: usize, param: &str) -> Result<i64, Value> {
        match self.req(i, param)? {
            Value::Int(n) => Ok(*n),
            v => Err(self.wrong(param, "an integer", v)),
        }
    }

    /// A number argument, kept as given (int or double).
    fn number(&self, i: usize, param: &str) -> Result<&'a Value, Value> {
        match self.req(i, param)? {
            v @ (Value::Int(_) | Value::Double(_)) => Ok(v),
            v => Err(self.wrong(param, "a number", v)),
        }
    }

    fn opt_bool(&self, i: usize, param: &str, default: bool) -> Result<bool, Value> {
        match self.opt(i) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.wrong(param, "a boolean", v)),
        }
    }

    fn bytes(&self, i: usize, param: &str) -> Result<&'a [u8], Value> {
        match self.req(i, param)? {
            Value::Bytes(b) => Ok(b),
            v => Err(self.wrong(param, "bytes", v)),
        }
    }

    fn list(&self, i: usize, param: &str) -> Result<&'a Rc<Nested<Vec<Value>>>, Value> {
        match self.req(i, param)? {
            Value::List(l) => Ok(l),
            v => Err(self.wrong(param, "a list", v)),
        }
    }

    fn map(&self, i: usize, param: &str) -> Result<&'a Rc<Nested<Map>>, Value> {
        match self.req(i, param)? {
            Value::Map(m) => Ok(m),
            v => Err(self.wrong(param, "a map", v)),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A fixed test context and shorthands for calling natives by name.

    use std::collections::HashMap;

    use super::{Args, Context, invoke, native};
    use crate::value::Value;

    /// A context with a fixed clock, a fixed environment and a counter for randomness.
    #[derive(Debug, Default)]
    pub struct TestCtx {
        pub now: f64,
        pub env: HashMap<String, Value>,
        pub counter: u64,
    }

    impl Context for TestCtx {
        fn now(&self) -> f64 {
            self.now
        }

        fn env(&self, name: &str) -> Option<Value> {
            self.env.get(name).cloned()
        }

        fn random_u64(&mut self) -> u64 {
            self.counter = self.counter.wrapping_add(0x9E37_79B9_7F4A_7C15);
            self.counter
        }
    }

    /// Calls `name` with some positions left out.
    pub fn call_opt(name: &str, args: &[Option<Value>]) -> Result<Value, Value> {
        let f = native(name).unwrap_or_else(|| panic!("no native {name}"));
        let mut ctx = TestCtx { now: 1_700_000_000.25, ..TestCtx::default() };
        invoke(f, Args::new(args), &mut ctx)
    }

    /// Calls `name` with every argument given.
    pub fn call(name: &str, args: &[Value]) -> Result<Value, Value> {
        let args: Vec<Option<Value>> = args.iter().cloned().map(Some).collect();
        call_opt(name, &args)
    }

    /// The first tag of an error value.
    pub fn tag(err: &Value) -> String {
        match err.get("tags").and_then(Value::as_list).and_then(|t| t.first()) {
            Some(Value::Str(s)) => s.to_string(),
            _ => panic!("not an error map: {err:?}"),
        }
    }

    /// The message of an error value.
    pub fn message(err: &Value) -> String {
        err.get("message").and_then(Value::as_str).unwrap_or_default().to_string()
    }

    /// Asserts that a call failed with `tag`.
    #[track_caller]
    pub fn fails(result: Result<Value, Value>, expected: &str) -> String {
        match result {
            Ok(v) => panic!("expected {expected}, got {v:?}"),
            Err(e) => {
                assert_eq!(tag(&e), expected, "{}", message(&e));
                message(&e)
            }
        }
    }

    /// A string value.
    pub fn s(text: &str) -> Value {
        Value::str(text)
    }

    /// A bytes value.
    pub fn b(data: &[u8]) -> Value {
        Value::Bytes(data.into())
    }
}

#[cfg(test)]
mod tests {
    use super::native;
    use super::testing::{call_opt, fails};
    use wf_check::stdlib::{FUNCTIONS, Status};

    #[test]
    fn exactly_the_pure_documented_functions_are_native() {
        for f in FUNCTIONS {
            let expected = !f.blocking && f.status == Status::Documented;
            assert_eq!(native(f.name).is_some(), expected, "{}", f.name);
        }
        assert!(native("nope").is_none());
        assert!(native("http.get").is_none());
        assert!(native("sys.log").is_none());
    }

    /// Every native, every combination of awkward arguments: errors, never panics, and
    /// every error is a `TypeError` or `ValueError` map.
    #[test]
    fn awkward_arguments_never_panic() {
        use crate::value::{Map, Value};
        let pool = [
            None,
            Some(Value::Null),
            Some(Value::Bool(true)),
            Some(Value::Int(-1)),
            Some(Value::Int(i64::MIN)),
            Some(Value::Int(i64::MAX)),
            Some(Value::Double(f64::NAN)),
            Some(Value::Double(f64::NEG_INFINITY)),
            Some(Value::Double(1e300)),
            Some(Value::str("")),
            Some(Value::str("a[b%é\\")),
            Some(Value::Bytes(vec![0xff, 0xfe, 0x00].into())),
            Some(Value::list(vec![])),
            Some(Value::list(vec![Value::str("a"), Value::Int(1)])),
            Some(Value::map(Map::default())),
            Some(Value::from_pairs([("a", Value::from_pairs([("b", Value::Bytes(vec![1].into()))]))])),
        ];
        for f in FUNCTIONS.iter().filter(|f| native(f.name).is_some()) {
            let arity = f.params.len();
            let total = pool.len().pow(u32::try_from(arity).unwrap_or(0));
            for combo in 0..total {
                let mut rest = combo;
                let args: Vec<_> = (0..arity)
                    .map(|_| {
                        let v = pool[rest % pool.len()].clone();
                        rest /= pool.len();
                        v
                    })
                    .collect();
                if let Err(e) = call_opt(f.name, &args) {
                    let tag = super::testing::tag(&e);
                    assert!(tag == "TypeError" || tag == "ValueError", "{}: {tag}", f.name);
                }
            }
        }
    }

    #[test]
    fn missing_required_arguments_are_type_errors() {
        for f in FUNCTIONS.iter().filter(|f| native(f.name).is_some()) {
            if f.required_count() == 0 {
                continue;
            }
            let msg = fails(call_opt(f.name, &vec![None; f.params.len()]), "TypeError");
            assert!(msg.contains("is required"), "{}: {msg}", f.name);
        }
    }
}
