//! `wf serve`: binds the address, opens the store (rebuilding the executions it holds),
//! starts the HTTP layer, and runs the engine on the calling thread.

use std::sync::mpsc::channel;

use crate::api::HttpServer;
use crate::engine::{Config, Engine};

/// Runs `wf serve` until the process ends; `Err` when it cannot start.
pub fn serve(
    listen: &str,
    allow_hosts: &[String],
    mut config: Config,
    on_start: impl FnOnce(&str, &Config),
) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(listen).map_err(|e| format!("cannot listen on `{listen}`: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    config.base_url = format!("http://{addr}");
    let (sender, messages) = channel();
    let engine = Engine::open(config.clone(), sender.clone())?;
    let guard = crate::guard::Guard::new(addr, allow_hosts);
    let _http = HttpServer::start(listener, sender, guard).map_err(|e| format!("cannot start the HTTP server: {e}"))?;
    on_start(&config.base_url, &config);
    engine.run(messages);
    Ok(())
}
