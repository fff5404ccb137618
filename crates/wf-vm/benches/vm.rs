//! Executed steps per second on the shared benchmark workloads (`bench/workloads`), in
//! process, without GCW's limits. Run with `cargo bench -p wf-vm`.

use std::path::Path;
use std::rc::Rc;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use wf_syntax::SourceFile;
use wf_vm::{Limits, Machine, Program, RunOptions, Status, Value};

fn main() {
    divan::main();
}

fn program(name: &str) -> Rc<Program> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/workloads").join(format!("{name}.workflows.yaml"));
    let text = std::fs::read_to_string(&path).expect("workload exists");
    let source = SourceFile::new(path.display().to_string(), text);
    let workflow = wf_syntax::parse_workflow(&source).workflow.expect("workload parses");
    Rc::new(wf_vm::compile(&workflow).expect("workload compiles"))
}

/// Runs to the end (no effects in these workloads); returns the steps executed. The
/// argument is built by the caller, outside the timed code.
fn run(program: &Rc<Program>, argument: Value) -> u64 {
    let options = RunOptions { limits: Limits::NONE, ..RunOptions::default() };
    let mut m = Machine::new(Rc::clone(program), argument, options);
    match m.poll() {
        Status::Done(v) => {
            black_box(v);
        }
        other => panic!("the workload did not finish: {other:?}"),
    }
    m.steps_executed()
}

fn bench_workload(bencher: Bencher, name: &str, n: i64) {
    let p = program(name);
    let argument = Value::from_pairs([("n", Value::Int(n))]);
    let steps = run(&p, argument.clone());
    bencher.counter(ItemsCount::new(steps)).bench_local(|| run(&p, argument.clone()));
}

#[divan::bench(args = [100_000])]
fn loop_sum(bencher: Bencher, n: i64) {
    bench_workload(bencher, "loop_sum", n);
}

#[divan::bench(args = [100_000])]
fn loop_sum_jump(bencher: Bencher, n: i64) {
    bench_workload(bencher, "loop_sum_jump", n);
}

#[divan::bench(args = [20])]
fn fib_recursive(bencher: Bencher, n: i64) {
    bench_workload(bencher, "fib_recursive", n);
}

#[divan::bench(args = [20_000])]
fn try_raise(bencher: Bencher, n: i64) {
    bench_workload(bencher, "try_raise", n);
}

#[divan::bench(args = [2_000, 20_000])]
fn strings_maps(bencher: Bencher, n: i64) {
    bench_workload(bencher, "strings_maps", n);
}

#[divan::bench(args = [20_000, 200_000])]
fn list_ops(bencher: Bencher, n: i64) {
    bench_workload(bencher, "list_ops", n);
}

#[divan::bench]
fn trivial(bencher: Bencher) {
    bench_workload(bencher, "trivial", 1);
}
