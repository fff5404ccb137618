//! Who may talk to `wf serve`: the checks every request passes before it reaches the
//! engine, against web pages the developer visits (see the threat model in
//! `docs/serve.md`). A page on another site can send a simple POST to `127.0.0.1` without
//! a preflight, and with DNS rebinding it can even read the answers; so
//!
//! - the `Host` header must name the server as its clients reach it (`127.0.0.1:PORT`,
//!   `localhost:PORT`, `[::1]:PORT`, the listen address, or a `--allow-host`), which a
//!   rebound name never does;
//! - an `Origin` header, which browsers add to cross-site requests, must be one of those
//!   too (`http://HOST`);
//! - an API write with a body must say `Content-Type: application/json` (a form or
//!   `text/plain` is what a page can send without a preflight). Callback requests take any
//!   body, as GCW's do: their Bearer token is what a page cannot send.

/// The hosts the server answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// `host:port` values, lower case; `*` lets every host in.
    hosts: Vec<String>,
}

/// Why a request was refused: the HTTP status and the message.
pub type Refusal = (u16, String);

impl Guard {
    /// The hosts of a server listening on `addr`, plus `extra` (`--allow-host`: a host
    /// name, `host:port`, or `*` for any).
    pub fn new(addr: std::net::SocketAddr, extra: &[String]) -> Guard {
        let port = addr.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
            addr.to_string().to_ascii_lowercase(),
        ];
        for h in extra {
            let h = h.to_ascii_lowercase();
            if h == "*" || h.contains(':') && !h.ends_with(']') {
                hosts.push(h);
            } else {
                hosts.push(format!("{h}:{port}"));
            }
        }
        Guard { hosts }
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|h| h == "*" || *h == host)
    }

    /// Checks one request's headers: `Host`, `Origin`, and for an API write with a body,
    /// `Content-Type`.
    pub fn check(&self, headers: &[(String, String)], api_write_with_body: bool) -> Result<(), Refusal> {
        let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
        if let Some(host) = header("host")
            && !self.allows(host)
        {
            return Err((
                403,
                format!(
                    "requests for host `{host}` are refused: wf serve answers to {} (start it with `--allow-host {host}` to add one)",
                    self.hosts.join(", ")
                ),
            ));
        }
        if let Some(origin) = header("origin") {
            let same = origin.strip_prefix("http://").is_some_and(|h| self.allows(h));
            if !same {
                return Err((403, format!("cross-origin requests are refused (Origin `{origin}`)")));
            }
        }
        if api_write_with_body {
            let media = header("content-type").map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
            if media.as_deref() != Some("application/json") {
                let found = media.map_or("none".to_string(), |m| format!("`{m}`"));
                return Err((
                    400,
                    format!("the request body must be JSON with `Content-Type: application/json` (found {found})"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn guard() -> Guard {
        Guard::new("127.0.0.1:8080".parse().unwrap(), &["dev.example".into()])
    }

    #[test]
    fn the_servers_own_names_pass_and_rebound_names_do_not() {
        let g = guard();
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080", "dev.example:8080"] {
            assert_eq!(g.check(&headers(&[("Host", host)]), false), Ok(()), "{host}");
        }
        for host in ["evil.example:8080", "127.0.0.1:9090", "localhost", "127.0.0.1.evil.example:8080"] {
            let (status, why) = g.check(&headers(&[("Host", host)]), false).unwrap_err();
            assert_eq!(status, 403);
            assert!(why.contains(&format!("`--allow-host {host}`")), "{why}");
        }
        assert_eq!(g.check(&headers(&[]), false), Ok(()), "no Host: not a browser");
        let any = Guard::new("0.0.0.0:80".parse().unwrap(), &["*".into()]);
        assert_eq!(any.check(&headers(&[("Host", "anything:1")]), false), Ok(()));
    }

    #[test]
    fn foreign_origins_are_refused() {
        let g = guard();
        let ok = headers(&[("Host", "localhost:8080"), ("Origin", "http://localhost:8080")]);
        assert_eq!(g.check(&ok, true).unwrap_err().0, 400, "past the origin check, stopped by the content type");
        for origin in ["https://evil.example", "null", "http://localhost:9999", "http://localhost:8080.evil.example"] {
            let h = headers(&[("Host", "localhost:8080"), ("Origin", origin)]);
            let (status, why) = g.check(&h, false).unwrap_err();
            assert_eq!(status, 403, "{origin}");
            assert!(why.contains("cross-origin"), "{why}");
        }
    }

    #[test]
    fn api_writes_with_a_body_must_be_json() {
        let g = guard();
        let with = |ct: &str| headers(&[("Host", "127.0.0.1:8080"), ("Content-Type", ct)]);
        assert_eq!(g.check(&with("application/json"), true), Ok(()));
        assert_eq!(g.check(&with("application/json; charset=utf-8"), true), Ok(()));
        assert_eq!(g.check(&with("text/plain"), false), Ok(()), "callbacks and bodiless requests take anything");
        for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let (status, why) = g.check(&with(ct), true).unwrap_err();
            assert_eq!(status, 400);
            assert!(why.contains("Content-Type: application/json"), "{why}");
        }
        let (_, why) = g.check(&headers(&[]), true).unwrap_err();
        assert!(why.contains("(found none)"), "{why}");
    }
}
