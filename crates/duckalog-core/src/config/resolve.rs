//! From the file as written to the config duckalog acts on: paths resolved
//! against the config's folder, attachment tables read by their connectors,
//! view bodies rendered, and every rule that needs no database checked.

use super::model::{self, File, Origin, Settings, Sourced, SqlFile};
pub use super::secrets::SecretDef;
use crate::connector::{AttachSpec, Context, Registry};
use crate::error::{Error, Result};
use crate::paths::{is_remote, resolve_path};
use crate::sql::{self, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The schema duckalog keeps its own state in.
pub const STATE_SCHEMA: &str = "_duckalog";

/// A config loaded, resolved and checked: what duckalog builds a catalog from.
#[derive(Debug)]
pub struct Config {
    /// The config file's absolute path.
    pub path: PathBuf,
    /// The config file's folder.
    pub dir: PathBuf,
    /// The config format version.
    pub version: u32,
    /// Where the catalog is kept.
    pub database: Database,
    /// Where extension files are loaded from, when the config says.
    pub extension_directory: Option<PathBuf>,
    /// Where DuckDB keeps persistent secrets, when the config says.
    pub secret_directory: Option<PathBuf>,
    /// Extensions that must be present in the extension directory.
    pub install_extensions: Vec<String>,
    /// Extensions to load, by name or by resolved file path.
    pub load_extensions: Vec<String>,
    /// Statements run as written in every session, after the settings.
    pub pragmas: Vec<String>,
    /// Settings applied to every session, in order.
    pub settings: Vec<Setting>,
    /// The secrets to create, the children's among them as temporary ones.
    pub secrets: Vec<SecretDef>,
    /// Attachments in restore order; the children's databases and what
    /// their views read are among them.
    pub attachments: Vec<Attachment>,
    /// Other duckalog catalogs attached, brought up to date first.
    pub children: Vec<super::Child>,
    /// The views to create, in config order.
    pub views: Vec<ViewDef>,
}

/// Where a catalog is kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    /// An in-memory database, gone when the session ends.
    Memory,
    /// A database file, its path resolved.
    File(PathBuf),
}

/// One entry of `duckdb.settings`.
#[derive(Debug)]
pub enum Setting {
    /// A `SET ...` statement written out in full.
    Statement(String),
    /// A name and a value, applied as `SET name = value`.
    Pair(String, Value),
}

/// A database to attach, as its connector read it.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The attachment kind (`duckdb`, `postgres`, ...; `duckalog` for a child's
    /// database).
    pub kind: String,
    /// The name it is attached under.
    pub alias: String,
    /// How to attach it.
    pub spec: AttachSpec,
    /// Whether it is required, and how hard to try.
    pub policy: AttachPolicy,
    /// Where it is defined, for messages: a file and `attachments.postgres[0]`.
    pub origin: Origin,
}

impl Attachment {
    /// The ATTACH statement that restores it.
    pub fn statement(&self) -> crate::sql::Stmt {
        crate::sql::attach(&self.spec.target, &self.alias, &self.spec.options)
    }
}

/// How hard to try to attach, and whether a run may go on without it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttachPolicy {
    /// Without it, the run fails; an optional attachment's views are skipped.
    pub required: bool,
    /// For the probe and for the ATTACH itself.
    pub timeout: std::time::Duration,
    /// Attempts after the first, for transient failures only.
    pub retries: u32,
    /// The delay before the first retry; it doubles for each next one.
    pub backoff: std::time::Duration,
}

impl Default for AttachPolicy {
    fn default() -> Self {
        AttachPolicy {
            required: true,
            timeout: std::time::Duration::from_secs(10),
            retries: 2,
            backoff: std::time::Duration::from_millis(500),
        }
    }
}

