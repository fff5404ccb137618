//! The table itself, transcribed from `gcw-language.md` (sections 4.5, 6 and 9).

use super::{Allowed, Function, Param, Predefined, PredefinedKind, Returns, Shape, Status, tags};
use crate::ty::Kinds;

const ANY: Kinds = Kinds::ANY;
const STR: Kinds = Kinds::STRING;
const INT: Kinds = Kinds::INT;
const NUM: Kinds = Kinds::NUMBER;
const BOOL: Kinds = Kinds::BOOL;
const BYTES: Kinds = Kinds::BYTES;
const LIST: Kinds = Kinds::LIST;
const MAP: Kinds = Kinds::MAP;
const NULL: Kinds = Kinds::NULL;

const fn req(name: &'static str, kinds: Kinds) -> Param {
    Param { name, kinds, required: true, default: None, allowed: Allowed::Any }
}

const fn opt(name: &'static str, kinds: Kinds, default: Option<&'static str>) -> Param {
    Param { name, kinds, required: false, default, allowed: Allowed::Any }
}

const fn limited(p: Param, allowed: Allowed) -> Param {
    Param { allowed, ..p }
}

const fn f(
    name: &'static str,
    params: &'static [Param],
    returns: Returns,
    raises: &'static [&'static str],
    doc: &'static str,
) -> Function {
    Function { name, params, returns, blocking: false, raises, doc, status: Status::Documented }
}

const fn blocking(func: Function) -> Function {
    Function { blocking: true, ..func }
}

const fn preview(func: Function) -> Function {
    Function { status: Status::Preview, ..func }
}

const fn deprecated(func: Function) -> Function {
    Function { status: Status::Deprecated, ..func }
}

const fn k(kinds: Kinds) -> Returns {
    Returns::Kinds(kinds)
}

const HTTP_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];
const SEVERITIES: &[&str] =
    &["DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"];
const HASH_ALGORITHMS: &[&str] = &["MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"];
const HTTP_TIMEOUT: Allowed = Allowed::Range(0.0, 1800.0);
/// One year in seconds: the longest sleep, callback wait or connector call GCW allows.
pub(crate) const YEAR_SECONDS: f64 = 31_536_000.0;

const HTTP_COMMON: [Param; 7] = [
    req("url", STR),
    limited(opt("timeout", NUM, Some("300")), HTTP_TIMEOUT),
    opt("headers", MAP, None),
    opt("query", MAP, None),
    opt("auth", MAP, None),
    opt("private_service_name", STR, None),
    opt("ca_certificate", BYTES, None),
];

const fn with_body(common: [Param; 7]) -> [Param; 8] {
    let [a, b, c, d, e, f, g] = common;
    [a, b, c, d, e, f, g, opt("body", ANY, None)]
}

const HTTP_GET: [Param; 7] = HTTP_COMMON;
const HTTP_WITH_BODY: [Param; 8] = with_body(HTTP_COMMON);
const HTTP_REQUEST: [Param; 9] = {
    let [a, b, c, d, e, f, g, h] = HTTP_WITH_BODY;
    [limited(req("method", STR), Allowed::OneOf(HTTP_METHODS)), a, b, c, d, e, f, g, h]
};
const HTTP_RAISES: &[&str] =
    &[tags::HTTP, tags::CONNECTION, tags::CONNECTION_FAILED, tags::TIMEOUT, tags::AUTH, tags::VALUE];
const HTTP_RESPONSE: Returns = Returns::Shape(Shape::HttpResponse);

