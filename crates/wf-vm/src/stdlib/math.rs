//! `math.abs`, `math.floor`, `math.max` and `math.min`.

use super::helpers::double_to_int;
use super::{Args, Call, Context};
use crate::value::{Value, format_double};

/// `math.abs(x)`: the absolute value, of the same type as `x`.
pub(super) fn abs(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("math.abs", args);
    match c.number(0, "x")? {
        Value::Int(n) => n.checked_abs().map(Value::Int).ok_or_else(|| c.value_err("integer overflow")),
        v => Ok(Value::Double(v.as_f64().unwrap_or(f64::NAN).abs())),
    }
}

/// `math.floor(x)`: the largest integer not above `x`, as an integer.
pub(super) fn floor(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    let c = Call::new("math.floor", args);
    match c.number(0, "x")? {
        Value::Int(n) => Ok(Value::Int(*n)),
        v => {
            let x = v.as_f64().unwrap_or(f64::NAN);
            double_to_int(x.floor())
                .map(Value::Int)
                .ok_or_else(|| c.value_err(format!("{} is out of the integer range", format_double(x))))
        }
    }
}

/// `math.max(x, y)`: an integer when both are integers, else a double.
pub(super) fn max(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    pick(Call::new("math.max", args), true)
}

/// `math.min(x, y)`: an integer when both are integers, else a double.
pub(super) fn min(args: Args<'_>, _: &mut dyn Context) -> Result<Value, Value> {
    pick(Call::new("math.min", args), false)
}

fn pick(c: Call<'_>, larger: bool) -> Result<Value, Value> {
    let x = c.number(0, "x")?;
    let y = c.number(1, "y")?;
    if let (Value::Int(a), Value::Int(b)) = (x, y) {
        return Ok(Value::Int(if larger { *a.max(b) } else { *a.min(b) }));
    }
    let a = x.as_f64().unwrap_or(f64::NAN);
    let b = y.as_f64().unwrap_or(f64::NAN);
    // A NaN operand gives NaN.
    let r = if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if larger {
        a.max(b)
    } else {
        a.min(b)
    };
    Ok(Value::Double(r))
}

#[cfg(test)]
mod tests {
    use crate::stdlib::testing::{call, fails, s};
    use crate::value::Value;

    #[test]
    fn abs_keeps_type() {
        assert!(matches!(call("math.abs", &[Value::Int(-3)]), Ok(Value::Int(3))));
        assert!(matches!(call("math.abs", &[Value::Double(-2.5)]), Ok(Value::Double(x)) if x == 2.5));
        fails(call("math.abs", &[Value::Int(i64::MIN)]), "ValueError");
        fails(call("math.abs", &[s("1")]), "TypeError");
    }

    #[test]
    fn floor_gives_ints() {
        assert!(matches!(call("math.floor", &[Value::Double(23.67)]), Ok(Value::Int(23))));
        assert!(matches!(call("math.floor", &[Value::Double(-23.67)]), Ok(Value::Int(-24))));
        assert!(matches!(call("math.floor", &[Value::Int(7)]), Ok(Value::Int(7))));
        fails(call("math.floor", &[Value::Double(f64::NAN)]), "ValueError");
        fails(call("math.floor", &[Value::Double(1e300)]), "ValueError");
        fails(call("math.floor", &[Value::Null]), "TypeError");
    }

    #[test]
    fn max_and_min() {
        assert!(matches!(call("math.max", &[Value::Int(1), Value::Int(5)]), Ok(Value::Int(5))));
        assert!(matches!(call("math.min", &[Value::Int(1), Value::Int(5)]), Ok(Value::Int(1))));
        assert!(
            matches!(call("math.max", &[Value::Int(123), Value::Double(-456.7)]), Ok(Value::Double(x)) if x == 123.0)
        );
        assert!(
            matches!(call("math.min", &[Value::Int(123), Value::Double(-456.7)]), Ok(Value::Double(x)) if x == -456.7)
        );
        assert!(
            matches!(call("math.max", &[Value::Double(f64::NAN), Value::Int(1)]), Ok(Value::Double(x)) if x.is_nan())
        );
        fails(call("math.max", &[Value::Int(1), s("2")]), "TypeError");
        fails(call("math.min", &[Value::Bool(true), Value::Int(2)]), "TypeError");
    }
}