/// The keys every attachment takes besides its connector's.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyKeys {
    #[serde(default, deserialize_with = "crate::lax::opt_bool")]
    required: Option<bool>,
    #[serde(default, deserialize_with = "crate::lax::opt_seconds")]
    timeout: Option<std::time::Duration>,
    #[serde(default, deserialize_with = "crate::lax::opt_u32")]
    retries: Option<u32>,
    #[serde(default, deserialize_with = "crate::lax::opt_seconds")]
    retry_backoff: Option<std::time::Duration>,
}

/// A view to create: its name and its rendered body.
#[derive(Debug, Clone)]
pub struct ViewDef {
    /// The schema it is created in.
    pub schema: String,
    /// The view's name.
    pub name: String,
    /// The SELECT the view stands for.
    pub body: String,
    /// The view's comment, if any.
    pub description: Option<String>,
    /// The configured tags, carried along.
    pub tags: Vec<String>,
    /// Extensions its source needs (delta, httpfs, ...).
    pub extensions: Vec<String>,
    /// Where it is defined, for messages: a file and `views[3]`.
    pub origin: Origin,
}

impl ViewDef {
    /// The quoted `schema.name`, for SQL.
    pub fn qualified(&self) -> String {
        sql::qualified(&[&self.schema, &self.name])
    }
}

impl Config {
    /// Every extension the config names or needs, built-in ones included.
    pub fn all_extensions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let named = self.install_extensions.iter().chain(&self.load_extensions).map(|n| {
            if crate::extension::is_path(n) {
                n.clone()
            } else {
                crate::extension::canonical(n)
            }
        });
        let views = self.views.iter().flat_map(|v| v.extensions.iter().cloned());
        let children = self.children.iter().flat_map(|c| c.config.all_extensions());
        for n in named.chain(self.needed_extensions()).chain(views).chain(children) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// Every extension the config needs, built-in ones excepted, in the order
    /// they should load.
    pub fn needed_extensions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let wanted = self
            .load_extensions
            .iter()
            .cloned()
            .chain(self.secrets.iter().flat_map(|s| s.extensions.iter().cloned()))
            .chain(self.attachments.iter().flat_map(|a| a.spec.extensions.iter().cloned()))
            .chain(self.views.iter().flat_map(|v| v.extensions.iter().cloned()))
            .chain(self.children.iter().flat_map(|c| c.config.needed_extensions()));
        for name in wanted {
            let name = if crate::extension::is_path(&name) {
                name
            } else {
                crate::extension::canonical(&name)
            };
            if !crate::extension::is_built_in(&name) && !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}

pub(super) fn resolve(
    mut file: File,
    path: &Path,
    registry: &Registry,
    opts: &super::LoadOptions,
    chain: &[PathBuf],
) -> Result<Config> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let err = |key: &str, msg: String| Error::config(path, key, msg);

    if file.version == 0 {
        return Err(err("version", "must be 1 or more".into()));
    }
    let d = file.duckdb;
    let database = match d.database.as_deref() {
        None | Some(":memory:") => Database::Memory,
        Some(p) if p.trim().is_empty() => {
            return Err(err(
                "duckdb.database",
                "must not be empty (leave it out for an in-memory database)".into(),
            ))
        }
        Some(p) => Database::File(resolve_path(&dir, p)),
    };
    let local_dir = |key: &str, v: Option<String>| -> Result<Option<PathBuf>> {
        match v {
            Some(p) if p.trim().is_empty() => Err(err(key, "must not be empty".into())),
            Some(p) => Ok(Some(resolve_path(&dir, &p))),
            None => Ok(None),
        }
    };
    let extension_directory = local_dir("duckdb.extension_directory", d.extension_directory)?;
    let secret_directory = local_dir("duckdb.secret_directory", d.secret_directory)?;