/// Every function and expression helper.
pub static FUNCTIONS: &[Function] = &[
    // Expression helpers (§4.5).
    f(
        "default",
        &[req("value", ANY), req("default_value", ANY)],
        Returns::UnionOf(0, 1),
        &[],
        "`value` unless it is null, else `default_value` (does not catch KeyError)",
    ),
    f(
        "double",
        &[req("value", STR.or(INT).or(Kinds::DOUBLE))],
        k(Kinds::DOUBLE),
        &[tags::TYPE, tags::VALUE],
        "converts a string or an integer to a double",
    ),
    f(
        "get_type",
        &[req("value", ANY)],
        k(STR),
        &[],
        "the type name of a value: boolean, bytes, double, integer, list, map, string or null",
    ),
    f(
        "if",
        &[req("condition", BOOL.or(NULL)), req("if_true", ANY), req("if_false", ANY)],
        Returns::UnionOf(1, 2),
        &[tags::TYPE],
        "`if_true` when `condition` is true, else `if_false` (null counts as false)",
    ),
    f(
        "int",
        &[req("value", STR.or(Kinds::DOUBLE).or(INT))],
        k(INT),
        &[tags::TYPE, tags::VALUE],
        "converts a string or a double (truncated toward zero) to an integer",
    ),
    f("keys", &[req("map", MAP)], Returns::Shape(Shape::ListOfStrings), &[tags::TYPE], "the keys of a map, in order"),
    f(
        "len",
        &[req("value", LIST.or(MAP).or(STR))],
        k(INT),
        &[tags::TYPE],
        "the length of a list, map or string (in characters)",
    ),
    f(
        "string",
        &[req("value", INT.or(Kinds::DOUBLE).or(BOOL).or(STR))],
        k(STR),
        &[tags::TYPE],
        "converts an integer, double or boolean to a string",
    ),
    // base64 (§6.1).
    f(
        "base64.decode",
        &[req("data", STR), opt("padding", BOOL, Some("true"))],
        k(BYTES),
        &[tags::VALUE, tags::TYPE],
        "decodes base64 text to bytes",
    ),
    f(
        "base64.encode",
        &[req("data", BYTES.or(STR)), opt("padding", BOOL, Some("true"))],
        k(STR),
        &[tags::TYPE],
        "encodes bytes as base64 text",
    ),
    // events (§6.2, §9).
    blocking(f(
        "events.await_callback",
        &[req("callback", MAP), limited(opt("timeout", NUM, Some("43200")), Allowed::Range(0.0, YEAR_SECONDS))],
        Returns::Shape(Shape::CallbackRequest),
        &[tags::TIMEOUT, tags::VALUE, tags::TYPE],
        "waits for a request to a callback endpoint",
    )),
    blocking(f(
        "events.create_callback_endpoint",
        &[limited(opt("http_callback_method", STR, Some("\"POST\"")), Allowed::OneOf(HTTP_METHODS))],
        Returns::Shape(Shape::CallbackEndpoint),
        &[tags::VALUE],
        "creates a callback endpoint that accepts one HTTP method",
    )),
    // hash (§6.3).
    f(
        "hash.compute_checksum",
        &[req("data", BYTES), limited(req("algorithm", STR), Allowed::OneOf(HASH_ALGORITHMS))],
        k(BYTES),
        &[tags::TYPE, tags::VALUE],
        "the checksum of bytes",
    ),
    f(
        "hash.compute_hmac",
        &[req("key", BYTES), req("data", BYTES), limited(req("algorithm", STR), Allowed::OneOf(HASH_ALGORITHMS))],
        k(BYTES),
        &[tags::TYPE, tags::VALUE],
        "the HMAC of bytes with a key",
    ),
    // http (§6.4).
    blocking(f("http.delete", &HTTP_WITH_BODY, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP DELETE request")),
    blocking(f("http.get", &HTTP_GET, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP GET request")),
    blocking(f("http.patch", &HTTP_WITH_BODY, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP PATCH request")),
    blocking(f("http.post", &HTTP_WITH_BODY, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP POST request")),
    blocking(f("http.put", &HTTP_WITH_BODY, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP PUT request")),
    blocking(f("http.request", &HTTP_REQUEST, HTTP_RESPONSE, HTTP_RAISES, "sends an HTTP request with any method")),
    // json (§6.5).
    f("json.decode", &[req("data", BYTES.or(STR))], k(ANY), &[tags::VALUE, tags::TYPE], "parses JSON text or bytes"),
    f(
        "json.encode",
        &[req("data", ANY), opt("indent", BOOL.or(MAP), None)],
        k(BYTES),
        &[tags::TYPE, tags::VALUE],
        "encodes a value as JSON bytes",
    ),
    f(
        "json.encode_to_string",
        &[req("data", ANY), opt("indent", BOOL.or(MAP), None)],
        k(STR),
        &[tags::TYPE, tags::VALUE],
        "encodes a value as a JSON string",
    ),
    // list (§6.6).
    f(
        "list.concat",
        &[req("objs", LIST), req("val", ANY)],
        Returns::SameAs(0),
        &[tags::TYPE],
        "a new list with `val` appended as one element",
    ),
    f(
        "list.prepend",
        &[req("objs", LIST), req("val", ANY)],
        Returns::SameAs(0),
        &[tags::TYPE],
        "a new list with `val` in front",
    ),
    // map (§6.7).
    f("map.delete", &[req("map", MAP), req("key", STR)], Returns::SameAs(0), &[tags::TYPE], "a new map without `key`"),
    f(
        "map.get",
        &[req("map", MAP), req("keys", STR.or(LIST))],
        k(ANY),
        &[tags::TYPE],
        "the value at a key or key path, or null when missing",
    ),
    f(
        "map.merge",
        &[req("first", MAP), req("second", MAP)],
        k(MAP),
        &[tags::TYPE],
        "a shallow merge in which `second` wins",
    ),
    f(
        "map.merge_nested",
        &[req("first", MAP), req("second", MAP)],
        k(MAP),
        &[tags::TYPE],
        "a deep merge in which `second` wins",
    ),
    // math (§6.8).
    f("math.abs", &[req("x", NUM)], Returns::SameAs(0), &[tags::TYPE], "the absolute value"),
    f("math.floor", &[req("x", NUM)], k(NUM), &[tags::TYPE], "the largest whole number not above `x`"),
    f("math.max", &[req("x", NUM), req("y", NUM)], k(NUM), &[tags::TYPE], "the larger of two numbers"),
    f("math.min", &[req("x", NUM), req("y", NUM)], k(NUM), &[tags::TYPE], "the smaller of two numbers"),
    // sys (§6.10).
    f(
        "sys.get_env",
        &[req("name", STR), opt("default", STR.or(NULL), None)],
        k(STR.or(NULL)),
        &[tags::TYPE],
        "an environment variable, or `default` when unset",
    ),
    blocking(f(
        "sys.log",
        &[
            opt("data", ANY, None),
            limited(opt("severity", STR, Some("\"DEFAULT\"")), Allowed::OneOf(SEVERITIES)),
            opt("text", ANY, None),
            opt("json", MAP, None),
            opt("timeout", NUM, None),
        ],
        k(NULL),
        &[tags::TYPE],
        "writes a log entry",
    )),
    f("sys.now", &[], k(Kinds::DOUBLE), &[], "seconds since the Unix epoch"),
    blocking(f(
        "sys.sleep",
        &[limited(req("seconds", NUM), Allowed::Range(0.0, YEAR_SECONDS))],
        k(NULL),
        &[tags::VALUE, tags::TYPE],
        "waits for a number of seconds (at most one year)",
    )),
    blocking(f(
        "sys.sleep_until",
        &[req("time", STR)],
        k(NULL),
        &[tags::VALUE, tags::TYPE],
        "waits until an RFC 3339 time",
    )),
    // text (§6.11).
    f(
        "text.decode",
        &[req("data", BYTES), opt("charset", STR, Some("\"UTF-8\""))],
        k(STR),
        &[tags::VALUE, tags::TYPE],
        "decodes bytes to text",
    ),
    f(
        "text.encode",
        &[req("text", STR), opt("charset", STR, Some("\"UTF-8\""))],
        k(BYTES),
        &[tags::VALUE, tags::TYPE],
        "encodes text to bytes",
    ),
    f(
        "text.find_all",
        &[req("source", STR), req("substr", STR)],
        k(LIST),
        &[tags::TYPE],
        "the positions of a substring",
    ),
    f(
        "text.find_all_regex",
        &[req("source", STR), req("regexp", STR)],
        Returns::Shape(Shape::RegexMatches),
        &[tags::TYPE, tags::VALUE],
        "every regex match as `{index, match}`",
    ),
    f(
        "text.match_regex",
        &[req("source", STR), req("regexp", STR)],
        k(BOOL),
        &[tags::TYPE, tags::VALUE],
        "whether a regex matches anywhere",
    ),
    f(
        "text.replace_all",
        &[req("source", STR), req("substr", STR), req("repl", STR)],
        k(STR),
        &[tags::TYPE],
        "replaces every occurrence of a substring",
    ),
    f(
        "text.replace_all_regex",
        &[req("source", STR), req("regexp", STR), req("repl", STR)],
        k(STR),
        &[tags::TYPE, tags::VALUE],
        "replaces every regex match",
    ),
    f(
        "text.split",
        &[req("source", STR), req("separator", STR)],
        Returns::Shape(Shape::ListOfStrings),
        &[tags::TYPE],
        "splits text at a separator",
    ),
    f(
        "text.substring",
        &[req("source", STR), req("start", INT), req("end", INT)],
        k(STR),
        &[tags::TYPE, tags::VALUE],
        "the characters from `start` up to `end`",
    ),
    f("text.to_lower", &[req("source", STR)], k(STR), &[tags::TYPE], "lower-cases text"),
    f("text.to_upper", &[req("source", STR)], k(STR), &[tags::TYPE], "upper-cases text"),
    f("text.url_decode", &[req("source", STR)], k(STR), &[tags::TYPE, tags::VALUE], "decodes percent-encoding"),
    f("text.url_encode", &[req("source", STR)], k(STR), &[tags::TYPE], "percent-encodes text (space as %20)"),
    f("text.url_encode_plus", &[req("source", STR)], k(STR), &[tags::TYPE], "percent-encodes text (space as +)"),
    // time (§6.12).
    f(
        "time.format",
        &[req("seconds", NUM), opt("timezone", STR, None)],
        k(STR),
        &[tags::TYPE, tags::VALUE],
        "formats Unix seconds as RFC 3339",
    ),
    f(
        "time.parse",
        &[req("value", STR)],
        k(Kinds::DOUBLE),
        &[tags::TYPE, tags::VALUE],
        "parses RFC 3339 to Unix seconds",
    ),
    // uuid (§6.13).
    f("uuid.generate", &[], k(STR), &[], "a random version 4 UUID"),
    // experimental.executions (§6.14).
    deprecated(blocking(f(
        "experimental.executions.map",
        &[req("workflow_id", STR), req("arguments", LIST)],
        k(LIST),
        &[tags::TYPE, tags::VALUE],
        "runs a workflow once per argument and waits for all results",
    ))),
    deprecated(blocking(f(
        "experimental.executions.run",
        &[req("workflow_id", STR), opt("argument", ANY, None)],
        k(ANY),
        &[tags::TYPE, tags::VALUE],
        "runs a workflow and waits for its result",
    ))),
    // Private-preview functions that real workflows call (see ../shared/corpus/README.md).
    preview(blocking(f("gke.await_job", &[], k(ANY), &[], "waits for a Kubernetes job (preview)"))),
    preview(blocking(f("gke.create_job", &[], k(ANY), &[], "creates a Kubernetes job (preview)"))),
    preview(blocking(f("gke.delete_job", &[], k(ANY), &[], "deletes a Kubernetes job (preview)"))),
    preview(blocking(f("gke.request", &[], k(ANY), &[], "sends a Kubernetes API request (preview)"))),
    preview(blocking(f("shell.gcloud", &[], k(ANY), &[], "runs a gcloud command (preview)"))),
    preview(blocking(f("shell.kubectl", &[], k(ANY), &[], "runs a kubectl command (preview)"))),
];

/// Predefined values: retry policies, predicates and the default backoff.
pub static VALUES: &[Predefined] = &[
    Predefined {
        name: "http.default_retry",
        kind: PredefinedKind::RetryPolicy,
        doc: "retries 429, 502, 503, 504, connection errors and timeouts: 5 retries, backoff 1 s ×1.25 up to 60 s",
    },
    Predefined {
        name: "http.default_retry_non_idempotent",
        kind: PredefinedKind::RetryPolicy,
        doc: "retries 429 and 503 only: 5 retries, backoff 1 s ×1.25 up to 60 s",
    },
    Predefined {
        name: "http.default_retry_predicate",
        kind: PredefinedKind::Predicate,
        doc: "true for HTTP 429, 502, 503, 504, ConnectionError and TimeoutError",
    },
    Predefined {
        name: "http.default_retry_predicate_non_idempotent",
        kind: PredefinedKind::Predicate,
        doc: "true for HTTP 429 and 503",
    },
    Predefined { name: "retry.always", kind: PredefinedKind::Predicate, doc: "a predicate that always retries" },
    Predefined {
        name: "retry.default_backoff",
        kind: PredefinedKind::Data(Shape::Backoff),
        doc: "`{initial_delay: 1, max_delay: 60, multiplier: 1.25}`",
    },
    Predefined { name: "retry.never", kind: PredefinedKind::Predicate, doc: "a predicate that never retries" },
    Predefined {
        name: "experimental.executions.execution_error",
        kind: PredefinedKind::Data(Shape::Error),
        doc: "the error of a failed child execution (legacy)",
    },
];
