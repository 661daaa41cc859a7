//! What the connectors for local database files share.

use super::{AttachSpec, Context, KeyError, LocalFile};
use crate::sql::{AttachOption, Value};

/// Attaches the file at `path` (relative to the config) as DuckDB storage of
/// `storage_type`, checking the file first.
pub fn attach(
    storage_type: &str,
    path: &str,
    read_only: bool,
    create: bool,
    extensions: Vec<String>,
    ctx: &Context,
) -> Result<AttachSpec, KeyError> {
    if path.trim().is_empty() {
        return Err(KeyError { key: "path".into(), message: "must not be empty".into() });
    }
    if read_only && create {
        return Err(KeyError {
            key: "create".into(),
            message:
                "a read-only attachment cannot be created: set read_only = false or drop create"
                    .into(),
        });
    }
    let path = ctx.resolve(path);
    let mut options = vec![AttachOption::Word("TYPE".into(), storage_type.into())];
    if read_only {
        options.push(AttachOption::Flag("READ_ONLY".into()));
    }
    Ok(AttachSpec {
        target: Value::Str(path.display().to_string()),
        options,
        extensions,
        local_file: Some(LocalFile { path, create }),
        probe: None,
        secrets: Vec::new(),
    })
}
