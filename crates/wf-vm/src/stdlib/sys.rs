//! `sys.get_env` and `sys.now`, answered from the driver's [`Context`].

use super::{Args, Call, Context};
use crate::value::Value;

/// `sys.get_env(name, default?)`: the variable, else `default`, else null.
pub(super) fn get_env(args: Args<'_>, ctx: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("sys.get_env", args);
    let name = c.str(0, "name")?;
    let default = c.opt_str(1, "default")?;
    Ok(match ctx.env(name) {
        Some(v) => v,
        None => default.map_or(Value::Null, Value::str),
    })
}

/// `sys.now()`: seconds since the Unix epoch, as a double.
pub(super) fn now(_: Args<'_>, ctx: &mut dyn Context) -> Result<Value, Value> {
    Ok(Value::Double(ctx.now()))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{TestCtx, fails, s};
    use crate::stdlib::{Args, native};
    use crate::value::Value;

    fn run(name: &str, args: &[Option<Value>]) -> Result<Value, Value> {
        let mut ctx = TestCtx { now: 12.5, ..TestCtx::default() };
        ctx.env.insert("GOOGLE_CLOUD_PROJECT_ID".into(), s("demo"));
        native(name).expect("native")(Args::new(args), &mut ctx)
    }

    #[test]
    fn get_env_reads_the_context() {
        assert_eq!(run("sys.get_env", &[Some(s("GOOGLE_CLOUD_PROJECT_ID"))]), Ok(s("demo")));
        assert_eq!(run("sys.get_env", &[Some(s("NOPE")), Some(s("d"))]), Ok(s("d")));
        assert_eq!(run("sys.get_env", &[Some(s("NOPE")), None]), Ok(Value::Null));
        assert_eq!(run("sys.get_env", &[Some(s("NOPE")), Some(Value::Null)]), Ok(Value::Null));
        assert_eq!(run("sys.get_env", &[Some(s("GOOGLE_CLOUD_PROJECT_ID")), Some(s("d"))]), Ok(s("demo")));
    }

    #[test]
    fn get_env_type_errors() {
        fails(run("sys.get_env", &[Some(Value::Int(1))]), "TypeError");
        fails(run("sys.get_env", &[Some(s("X")), Some(Value::Int(1))]), "TypeError");
    }

    #[test]
    fn now_is_a_double() {
        assert!(matches!(run("sys.now", &[]), Ok(Value::Double(x)) if x == 12.5));
    }
}
