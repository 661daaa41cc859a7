//! A starter project: a commented config and a small CSV file it reads, so
//! that `duckalog run` works right after `duckalog init`.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Yaml,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "toml" => Ok(Format::Toml),
            "yaml" | "yml" => Ok(Format::Yaml),
            "json" => {
                Err("a starter config is commented, and JSON has no comments: use toml or yaml"
                    .into())
            }
            other => Err(format!("unknown format {other:?}: use toml or yaml")),
        }
    }
}

impl Format {
    /// The format asked for, which must be the one the config's extension
    /// names (duckalog reads a config by its extension); TOML by default.
    pub(crate) fn choose(asked: Option<Format>, config: Option<&Path>) -> Result<Format> {
        let Some(path) = config else { return Ok(asked.unwrap_or(Format::Toml)) };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let named =
            ext.parse::<Format>().map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        match asked {
            Some(f) if f != named => {
                Err(Error::Usage(format!("{} names another format than --format", path.display())))
            }
            _ => Ok(named),
        }
    }

    fn default_name(self) -> &'static str {
        match self {
            Format::Toml => "duckalog.toml",
            Format::Yaml => "duckalog.yaml",
        }
    }
}

/// The sample data, relative to the config's folder.
pub(crate) const SAMPLE: &str = "data/sample.csv";

const SAMPLE_CSV: &str = "\
order_id,customer,ordered_on,amount
1,ada,2024-01-05,19.90
2,grace,2024-01-06,5.00
3,ada,2024-01-09,42.50
4,linus,2024-02-01,12.00
5,grace,2024-02-03,7.25
";

const TOML: &str = r#"# A duckalog catalog. `duckalog run` builds it, `duckalog run -i` opens a SQL
# shell on it, and `duckalog query "SELECT * FROM reports.revenue_by_customer"`
# reads it. Relative paths resolve against this file's folder.
version = 1

[duckdb]
database = "catalog.duckdb"   # created on the first run
settings = { threads = 2 }

# Credentials, created as temporary DuckDB secrets on every run. Values can
# come from the environment, ${env:NAME} or ${env:NAME:default}; they are
# masked in every output.
# [[duckdb.secrets]]
# type = "s3"
# key_id = "${env:AWS_ACCESS_KEY_ID}"
# secret = "${env:AWS_SECRET_ACCESS_KEY}"
# region = "eu-west-1"

# Other databases, attached on every run before the views are created.
# [[attachments.duckdb]]
# alias = "warehouse"
# path = "data/warehouse.duckdb"      # read-only unless read_only = false
#
# [[attachments.sqlite]]
# alias = "legacy"
# path = "data/legacy.sqlite"
#
# [[attachments.postgres]]
# alias = "pg"
# host = "db.internal"
# database = "analytics"
# user = "reader"
# password = "${env:PGPASSWORD}"
# required = false                    # a run goes on without it

# A view over a file (also parquet, json, delta, ...; local or s3://).
[[views]]
name = "orders"
source = "csv"
uri = "data/sample.csv"
options = { header = true }
description = "One row per order"

# A view over other views, in any order: dependencies are created first.
[[views]]
name = "revenue_by_customer"
db_schema = "reports"
sql = """
SELECT customer, count(*) AS orders, sum(amount) AS revenue
FROM orders
GROUP BY customer
"""
"#;

const YAML: &str = r#"# A duckalog catalog. `duckalog run` builds it, `duckalog run -i` opens a SQL
# shell on it, and `duckalog query "SELECT * FROM reports.revenue_by_customer"`
# reads it. Relative paths resolve against this file's folder.
version: 1

duckdb:
  database: catalog.duckdb   # created on the first run
  settings:
    threads: 2
  # Credentials, created as temporary DuckDB secrets on every run. Values can
  # come from the environment, ${env:NAME} or ${env:NAME:default}; they are
  # masked in every output.
  # secrets:
  #   - type: s3
  #     key_id: ${env:AWS_ACCESS_KEY_ID}
  #     secret: ${env:AWS_SECRET_ACCESS_KEY}
  #     region: eu-west-1

# Other databases, attached on every run before the views are created.
# attachments:
#   duckdb:
#     - alias: warehouse
#       path: data/warehouse.duckdb      # read-only unless read_only: false
#   sqlite:
#     - alias: legacy
#       path: data/legacy.sqlite
#   postgres:
#     - alias: pg
#       host: db.internal
#       database: analytics
#       user: reader
#       password: ${env:PGPASSWORD}
#       required: false                  # a run goes on without it

views:
  # A view over a file (also parquet, json, delta, ...; local or s3://).
  - name: orders
    source: csv
    uri: data/sample.csv
    options:
      header: true
    description: One row per order

  # A view over other views, in any order: dependencies are created first.
  - name: revenue_by_customer
    db_schema: reports
    sql: |
      SELECT customer, count(*) AS orders, sum(amount) AS revenue
      FROM orders
      GROUP BY customer
"#;

/// The files of a starter project whose config is `config` (by default
/// `duckalog.toml` or `.yaml` in the current folder): (path, contents).
pub(crate) fn files(config: Option<&Path>, format: Format) -> Vec<(PathBuf, &'static str)> {
    let config =
        config.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(format.default_name()));
    let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
    let text = match format {
        Format::Toml => TOML,
        Format::Yaml => YAML,
    };
    vec![(config, text), (dir.join(SAMPLE), SAMPLE_CSV)]
}

/// Writes `files`. Unless `force`, nothing is written when any of them
/// exists already, so that a refusal leaves no half-made project.
pub(crate) fn write(files: &[(PathBuf, &str)], force: bool) -> Result<()> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(p, _)| p.exists())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(Error::Usage(format!(
                "{} already exist(s); nothing written (--force overwrites)",
                existing.join(", ")
            )));
        }
    }
    // Every folder first: one that cannot be made (a file in its place) stops
    // init before any file is written.
    for dir in files.iter().filter_map(|(p, _)| p.parent()).filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Other(format!("cannot create folder {}: {e}; nothing written", dir.display()))
        })?;
    }
    for (path, text) in files {
        // Without --force, a file that appeared since the check is not replaced.
        crate::atomic_write::write(path, text, force)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_load_with_the_same_views() {
        for format in [Format::Toml, Format::Yaml] {
            let dir = tempfile::tempdir().unwrap();
            let files = files(Some(&dir.path().join(format.default_name())), format);
            write(&files, false).unwrap();
            let config =
                crate::config::load(&files[0].0, &crate::config::LoadOptions::default()).unwrap();
            let names: Vec<_> =
                config.views.iter().map(|v| format!("{}.{}", v.schema, v.name)).collect();
            assert_eq!(names, ["main.orders", "reports.revenue_by_customer"], "{format:?}");
            assert!(config.secrets.is_empty() && config.attachments.is_empty());
        }
    }

    #[test]
    fn refuses_to_overwrite_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = files(Some(&dir.path().join("duckalog.toml")), Format::Toml);
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(&files[1].0, "mine").unwrap();
        let err = write(&files, false).unwrap_err().to_string();
        assert!(err.contains("sample.csv") && err.contains("--force"), "{err}");
        assert!(!files[0].0.exists());
        write(&files, true).unwrap();
        assert_eq!(std::fs::read_to_string(&files[1].0).unwrap(), SAMPLE_CSV);
    }
}
