//! `wf-server`: wfkit's HTTP layer. Today it serves callback endpoints over HTTP for
//! `wf run` ([`listener`]); `wf serve`, a local GCW service with durable executions, grows
//! here on the same runtime. Language logic stays out of this crate.

pub mod callback_http;
pub mod listener;

pub use callback_http::Auth;
pub use listener::CallbackListener;
