//! `wf-runtime`: everything outside the machine, implemented once for `wf-test`, `wf run`
//! and `wf serve`: the driver loop that answers the machine's effects ([`execution`]),
//! clocks, timers, the callback-endpoint model, the outbound HTTP client, answers from
//! mocks, and the journal of answers that replays an execution.

pub mod callbacks;
pub mod clock;
pub mod duration;
pub mod execution;
pub mod http;
pub mod journal;
pub mod limits;
pub mod mocks;
pub mod pool;
pub mod realtime;
pub mod timers;

pub use callbacks::{CallbackStatus, Endpoints, HttpRequest, Target, UrlScheme};
pub use clock::Clock;
pub use execution::{CallReply, End, EventSource, Execution, Happening, Next, World, drive};
pub use journal::{Divergence, Journal};
pub use mocks::{Mock, Mocks};
