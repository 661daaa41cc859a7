//! `.env` files: `KEY=value` lines found from the config's folder upwards,
//! used for `${env:...}` only. The process environment is never changed.

use super::Vars;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How many folders are searched: the config's own and its parents, as far
/// as the Python tool looks.
const LEVELS: usize = 10;

/// The `.env` files for a config in `dir`, in the order they are applied:
/// farther folders first, and within a folder the patterns in order, so that
/// closer files and later patterns win.
pub fn discover(dir: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let mut folders: Vec<&Path> = dir.ancestors().take(LEVELS).collect();
    folders.reverse();
    let mut out = Vec::new();
    for folder in folders {
        for pattern in patterns {
            let candidate = folder.join(pattern);
            if candidate.is_file() && !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// Reads `files` in order into one map; a later file's value replaces an
/// earlier one. A line that cannot be read is skipped with a warning, as one
/// stray line in a shared `.env` should not stop a catalog.
pub fn load(files: &[PathBuf]) -> HashMap<String, String> {
    let mut values = Vars::default();
    for file in files {
        let text = match std::fs::read(file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                log::warn!("{}: cannot read: {e}", file.display());
                continue;
            }
        };
        log::debug!("reading variables from {}", file.display());
        let lines: Vec<&str> = text.lines().collect();
        let mut n = 0;
        while n < lines.len() {
            let (parsed, used) = entry(&lines[n..], &values);
            match parsed {
                Ok(Some((k, v))) => {
                    values.overlay.insert(k, v);
                }
                Ok(None) => {}
                Err(why) => {
                    log::warn!("{}: line {}: {why}; the line is skipped", file.display(), n + 1)
                }
            }
            n += used;
        }
    }
    values.overlay
}

/// The entry that starts at `lines[0]`, and how many lines it takes: a
/// quoted value may run over several lines (a PEM key, say), as
/// python-dotenv reads it. A quote that never closes costs only its line.
fn entry(lines: &[&str], known: &Vars) -> (Result<Option<(String, String)>, String>, usize) {
    let mut text = lines[0].to_string();
    for (used, next) in lines.iter().enumerate().skip(1) {
        match parse_line(&text, known) {
            Err(why) if why.starts_with("the closing") => {
                text.push('\n');
                text.push_str(next);
            }
            done => return (done, used),
        }
    }
    match parse_line(&text, known) {
        Err(_) if lines.len() > 1 => (parse_line(lines[0], known), 1),
        done => (done, lines.len()),
    }
}

/// One line: blank, a `#` comment, or `[export] KEY=value` where the value
/// is bare (an inline comment after ` #` is dropped), 'single-quoted'
/// (taken as written) or "double-quoted" (with `\n`-style escapes). Bare and
/// double-quoted values expand `${NAME}` from the environment, then from the
/// lines read before.
fn parse_line(line: &str, known: &Vars) -> Result<Option<(String, String)>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let line = line.strip_prefix("export ").map(str::trim_start).unwrap_or(line);
    let (key, value) = line.split_once('=').ok_or("expected KEY=value")?;
    let key = key.trim();
    let valid = key.chars().next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && key.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !valid {
        return Err("the name must be letters, digits and underscores".into());
    }
    let value = value.trim();
    let value = if let Some(rest) = value.strip_prefix('\'') {
        rest.split_once('\'').ok_or("the closing ' is missing")?.0.to_string()
    } else if let Some(rest) = value.strip_prefix('"') {
        expand(&unescape(closing_quote(rest).ok_or("the closing \" is missing")?), known)
    } else {
        let bare = match value.find(" #") {
            Some(i) => &value[..i],
            None => value,
        };
        expand(bare.trim_end(), known)
    };
    Ok(Some((key.to_string(), value)))
}

/// The text before the first `"` that no backslash escapes.
fn closing_quote(s: &str) -> Option<&str> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(&s[..i]),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn expand(s: &str, known: &Vars) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end)
                if !after[..end].is_empty()
                    && after[..end].chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) =>
            {
                let name = &after[..end];
                let value = known.get(name).unwrap_or_default();
                out.push_str(&value);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Option<(String, String)> {
        let mut known = Vars::default();
        known.overlay.insert("BASE".to_string(), "/srv".to_string());
        parse_line(line, &known).unwrap()
    }

    #[test]
    fn reads_the_usual_forms() {
        assert_eq!(parse("A=1"), Some(("A".into(), "1".into())));
        assert_eq!(parse("export B = two words # note"), Some(("B".into(), "two words".into())));
        assert_eq!(parse("C='${BASE} #x'"), Some(("C".into(), "${BASE} #x".into())));
        assert_eq!(parse(r#"D="a\"b\nc ${BASE}/x""#), Some(("D".into(), "a\"b\nc /srv/x".into())));
        assert_eq!(parse("E=${BASE}/data"), Some(("E".into(), "/srv/data".into())));
        assert_eq!(parse("F="), Some(("F".into(), "".into())));
        assert_eq!(parse("  # comment"), None);
        assert!(parse_line("no equals", &Vars::default()).is_err());
        assert!(parse_line("1X=a", &Vars::default()).is_err());
        assert!(parse_line("G=\"open", &Vars::default()).is_err());
    }

    #[test]
    fn quoted_values_may_span_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, "A=1\nPEM=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nB='x\ny'\nOPEN=\"never closed\nC=3\n").unwrap();
        let vars = load(&[file]);
        assert_eq!(vars["PEM"], "-----BEGIN KEY-----\nabc\n-----END KEY-----");
        assert_eq!(vars["B"], "x\ny");
        // The open quote costs its own line only.
        assert_eq!((vars["A"].as_str(), vars["C"].as_str()), ("1", "3"));
        assert!(!vars.contains_key("OPEN"));
    }
}
