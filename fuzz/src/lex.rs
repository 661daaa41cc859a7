//! Just enough of SQL's lexical rules to read back what `sql.rs` renders:
//! double-quoted identifiers, single-quoted literals, and everything else
//! as bare text. A renderer that leaves a quote open, or lets a value close
//! one, produces a token stream that differs from the expected one.

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `"..."` with `""` read as one quote.
    Ident(String),
    /// `'...'` with `''` read as one quote.
    Str(String),
    /// Any run of other characters.
    Bare(String),
}

/// Splits `sql` into tokens; `None` when a quote is never closed.
pub fn lex(sql: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    let mut bare = String::new();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            bare.push(c);
            continue;
        }
        if !bare.is_empty() {
            out.push(Token::Bare(std::mem::take(&mut bare)));
        }
        let mut text = String::new();
        loop {
            match chars.next()? {
                q if q == c && chars.peek() == Some(&c) => {
                    chars.next();
                    text.push(c);
                }
                q if q == c => break,
                other => text.push(other),
            }
        }
        out.push(if c == '"' { Token::Ident(text) } else { Token::Str(text) });
    }
    if !bare.is_empty() {
        out.push(Token::Bare(bare));
    }
    Some(out)
}
