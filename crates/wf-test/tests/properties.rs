//! Properties of the virtual world over random scenarios: the same scenario and seed give
//! the same trace byte for byte; a callback request answered 200 always reaches the
//! workflow, once, in arrival order; the clock never goes backwards and `at:` requests
//! arrive exactly at their time.

use std::fmt::Write as _;
use std::path::Path;
use std::rc::Rc;

use proptest::prelude::*;
use wf_syntax::SourceFile;
use wf_test::scenario::{self, Scenario, Timing};
use wf_test::world::Outcome;
use wf_test::{Trace, compile_workflow, simulate, snapshot};
use wf_vm::Program;

/// Waits for up to `args.n` requests on one endpoint, pausing `args.pause` seconds after
/// each, and returns their bodies in the order received.
const COLLECT: &str = r#"
main:
  params: [args]
  steps:
    - make:
        call: events.create_callback_endpoint
        result: cb
    - init:
        assign:
          - got: []
    - collect:
        for:
          value: i
          range:
            - 1
            - ${args.n}
          steps:
            - wait:
                try:
                  call: events.await_callback
                  args:
                    callback: ${cb}
                    timeout: 86400
                  result: req
                except:
                  as: e
                  steps:
                    - give_up:
                        return: ${got}
            - keep:
                assign:
                  - got: ${list.concat(got, req.http_request.body)}
            - rest:
                call: sys.sleep
                args:
                  seconds: ${args.pause}
    - done:
        return: ${got}
"#;

/// Parallel branches that share one endpoint, sleep, log random ids and race on a list.
const RACE: &str = r#"
main:
  params: [args]
  steps:
    - make:
        call: events.create_callback_endpoint
        result: cb
    - init:
        assign:
          - seen: []
    - fan_out:
        parallel:
          shared: [seen]
          for:
            value: k
            range: [1, 4]
            steps:
              - fallback:
                  assign:
                    - req: {http_request: {body: missed}}
              - nap:
                  call: sys.sleep
                  args:
                    seconds: ${k * args.gap}
              - wait:
                  try:
                    call: events.await_callback
                    args:
                      callback: ${cb}
                      timeout: 3600
                    result: req
                  except:
                    as: e
                    steps:
                      - missed:
                          assign:
                            - timed_out: true
              - note:
                  call: sys.log
                  args:
                    text: ${string(k) + " " + uuid.generate() + " " + string(req.http_request.body)}
              - add:
                  assign:
                    - seen: ${list.concat(seen, k)}
    - done:
        return: ${seen}
"#;

fn program(text: &str) -> Rc<Program> {
    let source = SourceFile::new("property.workflows.yaml", text);
    Rc::new(compile_workflow(&source).unwrap_or_else(|e| panic!("{}\n{}", e.what, e.detail)))
}

/// Parses a scenario whose `workflow:` is this crate's `Cargo.toml`: loading only checks that
/// the file exists, and the tests run programs compiled from the texts above.
fn scenario(text: &str) -> Scenario {
    scenario::parse(&Path::new(env!("CARGO_MANIFEST_DIR")).join("property.scenario.yaml"), text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One callback request: `Some(seconds)` for `at:`, `None` for `when: awaited`.
type Request = Option<u32>;

fn scenario_text(args: &str, seed: u64, requests: &[Request]) -> String {
    let mut text = format!("workflow: Cargo.toml\nseed: {seed}\nargs: {args}\ncallbacks:\n");
    for (i, r) in requests.iter().enumerate() {
        let timing = r.map_or_else(|| "when: awaited".to_string(), |s| format!("at: {s}"));
        let _ = writeln!(text, "  - endpoint: 1\n    {timing}\n    body: r{i}");
    }
    text
}

fn requests() -> impl Strategy<Value = Vec<Request>> {
    prop::collection::vec(prop_oneof![4 => (0u32..36_000).prop_map(Some), 1 => Just(None)], 0..12)
}

/// The callback events of a trace: (time, scenario line, status).
fn answers(t: &Trace) -> Vec<(f64, u32, u16)> {
    t.events
        .iter()
        .filter_map(|e| {
            let rest = e.what.strip_prefix("callback (line ")?;
            let (line, rest) = rest.split_once(')')?;
            let status = rest.split_once(": ")?.1.get(..3)?;
            Some((e.at, line.parse().ok()?, status.parse().ok()?))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn same_scenario_and_seed_give_the_same_trace(seed in 0..i64::MAX as u64, gap in 0u32..600, requests in requests()) {
        let text = scenario_text(&format!("{{gap: {gap}}}"), seed, &requests);
        let program = program(RACE);
        let first = snapshot::render(&simulate(&scenario(&text), program.clone()));
        let second = snapshot::render(&simulate(&scenario(&text), program));
        prop_assert_eq!(first, second);
    }

    #[test]
    fn every_request_answered_200_reaches_the_workflow_once_in_order(
        pause in 0u32..7_200,
        requests in requests(),
    ) {
        let n = requests.len().max(1);
        let s = scenario(&scenario_text(&format!("{{n: {n}, pause: {pause}}}"), 0, &requests));
        let trace = simulate(&s, program(COLLECT));
        let Outcome::Succeeded(result) = &trace.outcome else {
            return Err(TestCaseError::fail(snapshot::render(&trace)));
        };
        let body_of_line = |line: u32| {
            let c = s.callbacks.iter().find(|c| c.place.line == line).expect("a scenario line");
            c.body.as_ref().map(ToString::to_string).unwrap_or_default()
        };
        let accepted: Vec<String> =
            answers(&trace).into_iter().filter(|a| a.2 == 200).map(|a| body_of_line(a.1)).collect();
        let received: Vec<String> = match result {
            wf_vm::Value::List(items) => items.iter().map(ToString::to_string).collect(),
            other => return Err(TestCaseError::fail(format!("not a list: {other}"))),
        };
        prop_assert_eq!(received, accepted, "{}", snapshot::render(&trace));
    }

    #[test]
    fn the_clock_never_goes_backwards_and_requests_arrive_on_time(
        pause in 0u32..7_200,
        gap in 0u32..600,
        requests in requests(),
    ) {
        let n = requests.len().max(1);
        for (args, workflow) in [(format!("{{n: {n}, pause: {pause}}}"), COLLECT), (format!("{{gap: {gap}}}"), RACE)] {
            let s = scenario(&scenario_text(&args, 7, &requests));
            let trace = simulate(&s, program(workflow));
            let times: Vec<f64> = trace.events.iter().map(|e| e.at).collect();
            prop_assert!(times.windows(2).all(|w| w[0] <= w[1]), "{}", snapshot::render(&trace));
            let execution = trace.events.iter().filter(|e| !e.what.starts_with("callback "));
            prop_assert!(execution.map(|e| e.at).all(|t| t <= trace.elapsed), "{}", snapshot::render(&trace));
            for (at, line, _) in answers(&trace) {
                let c = s.callbacks.iter().find(|c| c.place.line == line).expect("a scenario line");
                if let Timing::At(due) = c.timing {
                    prop_assert_eq!(at, due, "{}", snapshot::render(&trace));
                }
            }
            let timed = requests.iter().filter(|r| r.is_some()).count();
            let answered_timed = answers(&trace).iter().filter(|a| {
                s.callbacks.iter().any(|c| c.place.line == a.1 && matches!(c.timing, Timing::At(_)))
            }).count();
            prop_assert_eq!(answered_timed, timed, "every `at:` request is answered");
        }
    }
}
