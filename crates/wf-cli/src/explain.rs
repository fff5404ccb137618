//! `wf explain CODE`: the registry entry of a diagnostic code.

use std::io::Write;

/// Prints one line per code: `WF120  unknown-key  a key that is not allowed here`.
pub fn run_explain_list(out: &mut dyn Write) -> std::io::Result<i32> {
    for c in wf_check::codes::all_codes() {
        writeln!(out, "{}  {:<36} {}", c.code, c.name, c.title)?;
    }
    Ok(0)
}

/// Prints the title and doc of `code`; returns the exit code (2 for an unknown code).
pub fn run_explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<i32> {
    match wf_check::codes::lookup(code) {
        Some(info) => {
            writeln!(out, "{} ({}): {}\n", info.code, info.name, info.title)?;
            writeln!(out, "{}", info.doc)?;
            Ok(0)
        }
        None => {
            writeln!(err, "error: unknown diagnostic code `{code}`")?;
            let known: Vec<&str> = wf_check::codes::all_codes().map(|c| c.code).collect();
            writeln!(err, "known codes: {}", known.join(", "))?;
            Ok(2)
        }
    }
}
