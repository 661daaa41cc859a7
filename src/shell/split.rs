//! Cutting typed or piped text into SQL statements: a statement ends at a
//! `;` that is not inside a string, a quoted identifier, a comment or a
//! dollar-quoted body, so a statement may span lines and a line may hold
//! several statements.

/// Where the scan stands inside the pending text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Code,
    /// A string; `E'...'` strings also take backslash escapes.
    Single {
        backslash: bool,
    },
    Double,
    LineComment,
    /// Block comments nest, as in PostgreSQL, whose grammar DuckDB's follows.
    Block(usize),
    /// `$tag$ ... $tag$`, the tag with both dollars.
    Dollar(Vec<u8>),
}

#[derive(Debug)]
pub(crate) struct Splitter {
    buf: String,
    /// Where the pending statement starts in `buf`.
    start: usize,
    /// How far `buf` has been scanned.
    pos: usize,
    state: State,
    /// Whether the pending statement has anything but blanks and comments.
    content: bool,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter { buf: String::new(), start: 0, pos: 0, state: State::Code, content: false }
    }
}

impl Splitter {
    /// Adds one line of input and returns the statements it completes, each
    /// with its `;`. Empty statements (a lone `;`, a comment) are dropped.
    pub(crate) fn push_line(&mut self, line: &str) -> Vec<String> {
        self.buf.push_str(line);
        self.buf.push('\n');
        let mut done = Vec::new();
        let b = self.buf.as_bytes();
        let mut i = self.pos;
        // Every delimiter is ASCII, and no byte of a multi-byte UTF-8
        // character is, so scanning bytes is exact.
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            match &mut self.state {
                State::Code => match c {
                    b'\'' => {
                        let e_prefix = i > 0
                            && matches!(b[i - 1], b'e' | b'E')
                            && !(i > 1 && is_word(b[i - 2]));
                        self.state = State::Single { backslash: e_prefix };
                        self.content = true;
                    }
                    b'"' => {
                        self.state = State::Double;
                        self.content = true;
                    }
                    b'-' if next == Some(b'-') => {
                        self.state = State::LineComment;
                        i += 1;
                    }
                    b'/' if next == Some(b'*') => {
                        self.state = State::Block(1);
                        i += 1;
                    }
                    b'$' => {
                        self.content = true;
                        if let Some(tag) =
                            dollar_tag(&b[i..]).filter(|_| !(i > 0 && is_word(b[i - 1])))
                        {
                            i += tag.len() - 1;
                            self.state = State::Dollar(tag);
                        }
                    }
                    b';' => {
                        if self.content {
                            done.push(self.buf[self.start..=i].trim().to_string());
                        }
                        self.start = i + 1;
                        self.content = false;
                    }
                    c if c.is_ascii_whitespace() => {}
                    _ => self.content = true,
                },
                State::Single { backslash } => match c {
                    b'\\' if *backslash => i += 1,
                    b'\'' if next == Some(b'\'') => i += 1,
                    b'\'' => self.state = State::Code,
                    _ => {}
                },
                State::Double => match c {
                    b'"' if next == Some(b'"') => i += 1,
                    b'"' => self.state = State::Code,
                    _ => {}
                },
                State::LineComment => {
                    if c == b'\n' {
                        self.state = State::Code;
                    }
                }
                State::Block(depth) => {
                    if c == b'*' && next == Some(b'/') {
                        *depth -= 1;
                        i += 1;
                        if *depth == 0 {
                            self.state = State::Code;
                        }
                    } else if c == b'/' && next == Some(b'*') {
                        *depth += 1;
                        i += 1;
                    }
                }
                State::Dollar(tag) => {
                    if b[i..].starts_with(tag) {
                        i += tag.len() - 1;
                        self.state = State::Code;
                    }
                }
            }
            i += 1;
        }
        self.pos = i;
        if self.is_idle() {
            // Only blanks and comments are left: nothing to continue.
            self.buf.clear();
            self.start = 0;
            self.pos = 0;
        } else if self.start > 0 {
            self.buf.drain(..self.start);
            self.pos -= self.start;
            self.start = 0;
        }
        done
    }

    /// Whether no statement is pending, so that the next line starts a new one.
    pub(crate) fn is_idle(&self) -> bool {
        !self.content && self.state == State::Code
    }

    /// The pending statement, for input that ends without its `;`.
    pub(crate) fn finish(&mut self) -> Option<String> {
        let rest = self.content.then(|| self.buf[self.start..].trim().to_string());
        self.clear();
        rest
    }

    /// Forgets the pending statement.
    pub(crate) fn clear(&mut self) {
        *self = Splitter::default();
    }
}

/// The statements of a whole text; the last may lack its `;`.
pub(crate) fn statements(text: &str) -> Vec<String> {
    let mut split = Splitter::default();
    let mut out = Vec::new();
    for line in text.lines() {
        out.extend(split.push_line(line));
    }
    out.extend(split.finish());
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// `$$` or `$tag$` at the start of `b`; `$1` is a parameter, not a tag.
fn dollar_tag(b: &[u8]) -> Option<Vec<u8>> {
    let body =
        b[1..].iter().take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80).count();
    let starts_with_digit = body > 0 && b[1].is_ascii_digit();
    (b.get(1 + body) == Some(&b'$') && !starts_with_digit).then(|| b[..body + 2].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(lines: &[&str]) -> (Vec<String>, Splitter) {
        let mut s = Splitter::default();
        let out = lines.iter().flat_map(|l| s.push_line(l)).collect();
        (out, s)
    }

    #[test]
    fn statements_span_lines_and_share_them() {
        let (out, s) = split(&["SELECT 1; SELECT", "  2;", "SELECT 3"]);
        assert_eq!(out, ["SELECT 1;", "SELECT\n  2;"]);
        assert!(!s.is_idle());
        let (_, mut s) = split(&["SELECT 3"]);
        assert_eq!(s.finish().as_deref(), Some("SELECT 3"));
        assert!(s.is_idle());
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_end_a_statement() {
        let (out, s) = split(&[
            "SELECT 'a;''b', \"c;\"\"d\", -- e;",
            "/* f; /* nested; */ g; */ $$h;$$, $t$i;$t$, E'j\\';', $1",
            ";",
        ]);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].ends_with("$1\n;"), "{out:?}");
        assert!(s.is_idle());
    }

    #[test]
    fn an_open_quote_or_comment_keeps_the_statement_pending() {
        for line in ["SELECT 'abc;", "SELECT 1 /* x;", "SELECT \"a;", "SELECT $$ x;"] {
            let (out, s) = split(&[line]);
            assert!(out.is_empty() && !s.is_idle(), "{line}");
        }
    }

    #[test]
    fn blank_and_comment_only_input_is_no_statement() {
        let (out, mut s) = split(&["", "-- only a comment; really", ";", " ; ;"]);
        assert!(out.is_empty(), "{out:?}");
        assert!(s.is_idle());
        assert_eq!(s.finish(), None);
        let (out, _) = split(&["/* a", "b */ SELECT 1;"]);
        assert_eq!(out, ["/* a\nb */ SELECT 1;"]);
    }

    #[test]
    fn multi_byte_text_is_kept_whole() {
        let (out, _) = split(&["SELECT 'żółw;' AS \"名;\";"]);
        assert_eq!(out, ["SELECT 'żółw;' AS \"名;\";"]);
    }
}
