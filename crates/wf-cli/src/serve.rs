//! `wf serve`: reads the options, loads mocks, prints where the service listens and its
//! callback token, and runs `wf-server`.

use std::io::Write;
use std::path::PathBuf;

use wf_server::Auth;
use wf_server::engine::Config;

/// Options of `wf serve`.
#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// Deploy every workflow file in this folder, and redeploy it when it changes.
    pub dir: Option<PathBuf>,
    /// The address (default `127.0.0.1:8080`).
    pub listen: Option<String>,
    /// The database (default `.wfkit/serve.db`).
    pub db: Option<PathBuf>,
    /// The project of `--dir` deployments (default `local-project`).
    pub project: Option<String>,
    /// The location of `--dir` deployments (default `us-central1`).
    pub location: Option<String>,
    /// Answers for outbound calls (the scenario `mocks:` format).
    pub mocks: Option<PathBuf>,
    /// The Bearer token of callback requests (default: a random one).
    pub callback_token: Option<String>,
    /// Callback requests need no token.
    pub no_auth: bool,
    /// Active executions at most (default 5,000, GCW's quota).
    pub max_active: Option<usize>,
    /// More `Host` names the server answers to (`--allow-host`, repeatable; `*` for any).
    pub allow_hosts: Vec<String>,
}

/// Runs `wf serve`; returns the exit code when it cannot start (2).
pub fn run_serve(a: &ServeArgs, err: &mut dyn Write) -> std::io::Result<i32> {
    let mocks = match crate::run::load_mocks(a.mocks.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(2);
        }
    };
    let auth = crate::run::auth(a.callback_token.as_deref(), a.no_auth);
    let config = Config {
        db: a.db.clone().unwrap_or_else(|| PathBuf::from(".wfkit/serve.db")),
        dir: a.dir.clone(),
        project: a.project.clone().unwrap_or_else(|| "local-project".into()),
        location: a.location.clone().unwrap_or_else(|| "us-central1".into()),
        mocks,
        auth,
        base_url: String::new(),
        max_active: a.max_active.unwrap_or(wf_server::engine::DEFAULT_MAX_ACTIVE),
    };
    let listen = a.listen.as_deref().unwrap_or("127.0.0.1:8080");
    let started = wf_server::serve::serve(listen, &a.allow_hosts, config, |base, config| {
        let how = match &config.auth {
            Auth::Token(t) => format!("callback requests need `Authorization: Bearer {t}`"),
            Auth::Open => "callback requests need no token (--no-auth)".into(),
        };
        eprintln!("wf serve: listening on {base}/ (database {}); {how}", config.db.display());
    });
    match started {
        Ok(()) => Ok(0),
        Err(e) => {
            writeln!(err, "error: {e}")?;
            Ok(2)
        }
    }
}