    for (key, list) in [
        ("duckdb.install_extensions", &d.install_extensions),
        ("duckdb.load_extensions", &d.load_extensions),
    ] {
        for (i, name) in list.iter().enumerate() {
            if !crate::extension::is_path(name) && !sql::is_word(name) {
                return Err(err(
                    &format!("{key}[{i}]"),
                    format!("{name:?} is not an extension name"),
                ));
            }
        }
    }
    let load_extensions = d
        .load_extensions
        .iter()
        .map(|n| {
            if crate::extension::is_path(n) {
                resolve_path(&dir, n).display().to_string()
            } else {
                n.clone()
            }
        })
        .collect();

    let settings = settings(d.settings)?;
    let mut secrets = super::secrets::resolve(d.secrets)?;
    let children = super::children::load(
        file.attachments.remove("duckalog").unwrap_or_default(),
        opts,
        chain,
    )?;
    if let (Some(child), Database::File(own)) =
        (children.iter().find(|c| Database::File(c.database.clone()) == database), &database)
    {
        return Err(child.origin.error(
            "",
            format!("the catalog {:?} builds is {}, this config's own database; give one of them another database file", child.alias, own.display()),
        ));
    }
    let mut attachments = attachments(
        file.attachments,
        file.iceberg_catalogs,
        &children,
        registry,
        opts.attach_timeout,
    )?;
    super::children::lend(&children, &mut attachments, &mut secrets)?;
    for a in &attachments {
        for name in &a.spec.secrets {
            if !secrets.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                log::warn!("{}: secret {name:?} is not in duckdb.secrets; it must already be stored in DuckDB", a.origin);
            }
        }
    }
    let views = views(file.views, &attachments)?;

    Ok(Config {
        path: abs,
        dir,
        version: file.version,
        database,
        extension_directory,
        secret_directory,
        install_extensions: d.install_extensions,
        load_extensions,
        pragmas: d.pragmas,
        settings,
        secrets,
        attachments,
        children,
        views,
    })
}

fn settings(given: Vec<Sourced<Settings>>) -> Result<Vec<Setting>> {
    let mut out = Vec::new();
    for Sourced { item, origin } in given {
        let statements = match item {
            Settings::Table(table) => {
                for (name, value) in &table {
                    if !sql::is_word(name) {
                        return Err(origin
                            .error(name, "setting names are plain words such as memory_limit"));
                    }
                    if matches!(value, Value::List(_) | Value::Struct(_)) {
                        return Err(origin.error(name, "a setting takes a single value"));
                    }
                }
                out.extend(table.into_iter().map(|(k, v)| Setting::Pair(k, v)));
                continue;
            }
            Settings::One(one) => vec![one],
            Settings::List(list) => list,
        };
        for (i, stmt) in statements.into_iter().enumerate() {
            let stmt = stmt.trim().trim_end_matches(';').trim().to_string();
            if stmt.is_empty() {
                continue;
            }
            if !stmt.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SET ")) {
                return Err(origin.error(
                    &format!("[{i}]"),
                    "settings must be SET statements, such as \"SET threads = 4\"",
                ));
            }
            out.push(Setting::Statement(stmt));
        }
    }
    Ok(out)
}

