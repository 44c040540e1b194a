//! A tiny T-SQL tokenizer: enough to pattern-match the statements the peer understands.

/// One token of a SQL batch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier or keyword; dotted names stay one token (`dbo.orders`), brackets are
    /// removed from each part, case is kept.
    Word(String),
    /// An unsigned integer literal.
    Num(i64),
    /// A string literal (`'x'` or `N'x'`), unescaped.
    Str(String),
    /// Punctuation or an operator (`(`, `,`, `>=`, ...).
    Sym(String),
}

impl Tok {
    /// Whether this is the keyword or identifier `word` (case-insensitive).
    pub(crate) fn is(&self, word: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }

    /// Whether this is the symbol `sym`.
    pub(crate) fn is_sym(&self, sym: &str) -> bool {
        matches!(self, Tok::Sym(s) if s == sym)
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '_' | '@' | '#')
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '#' | '$')
}

/// Splits `sql` into tokens; comments are skipped.
pub(crate) fn tokenize(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || ((c == 'N' || c == 'n') && next == Some('\'')) {
            i += if c == '\'' { 1 } else { 2 };
            let mut text = String::new();
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        text.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            out.push(Tok::Str(text));
        } else if c == '[' || is_ident_start(c) {
            let mut name = String::new();
            loop {
                if i < chars.len() && chars[i] == '[' {
                    i += 1;
                    while i < chars.len() {
                        if chars[i] == ']' {
                            if chars.get(i + 1) == Some(&']') {
                                name.push(']');
                                i += 2;
                                continue;
                            }
                            i += 1;
                            break;
                        }
                        name.push(chars[i]);
                        i += 1;
                    }
                } else {
                    while i < chars.len() && is_ident_char(chars[i]) {
                        name.push(chars[i]);
                        i += 1;
                    }
                }
                let continues = chars.get(i) == Some(&'.')
                    && chars.get(i + 1).is_some_and(|&n| n == '[' || is_ident_start(n));
                if !continues {
                    break;
                }
                name.push('.');
                i += 1;
            }
            out.push(Tok::Word(name));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            match digits.parse() {
                Ok(n) => out.push(Tok::Num(n)),
                Err(_) => out.push(Tok::Sym(digits)),
            }
        } else {
            let pair: String = chars[i..chars.len().min(i + 2)].iter().collect();
            if matches!(pair.as_str(), ">=" | "<=" | "<>" | "!=") {
                out.push(Tok::Sym(pair));
                i += 2;
            } else {
                out.push(Tok::Sym(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_create_and_select() {
        let toks = tokenize("IF OBJECT_ID(N'dbo.orders', N'U') IS NULL CREATE TABLE [dbo].[orders] (x int)");
        assert!(toks[0].is("if"));
        assert_eq!(toks[3], Tok::Str("dbo.orders".into()));
        assert_eq!(toks[11], Tok::Word("dbo.orders".into()));
        let toks = tokenize("SELECT DISTINCT orderId / 1000 AS chunk FROM dbo.orders WHERE orderId >= 0");
        assert_eq!(toks[3], Tok::Sym("/".into()));
        assert_eq!(toks[4], Tok::Num(1000));
        assert!(toks[11].is_sym(">="));
    }
}
