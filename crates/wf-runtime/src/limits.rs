//! GCW's limits on an execution as a whole, which every driver applies the same way (the
//! machine's own limits, on steps, call depth and memory, are `wf_vm::Limits`). The table
//! of every limit, with its source, is in `docs/semantics.md`.

/// The longest an execution runs, in seconds: one year. Past it the execution fails at its
/// next event (a wake-up, an answer, a callback request).
pub const MAX_DURATION: f64 = 31_536_000.0;

/// The largest execution argument, in bytes of JSON text (32 KB).
pub const MAX_ARGUMENT_BYTES: usize = 32 * 1024;

/// The most user environment variables a workflow has.
pub const MAX_ENV_VARS: usize = 20;

/// The longest value of one user environment variable, in bytes (4 KiB).
pub const MAX_ENV_VALUE_BYTES: usize = 4 * 1024;

/// Why an execution argument of `len` bytes is refused, if it is.
pub fn argument_problem(len: usize) -> Option<String> {
    (len > MAX_ARGUMENT_BYTES)
        .then(|| format!("the argument is {len} bytes of JSON; GCW takes at most {MAX_ARGUMENT_BYTES} (32 KB)"))
}

/// Why a set of user environment variables is refused, if it is: more than
/// [`MAX_ENV_VARS`], or a value longer than [`MAX_ENV_VALUE_BYTES`].
pub fn env_problem<'a>(vars: impl IntoIterator<Item = (&'a str, usize)>) -> Option<String> {
    let mut count = 0;
    for (name, len) in vars {
        count += 1;
        if len > MAX_ENV_VALUE_BYTES {
            return Some(format!(
                "environment variable `{name}` is {len} bytes; GCW takes at most {MAX_ENV_VALUE_BYTES} (4 KiB) per value"
            ));
        }
    }
    (count > MAX_ENV_VARS)
        .then(|| format!("{count} environment variables; GCW takes at most {MAX_ENV_VARS} per workflow"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_up_to_32_kb_pass() {
        assert_eq!(argument_problem(MAX_ARGUMENT_BYTES), None);
        let e = argument_problem(MAX_ARGUMENT_BYTES + 1).expect("refused");
        assert!(e.contains("32769 bytes"), "{e}");
    }

    #[test]
    fn twenty_variables_of_4_kib_pass_and_one_more_of_either_does_not() {
        let names: Vec<String> = (0..21).map(|i| format!("V{i}")).collect();
        let vars = |n: usize, len: usize| names[..n].iter().map(move |k| (k.as_str(), len)).collect::<Vec<_>>();
        assert_eq!(env_problem(vars(20, MAX_ENV_VALUE_BYTES)), None);
        assert!(env_problem(vars(21, 1)).expect("refused").contains("21 environment variables"));
        assert!(env_problem(vars(1, MAX_ENV_VALUE_BYTES + 1)).expect("refused").contains("`V0` is 4097 bytes"));
    }
}