/// The config's own attachments, each child's database and each iceberg
/// catalog among them.
fn attachments(
    by_kind: BTreeMap<String, Vec<Sourced<model::Table>>>,
    iceberg_catalogs: Vec<Sourced<model::Table>>,
    children: &[super::Child],
    registry: &Registry,
    attach_timeout: Option<std::time::Duration>,
) -> Result<Vec<Attachment>> {
    let mut out: Vec<Attachment> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    // (kind, the key that holds the alias, tables)
    let mut by_kind: Vec<(String, &str, Vec<Sourced<model::Table>>)> =
        by_kind.into_iter().map(|(k, t)| (k, "alias", t)).collect();
    // The Python tool's iceberg catalogs are attachments named by `name`.
    by_kind.push(("iceberg".into(), "name", iceberg_catalogs));
    // A child's database is an ordinary DuckDB attachment to the parent.
    for child in children {
        let mut table = serde_json::Map::new();
        table.insert("alias".into(), child.alias.clone().into());
        table.insert("path".into(), child.database.display().to_string().into());
        table.insert("read_only".into(), child.read_only.into());
        by_kind.push((
            "duckalog".into(),
            "alias",
            vec![Sourced { item: model::Table(table), origin: child.origin.clone() }],
        ));
    }
    for (kind, alias_key, tables) in by_kind {
        for Sourced { item: model::Table(mut table), origin } in tables {
            let err = |k: &str, m: String| origin.error(k, m);
            let connector = registry
                .get(if kind == "duckalog" { "duckdb" } else { &kind })
                .ok_or_else(|| {
                    err(
                        "",
                        format!(
                            "no connector for attachment kind {kind:?}; known kinds: {}",
                            registry.kinds().join(", ")
                        ),
                    )
                })?;
            let key = origin.key.clone();
            let alias = match table.remove(alias_key) {
                Some(serde_json::Value::String(a)) => a.trim().to_string(),
                Some(_) => return Err(err(alias_key, "must be a string".into())),
                None => return Err(err("", format!("missing field `{alias_key}`"))),
            };
            check_name(&alias).map_err(|m| err(alias_key, m))?;
            if ["main", "memory", "system", "temp"].contains(&alias.to_lowercase().as_str()) {
                return Err(err(
                    alias_key,
                    format!("{alias:?} is reserved by DuckDB; choose another {alias_key}"),
                ));
            }
            if let Some(first) = seen.insert(alias.to_lowercase(), key.clone()) {
                return Err(err(alias_key, format!("{alias_key} {alias:?} is already used by {first} (aliases are compared in lower case)")));
            }
            let mut keys = serde_json::Map::new();
            for k in ["required", "timeout", "retries", "retry_backoff"] {
                if let Some(v) = table.remove(k) {
                    keys.insert(k.to_string(), v);
                }
            }
            let p: PolicyKeys =
                crate::connector::parse(&keys).map_err(|e| err(&e.key, e.message))?;
            let d = AttachPolicy::default();
            let policy = AttachPolicy {
                required: p.required.unwrap_or(d.required),
                timeout: attach_timeout.or(p.timeout).unwrap_or(d.timeout),
                retries: p.retries.unwrap_or(d.retries),
                backoff: p.retry_backoff.unwrap_or(d.backoff),
            };
            let ctx = Context { base_dir: &origin.dir, timeout: policy.timeout };
            let spec = connector.attachment(&table, &ctx).map_err(|e| err(&e.key, e.message))?;
            out.push(Attachment { kind: kind.clone(), alias, spec, policy, origin });
        }
    }
    Ok(out)
}

pub(super) fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        Err("must not be empty".into())
    } else if name.contains('\0') {
        Err("must not contain a NUL byte".into())
    } else {
        Ok(())
    }
}

/// Table functions for file sources, and the extension each needs.
fn file_source(source: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match source {
        "parquet" => ("read_parquet", Some("parquet")),
        "csv" => ("read_csv", None),
        "json" => ("read_json", Some("json")),
        "delta" => ("delta_scan", Some("delta")),
        "iceberg" => ("iceberg_scan", Some("iceberg")),
        _ => return None,
    })
}

/// The extension that reads a remote URI, by scheme.
fn uri_extension(uri: &str) -> Option<&'static str> {
    let scheme = uri.split("://").next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "s3" | "s3a" | "s3n" | "r2" | "gcs" | "gs" | "http" | "https" | "hf" => Some("httpfs"),
        "az" | "azure" | "abfss" => Some("azure"),
        _ => None,
    }
}

