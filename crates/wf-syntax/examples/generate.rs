//! Prints a generated workflow: `cargo run -p wf-syntax --example generate > big.yaml`.
fn main() {
    print!("{}", wf_syntax::generate::generated_workflow(10_000));
}
