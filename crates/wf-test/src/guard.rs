//! Running one scenario so that a panic (a bug in wfkit, never a scenario mistake) becomes
//! that scenario's failure instead of taking its worker thread, and the results the worker
//! already had, down with it.
//!
//! The default panic hook would print `thread '<unnamed>' panicked at ...` in the middle of
//! the report; while a guarded closure runs, the hook installed here records the message
//! and the location for the report instead. Panics outside guarded code still reach the
//! previous hook.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

/// A caught panic: its message and where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic message (`unknown panic` when the payload is not text).
    pub message: String,
    /// `file:line:col` of the `panic!`, when known.
    pub location: Option<String>,
}

thread_local! {
    /// `Some` while a guarded closure runs on this thread: the panic it raised, if any.
    static CAUGHT: RefCell<Option<Option<Panic>>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic inside it becomes `Err` (without the default hook's output).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    let outer = CAUGHT.with(|c| c.replace(Some(None)));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    let recorded = CAUGHT.with(|c| c.replace(outer)).flatten();
    outcome.map_err(|payload| {
        recorded.unwrap_or_else(|| Panic { message: payload_text(payload.as_ref()), location: None })
    })
}

/// Installs (once per process) the hook that records panics of guarded code and hands
/// every other panic to the hook that was there before.
fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let recorded = CAUGHT.with(|c| match c.borrow_mut().as_mut() {
                Some(slot) => {
                    *slot = Some(describe(info));
                    true
                }
                None => false,
            });
            if !recorded {
                previous(info);
            }
        }));
    });
}

fn describe(info: &PanicHookInfo<'_>) -> Panic {
    Panic {
        message: payload_text(info.payload()),
        location: info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message_and_location() {
        assert_eq!(catch(|| 7), Ok(7));
        let caught = catch(|| -> u32 { panic!("broken at {}", 3) }).expect_err("a panic");
        assert_eq!(caught.message, "broken at 3");
        assert!(caught.location.is_some_and(|l| l.contains("guard.rs")));
        // Nested guards: the inner panic stays inside the inner guard.
        let outer = catch(|| catch(|| -> u32 { panic!("inner") }).map_err(|p| p.message));
        assert_eq!(outer, Ok(Err("inner".to_string())));
    }
}
