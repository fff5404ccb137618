//! Prints a generated workflow: `cargo run -p wf-syntax --example generate > big.yaml` (the
//! 10,000-line benchmark workflow), or `... --example generate -- --steps 100000` (a
//! workflow of that many steps and about as many variables, `generate::generated_steps`).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, n] if flag == "--steps" => match n.parse() {
            Ok(n) => print!("{}", wf_syntax::generate::generated_steps(n)),
            Err(e) => {
                eprintln!("--steps takes a number of steps: {e}");
                std::process::exit(2);
            }
        },
        [] => print!("{}", wf_syntax::generate::generated_workflow(10_000)),
        _ => {
            eprintln!("usage: generate [--steps N]");
            std::process::exit(2);
        }
    }
}