fn views(entries: Vec<Sourced<model::View>>, attachments: &[Attachment]) -> Result<Vec<ViewDef>> {
    let mut out: Vec<ViewDef> = Vec::new();
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    for Sourced { item: v, origin } in entries {
        let key = origin.key.clone();
        let dir: &Path = &origin.dir;
        let err = |k: &str, m: String| origin.error(k, m);
        let name = v.name.trim().to_string();
        check_name(&name).map_err(|m| err("name", m))?;
        let schema = v.db_schema.as_deref().map(str::trim).unwrap_or("main").to_string();
        check_name(&schema).map_err(|m| err("db_schema", m))?;
        if schema.eq_ignore_ascii_case(STATE_SCHEMA) {
            return Err(err(
                "db_schema",
                format!("schema {STATE_SCHEMA} is reserved for duckalog's own state"),
            ));
        }
        if let Some(first) = seen.insert((schema.to_lowercase(), name.to_lowercase()), key.clone())
        {
            return Err(err("name", format!("view {}.{} is already defined by {first} (names are compared in lower case, with main as the default schema)", schema, name)));
        }
        for k in v.options.keys() {
            if !sql::is_word(k) {
                return Err(err(
                    &format!("options.{k}"),
                    "option names are plain words such as header or hive_partitioning".into(),
                ));
            }
        }

        let sql_sources = [v.sql.is_some(), v.sql_file.is_some(), v.sql_template.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if sql_sources > 1 {
            return Err(err("", "give only one of sql, sql_file and sql_template".into()));
        }
        let mut extensions = Vec::new();
        let body = if sql_sources == 1 {
            if let Some(source) = &v.source {
                log::warn!("{origin}: source {source:?} is ignored because the view has SQL");
            }
            let text = match (v.sql, v.sql_file, v.sql_template) {
                (Some(sql), _, _) => sql,
                (_, Some(f), _) => sql_file(f, false, dir).map_err(|m| err("sql_file", m))?,
                (_, _, Some(f)) => sql_file(f, true, dir).map_err(|m| err("sql_template", m))?,
                _ => unreachable!("one SQL source is present"),
            };
            let text = text.trim().trim_end_matches(';').trim_end().to_string();
            if text.is_empty() {
                return Err(err("", "the view's SQL is empty".into()));
            }
            text
        } else {
            let source = v.source.as_deref().map(str::to_ascii_lowercase).ok_or_else(|| {
                err("", "a view needs sql, sql_file, sql_template or a source".into())
            })?;
            if let Some(catalog) = v.catalog.as_deref() {
                if source != "iceberg" {
                    return Err(err("catalog", format!("only views with source = \"iceberg\" read a catalog, not source {source:?}")));
                }
                if v.uri.is_some() {
                    return Err(err("", "give either uri, or catalog and table, not both".into()));
                }
                if !v.options.is_empty() {
                    log::warn!(
                        "{origin}: options are ignored for a view over an iceberg catalog's table"
                    );
                }
                super::iceberg::table_view(catalog, v.table.as_deref(), attachments)
                    .map_err(|(k, m)| err(k, m))?
            } else if let Some((function, ext)) = file_source(&source) {
                let uri = v
                    .uri
                    .filter(|u| !u.trim().is_empty())
                    .ok_or_else(|| err("uri", format!("source {source:?} needs a uri")))?;
                let uri = if is_remote(&uri) {
                    extensions.extend(uri_extension(&uri).map(str::to_string));
                    uri
                } else {
                    resolve_path(dir, &uri).display().to_string()
                };
                extensions.extend(ext.map(str::to_string));
                let options: Vec<(String, Value)> = v.options.into_iter().collect();
                sql::scan(function, &uri, &options)
            } else {
                let database = v.database.ok_or_else(|| {
                    err(
                        "database",
                        format!(
                            "source {source:?} needs database (the attachment alias) and table"
                        ),
                    )
                })?;
                let table = v
                    .table
                    .ok_or_else(|| err("table", format!("source {source:?} needs table")))?;
                let attachment = attachments
                    .iter()
                    .find(|a| a.alias.eq_ignore_ascii_case(&database))
                    .ok_or_else(|| {
                        err(
                            "database",
                            format!(
                                "no attachment has alias {database:?}; define it under attachments"
                            ),
                        )
                    })?;
                if attachment.kind != source
                    && !(attachment.kind == "duckalog" && source == "duckdb")
                {
                    log::warn!(
                        "{origin}: source {source:?} names attachment {:?}, which is of kind {:?}",
                        attachment.alias,
                        attachment.kind
                    );
                }
                if !v.options.is_empty() {
                    log::warn!("{origin}: options are ignored for a view over an attached table");
                }
                check_name(&table).map_err(|m| err("table", m))?;
                match table.split_once('.') {
                    Some((s, t)) => sql::select_all(&[&attachment.alias, s, t]),
                    None => sql::select_all(&[&attachment.alias, &table]),
                }
            }
        };
        if body.contains('\0') {
            return Err(err(
                "",
                "the view's SQL holds a NUL byte, which DuckDB cannot take: remove it".into(),
            ));
        }
        out.push(ViewDef {
            schema,
            name,
            body,
            description: v.description,
            tags: v.tags,
            extensions,
            origin,
        });
    }
    Ok(out)
}

/// Reads a view's SQL file; `{{name}}` placeholders are filled from
/// `variables` when the file is a template.
fn sql_file(f: SqlFile, template: bool, dir: &Path) -> std::result::Result<String, String> {
    let (path, variables, as_template) = match f {
        SqlFile::Path(p) => (p, BTreeMap::new(), false),
        SqlFile::Spec(s) => (s.path, s.variables, s.as_template),
    };
    if path.trim().is_empty() {
        return Err("the path must not be empty".into());
    }
    let full = resolve_path(dir, &path);
    // A device or a pipe is read until it ends: /dev/zero never does.
    if full.metadata().is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Err(format!(
            "{} is not a regular file; give the path of a SQL file",
            full.display()
        ));
    }
    let text = std::fs::read(&full).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("SQL file {} not found", full.display()),
        _ if full.is_dir() => format!("{} is a directory, not a SQL file", full.display()),
        _ => format!("cannot read SQL file {}: {e}", full.display()),
    })?;
    let text = String::from_utf8(text)
        .map_err(|_| format!("SQL file {} is not valid UTF-8", full.display()))?;
    if template || as_template || !variables.is_empty() {
        render_template(&text, &variables)
    } else {
        Ok(text)
    }
}

