//! `wf-server`: wfkit's HTTP layer and `wf serve`. It serves callback endpoints over HTTP
//! for `wf run` ([`listener`]), and runs `wf serve` ([`serve`]): GCW's REST API
//! ([`api`]) in front of one engine thread that owns every execution ([`engine`]), with a
//! durable SQLite store ([`store`]); [`guard`] keeps web pages out. Language logic stays
//! out of this crate.

pub mod api;
pub mod callback_http;
pub mod codec;
pub mod crashes;
pub mod engine;
pub mod guard;
pub mod listener;
pub mod serve;
pub mod store;
pub mod world;

pub use callback_http::Auth;
pub use listener::CallbackListener;
