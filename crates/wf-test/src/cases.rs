//! Property scenarios: the choices a generated scenario makes (`{between: [A, B]}`,
//! `{one_of: [...]}`, `seed: any`), recorded as a sequence of numbers so that case k is a
//! pure function of (file, seed, k), and so that a failing case can be shrunk by making
//! its numbers smaller and replaying them.

use wf_syntax::Span;

/// The choices of one case: replayed from `prefix`, then fresh ones (random, or the
/// smallest when shrinking).
#[derive(Debug, Clone)]
pub struct Choices {
    prefix: Vec<u64>,
    /// Every choice made, with its bound (the choice is below it).
    pub made: Vec<(u64, u64)>,
    rng: Option<u64>,
    /// Text edits that turn the file into this case's concrete scenario.
    pub edits: Vec<(Span, String)>,
}

impl Choices {
    /// No choices recorded: every choice is its smallest (the first option, the lower bound).
    pub fn smallest() -> Choices {
        Choices { prefix: Vec::new(), made: Vec::new(), rng: None, edits: Vec::new() }
    }

    /// Random choices from `seed`.
    pub fn random(seed: u64) -> Choices {
        Choices { rng: Some(seed), ..Choices::smallest() }
    }

    /// These choices, then the smallest.
    pub fn replay(prefix: Vec<u64>) -> Choices {
        Choices { prefix, ..Choices::smallest() }
    }

    /// A number below `bound` (at least 1).
    pub fn draw(&mut self, bound: u64) -> u64 {
        let bound = bound.max(1);
        let i = self.made.len();
        let v = match (self.prefix.get(i), &mut self.rng) {
            (Some(&v), _) => v.min(bound - 1),
            (None, Some(state)) => wf_vm::machine::splitmix64(state) % bound,
            (None, None) => 0,
        };
        self.made.push((v, bound));
        v
    }

    /// Whether any choice was made (the scenario has generators).
    pub fn any(&self) -> bool {
        !self.made.is_empty()
    }

    /// The values chosen.
    pub fn values(&self) -> Vec<u64> {
        self.made.iter().map(|&(v, _)| v).collect()
    }
}

/// The seed of case `k` of a file (FNV-1a over the file's text, mixed with the run's seed).
pub fn case_seed(text: &str, seed: u64, k: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let mut state = h ^ seed.rotate_left(17) ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    wf_vm::machine::splitmix64(&mut state)
}

/// Smaller variants of a choice sequence to try, the biggest steps first: every position set
/// to 0, rounded down to whole hours, minutes or seconds (durations are drawn in
/// milliseconds), then lowered by a half, a quarter, an eighth... of itself (which homes in
/// on the edge between passing and failing), then by one.
pub fn smaller(values: &[u64]) -> Vec<Vec<u64>> {
    let mut steps: Vec<Box<dyn Fn(u64) -> u64>> = vec![
        Box::new(|_| 0),
        Box::new(|v| v - v % 3_600_000),
        Box::new(|v| v - v % 60_000),
        Box::new(|v| v - v % 1_000),
    ];
    for k in 1..40 {
        steps.push(Box::new(move |v| v - (v >> k)));
    }
    steps.push(Box::new(|v| v.saturating_sub(1)));
    let mut out: Vec<Vec<u64>> = Vec::new();
    for step in &steps {
        for (i, &v) in values.iter().enumerate() {
            let c = step(v);
            if c < v {
                let mut next = values.to_vec();
                next[i] = c;
                if !out.contains(&next) {
                    out.push(next);
                }
            }
        }
    }
    out
}

/// `text` with `edits` applied (spans do not overlap).
pub fn apply_edits(text: &str, edits: &[(Span, String)]) -> String {
    let mut sorted: Vec<&(Span, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_string();
    for (span, with) in sorted {
        let (a, b) = (span.start as usize, span.end as usize);
        if a <= b && b <= out.len() && out.is_char_boundary(a) && out.is_char_boundary(b) {
            out.replace_range(a..b, with);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_choices_and_replay_reproduces_them() {
        let draw = |c: &mut Choices| (c.draw(10), c.draw(1_000), c.draw(2));
        let mut a = Choices::random(7);
        let mut b = Choices::random(7);
        assert_eq!(draw(&mut a), draw(&mut b));
        let mut r = Choices::replay(a.values());
        assert_eq!(draw(&mut r), draw(&mut Choices::replay(a.values())));
        assert_eq!(r.values(), a.values());
        let mut s = Choices::smallest();
        assert_eq!(draw(&mut s), (0, 0, 0));
        assert_ne!(case_seed("x", 0, 1), case_seed("x", 0, 2));
    }

    #[test]
    fn smaller_candidates_are_smaller() {
        let v = vec![7_384_123, 3];
        for c in smaller(&v) {
            assert!(c < v, "{c:?}");
        }
        assert!(smaller(&v).contains(&vec![7_200_000, 3]), "rounded to whole hours");
        assert!(smaller(&[0, 0]).is_empty());
    }
}