/// Replaces `{{name}}` with the variable's text. Values go in as written: a
/// template is SQL, and the config that supplies its values is trusted.
fn render_template(
    text: &str,
    vars: &BTreeMap<String, Value>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .filter(|&e| e > 0 && after[..e].chars().all(|c| c == '_' || c.is_alphanumeric()));
        match end {
            Some(e) => {
                out.push_str(&rest[..start]);
                let name = &after[..e];
                match vars.get(name) {
                    Some(Value::Str(s)) => out.push_str(s),
                    Some(Value::Int(n)) => out.push_str(&n.to_string()),
                    Some(Value::Float(f)) => out.push_str(&f.to_string()),
                    Some(Value::Bool(b)) => out.push_str(&b.to_string()),
                    Some(_) => {
                        return Err(format!(
                            "variable {name:?} must be a string, number or boolean"
                        ))
                    }
                    None => {
                        if !missing.iter().any(|m| m == name) {
                            missing.push(name.to_string());
                        }
                    }
                }
                rest = &after[e + 2..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(format!(
            "template variables not given: {} (add them under variables)",
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_and_report_missing() {
        let mut vars = BTreeMap::new();
        vars.insert("tbl".to_string(), Value::Str("users".into()));
        vars.insert("n".to_string(), Value::Int(5));
        assert_eq!(
            render_template("SELECT * FROM {{tbl}} LIMIT {{n}} -- {{ tbl }}", &vars).unwrap(),
            "SELECT * FROM users LIMIT 5 -- {{ tbl }}"
        );
        let e = render_template("{{a}} {{b}} {{a}}", &vars).unwrap_err();
        assert!(e.contains("a, b"), "{e}");
    }
}
