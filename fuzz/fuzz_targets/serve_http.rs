//! The pure parts of `wf serve`'s HTTP layer: `wf_server::api::Route::parse`,
//! `wf_server::callback_http::parse_query` and the store's value codec
//! (`wf_server::codec::encode` / `decode`). The input's first line is a path, its second a
//! query string; the whole input also builds a value and is read as JSON.
//!
//! Oracles:
//! - `route`: a path that is a route is exactly what the route says (the path rebuilt from
//!   the route's names is the path), tried as given and under a project/location and an
//!   execution prefix.
//! - `query`: `parse_query` agrees with a reference decoder (split at `&`, then at the first
//!   `=`; `+` is a space; `%` and two hex digits is a byte; any other `%` stays), and a
//!   list of pairs percent-encoded and parsed is the same list.
//! - `codec`: `decode(encode(v))` is `v`, strictly (kinds, bits of doubles, map order), also
//!   through JSON text; and for any JSON `j`, `decode(encode(decode(j)))` is `decode(j)`.
//!   Non-finite doubles are left out of the values (they encode as `null`); set
//!   `WF_FUZZ_CODEC_NONFINITE=1` to put them in.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Unstructured};
use libfuzzer_sys::fuzz_target;
use wf_server::api::Route;
use wf_server::callback_http::parse_query;
use wf_server::codec::{decode, encode};
use wf_vm::{Map, Value};
use wfkit_fuzz::{same, skipped, text};

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let mut lines = text.splitn(3, '\n');
    let path = lines.next().unwrap_or_default();
    let query = lines.next().unwrap_or_default();
    if !skipped("route") {
        for prefix in ["", "/v1/projects/p/locations/l/", "/v1/projects/p/locations/l/workflows/w/executions/"] {
            route(&format!("{prefix}{path}"));
        }
    }
    if !skipped("query") {
        let parsed = parse_query(Some(query));
        assert_eq!(parsed, reference_query(query), "parse_query({query:?})");
        let pairs: Vec<(String, String)> = query.split('\n').flat_map(|l| l.split_once('|')).map(own).collect();
        let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect();
        assert_eq!(parse_query(Some(&encoded.join("&"))), pairs, "the pairs encoded as {encoded:?}");
    }
    if !skipped("codec") {
        let nonfinite = std::env::var_os("WF_FUZZ_CODEC_NONFINITE").is_some();
        if let Ok(v) = value(&mut Unstructured::new(data), 0, nonfinite) {
            let back = decode(&encode(&v));
            assert!(same(&back, &v), "{v:?} decodes as {back:?}");
            let json = encode(&v).to_string();
            let back = decode(&serde_json::from_str(&json).expect("encode gives JSON"));
            assert!(same(&back, &v), "{v:?} through {json} decodes as {back:?}");
        }
        if let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) {
            let v = decode(&j);
            let again = decode(&encode(&v));
            assert!(same(&again, &v), "{j} decodes as {v:?}, then as {again:?}");
        }
    }
});

fn own((k, v): (&str, &str)) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Asserts that `path`, if it is a route, is the path its names make up.
fn route(path: &str) {
    let Some(r) = Route::parse(path) else { return };
    let rebuilt = match &r {
        Route::Callback { path } => path.clone(),
        Route::Workflows { parent } => format!("/v1/{parent}/workflows"),
        Route::Workflow { name } | Route::Operation { name } | Route::Execution { name } => format!("/v1/{name}"),
        Route::Executions { workflow } => format!("/v1/{workflow}/executions"),
        Route::Cancel { name } => format!("/v1/{name}:cancel"),
        Route::Callbacks { execution } => format!("/v1/{execution}/callbacks"),
        Route::Logs { execution } => format!("/v1/{execution}/logs"),
        Route::StepEntries { execution } => format!("/v1/{execution}/stepEntries"),
        Route::StepEntry { execution, id } => format!("/v1/{execution}/stepEntries/{id}"),
    };
    assert_eq!(rebuilt, path, "{path:?} parses as {r:?}");
}

/// The query pairs as the module documents them, written plainly.
fn reference_query(q: &str) -> Vec<(String, String)> {
    fn unescape(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .map(|(k, v)| (unescape(k), unescape(v)))
        .collect()
}

/// Percent-encodes everything but unreserved characters.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A value built from the input: every kind, nested at most four levels, with map keys that
/// include the codec's own tags.
fn value(u: &mut Unstructured<'_>, depth: u32, nonfinite: bool) -> arbitrary::Result<Value> {
    let kinds = if depth >= 4 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=kinds)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Int(u.arbitrary()?),
        3 => {
            let x = f64::from_bits(u.arbitrary()?);
            Value::Double(if x.is_finite() || nonfinite { x } else { 0.5 })
        }
        4 => Value::str(u.arbitrary::<&str>()?),
        5 => Value::Bytes(u.arbitrary::<Vec<u8>>()?.into()),
        6 => {
            let n = u.int_in_range(0..=4)?;
            Value::list((0..n).map(|_| value(u, depth + 1, nonfinite)).collect::<Result<_, _>>()?)
        }
        _ => {
            let mut m = Map::default();
            for _ in 0..u.int_in_range(0..=3)? {
                let key: &str = match u.int_in_range(0..=4)? {
                    0 => "$bytes",
                    1 => "$map",
                    2 => "$",
                    3 => "a",
                    _ => u.arbitrary()?,
                };
                m.insert(key.into(), value(u, depth + 1, nonfinite)?);
            }
            Value::map(m)
        }
    })
}
