//! "Did you mean ...?" suggestions by edit distance.

/// Longest word [`did_you_mean`] looks at.
const MAX_SUGGESTED_LEN: usize = 256;

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let len = word_lower.chars().count();
    // No typo makes a name this long; the distance table would be its length squared.
    if len > MAX_SUGGESTED_LEN {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != word && c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(&word_lower, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// Formats a suggestion as help text.
pub fn help_for(word: &str, candidates: &[&str]) -> Option<String> {
    did_you_mean(word, candidates.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("asign", ["assign", "call", "args"]), Some("assign"));
        assert_eq!(did_you_mean("retrun", ["return", "raise"]), Some("return"));
        assert_eq!(did_you_mean("Args", ["args"]), Some("args"));
        assert_eq!(did_you_mean("zzz", ["assign", "call"]), None);
        // Lengths 13 and 17: the difference alone is within the limit, the distance is not.
        assert_eq!(did_you_mean("job_container", ["create_job_result"]), None);
        assert_eq!(edit_distance("abc", "abcdefgh"), 5);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
