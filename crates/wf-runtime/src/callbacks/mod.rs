//! Callback endpoints as GCW has them (DESIGN.md, section Callbacks): one stored request
//! per endpoint, waiting awaits served in await order, 200 / 429 / 404 / 405, bodies
//! decoded by content type, GCW-shaped URLs. `wf-test`, `wf run` and `wf serve` all use
//! this one model.

mod endpoints;
mod received;
mod request;
mod urls;

pub use endpoints::{Await, CallbackStatus, Endpoint, Endpoints, Target};
pub use received::ReceivedClock;
pub use request::HttpRequest;
pub use urls::{UrlScheme, uuid, workflow_id};
