//! Small text builders shared by the generators: sentences, digit patterns, ASCII slugs.

use rand::Rng;

/// Appends `sentences` sentences of 4–12 words from `words`, capitalised and full-stopped.
pub fn sentences<R: Rng + ?Sized>(rng: &mut R, words: &[&str], sentences: u32, out: &mut String) {
    for s in 0..sentences {
        if s > 0 {
            out.push(' ');
        }
        let n = rng.random_range(4..=12);
        for w in 0..n {
            let word = words[rng.random_range(0..words.len())];
            if w == 0 {
                push_capitalised(word, out);
            } else {
                out.push(' ');
                out.push_str(word);
            }
        }
        out.push('.');
    }
}

/// Pushes `word` with its first letter in upper case (diacritics included: "ú" -> "Ú").
pub fn push_capitalised(word: &str, out: &mut String) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Replaces every `#` of `pattern` with a random digit.
pub fn digits<R: Rng + ?Sized>(rng: &mut R, pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    out.extend(pattern.chars().map(|c| {
        if c == '#' {
            char::from(b'0' + rng.random_range(0..10u8))
        } else {
            c
        }
    }));
    out
}

/// `format!` into a string of `capacity` bytes. Why: for a pattern that starts with an
/// argument, `format!` starts from no capacity and grows the string three or four times, and
/// a user's fields made about five reallocations per user, which cost most where a service
/// renders on worker threads (glibc's per-thread arenas; issue 18, docs/decisions.md).
pub fn format_sized(capacity: usize, args: std::fmt::Arguments<'_>) -> String {
    let mut out = String::with_capacity(capacity);
    // Writing to a String cannot fail; an error could only come from a Display of ours.
    let _ = std::fmt::Write::write_fmt(&mut out, args);
    out
}

/// Lower-case ASCII form of a name ("Řehoř Dvořák" -> "rehor dvorak"), for user names.
pub fn ascii_lower(s: &str) -> String {
    let mut out = deunicode::deunicode(s);
    out.make_ascii_lowercase();
    out.retain(|c| c.is_ascii_alphanumeric() || c == ' ');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Entity, stream};

    #[test]
    fn helpers() {
        assert_eq!(ascii_lower("Řehoř Dvořák"), "rehor dvorak");
        let mut s = String::new();
        push_capitalised("úterý", &mut s);
        assert_eq!(s, "Úterý");
        let mut rng = stream(1, Entity::User, &[1]);
        let d = digits(&mut rng, "+420 601 ### ###");
        assert!(d.starts_with("+420 601 ") && d.len() == 16 && !d.contains('#'));
        let s = format_sized(4, format_args!("{} and {:03}", "ten", 7));
        assert_eq!(s, "ten and 007");
        let mut text = String::new();
        sentences(&mut rng, &["a", "b"], 3, &mut text);
        assert_eq!(text.matches('.').count(), 3);
        assert!(text.starts_with(|c: char| c.is_uppercase()));
    }
}
