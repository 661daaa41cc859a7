//! Every case of the corpus of bad inputs (tests/common/corpus.rs) exits
//! with its code and a one-line error holding its words, never panics, and
//! when it fails, leaves every file as it was: no database or attachment is
//! created or changed.

use crate::common;
use common::corpus::{cases, run_all};

#[test]
fn every_bad_input_fails_clearly_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} cases", cases.len());
    let failures = run_all(&cases, |c| {
        let r = c.run(false);
        c.check(&r).map_err(|why| {
            format!(
                "{why}\n  exit {}\n  stdout: {}\n  stderr: {}",
                r.code,
                r.stdout.trim_end(),
                r.stderr.trim_end()
            )
        })
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
