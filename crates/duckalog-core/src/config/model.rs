//! The config file as written: one serde model for TOML, YAML and JSON, laid
//! out like the Python duckalog tool's so that its configs load unchanged.
//! Unknown keys are refused everywhere.

use crate::error::Error;
use crate::secrets::Secret;
use crate::sql::Value;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn one() -> u32 {
    1
}

/// A config file as parsed, or several merged through `imports`, before
/// anything is resolved.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The config format version; 1 when left out, and never 0.
    #[serde(default = "one", deserialize_with = "crate::lax::u32")]
    pub version: u32,
    /// The `duckdb` section: the database and how each session is set up.
    #[serde(default)]
    pub duckdb: DuckDb,
    /// Attachment tables by kind (`duckdb`, `sqlite`, ...); each kind is
    /// understood by the connector of that name.
    #[serde(default)]
    pub attachments: BTreeMap<String, Vec<Sourced<Table>>>,
    /// The views to create in the catalog.
    #[serde(default)]
    pub views: Vec<Sourced<View>>,
    /// Folders to load connector plugins from, relative to the config.
    #[serde(default)]
    pub plugin_dirs: Vec<String>,
    /// The Python tool's iceberg catalogs, each attached as an `iceberg`
    /// attachment named by its `name`.
    #[serde(default)]
    pub iceberg_catalogs: Vec<Sourced<Table>>,
    /// Files merged into this one (see `config::imports`).
    #[serde(default, deserialize_with = "import_list", skip_serializing)]
    pub imports: Vec<Import>,
    /// Where `.env` files are looked for; `None` means `[".env"]`.
    #[serde(default, skip_serializing)]
    pub env_files: Option<Vec<String>>,
    /// Metadata of the Python tool with no effect on the catalog: accepted and ignored.
    #[serde(default)]
    pub semantic_models: Vec<serde_json::Value>,
    /// Thread-pool knobs of the Python tool's loader: accepted and ignored.
    #[serde(default, skip_serializing)]
    pub loader_settings: Option<serde_json::Value>,
}

fn import_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Import>, D::Error> {
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<Import>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of files to import")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<Import>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(serde::de::Error::custom("imports by section are not supported: give a list of files (duckalog convert rewrites them)"))
        }
    }
    d.deserialize_any(List)
}

/// One entry of `imports`: a path or glob (`!` in front excludes), and
/// whether its definitions may replace ones made earlier.
#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a path, or a table with `path` and optional `override`")]
pub enum Import {
    /// A path or glob alone.
    Path(String),
    /// A table with `path` and `override`.
    Entry(ImportEntry),
}

/// The table form of an entry of `imports`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportEntry {
    /// The path or glob, relative to the importing file's folder; `!` in front
    /// excludes.
    pub path: String,
    /// Written `override`: whether its definitions may replace earlier ones of the
    /// same name.
    #[serde(default, rename = "override", deserialize_with = "crate::lax::bool")]
    pub replace: bool,
}

impl Import {
    /// The path or glob as written.
    pub fn path(&self) -> &str {
        match self {
            Import::Path(p) | Import::Entry(ImportEntry { path: p, .. }) => p,
        }
    }

    pub(crate) fn replaces(&self) -> bool {
        matches!(self, Import::Entry(ImportEntry { replace: true, .. }))
    }
}

/// Where a definition is written: the file, and its key path there.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The config file the definition is in.
    pub file: Arc<PathBuf>,
    /// The file's folder, which relative paths in the definition start from.
    pub dir: Arc<PathBuf>,
    /// The key path of the definition in that file, such as `views[3]`.
    pub key: String,
    /// Whether it may replace an earlier definition of the same name made in
    /// another file (imported with `override = true`).
    pub replaces: bool,
}

/// `file: key`, for warnings and messages about the definition as a whole.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.key)
    }
}

impl Origin {
    /// An error about `key` within this definition (empty: the definition itself).
    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        let place = match key {
            "" => self.key.clone(),
            k if k.starts_with('[') => format!("{}{k}", self.key),
            k => format!("{}.{k}", self.key),
        };
        Error::config(&self.file, &place, message)
    }
}

/// A definition together with where it was written, so that imported
/// definitions resolve paths against their own file and errors name it.
#[derive(Debug)]
pub struct Sourced<T> {
    /// The definition itself.
    pub item: T,
    /// Where it was written.
    pub origin: Origin,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sourced<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|item| Sourced { item, origin: Origin::default() })
    }
}

impl<T: Serialize> Serialize for Sourced<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.item.serialize(s)
    }
}

impl File {
    /// Records `path` as the origin of every definition, with its key path.
    pub fn stamp(&mut self, path: &Path) {
        let file = Arc::new(path.to_path_buf());
        let dir = Arc::new(crate::paths::dir_of(path));
        let set = |o: &mut Origin, key: String| {
            *o = Origin { file: file.clone(), dir: dir.clone(), key, replaces: false }
        };
        for (i, v) in self.views.iter_mut().enumerate() {
            set(&mut v.origin, format!("views[{i}]"));
        }
        for (kind, tables) in &mut self.attachments {
            for (i, t) in tables.iter_mut().enumerate() {
                set(&mut t.origin, format!("attachments.{kind}[{i}]"));
            }
        }
        for (i, c) in self.iceberg_catalogs.iter_mut().enumerate() {
            set(&mut c.origin, format!("iceberg_catalogs[{i}]"));
        }
        for (i, s) in self.duckdb.secrets.iter_mut().enumerate() {
            set(&mut s.origin, format!("duckdb.secrets[{i}]"));
        }
        for s in &mut self.duckdb.settings {
            set(&mut s.origin, "duckdb.settings".into());
        }
    }
}

/// The `duckdb` section: the database and how each session is set up.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DuckDb {
    /// The database file, relative to the config; `:memory:` or none for an
    /// in-memory database.
    #[serde(default)]
    pub database: Option<String>,
    /// Where extension files are loaded from, relative to the config.
    #[serde(default)]
    pub extension_directory: Option<String>,
    /// Where DuckDB keeps persistent secrets, relative to the config.
    #[serde(default)]
    pub secret_directory: Option<String>,
    /// Extensions that must be present in the extension directory, by name or
    /// file path, without being loaded.
    #[serde(default)]
    pub install_extensions: Vec<String>,
    /// Extensions to load in every session, by name or file path.
    #[serde(default)]
    pub load_extensions: Vec<String>,
    /// Statements run as written in every session, after the settings.
    #[serde(default)]
    pub pragmas: Vec<String>,
    /// One entry per file that gives settings, in merge order.
    #[serde(default, deserialize_with = "one_settings")]
    pub settings: Vec<Sourced<Settings>>,
    /// The DuckDB secrets to create.
    #[serde(default)]
    pub secrets: Vec<Sourced<SecretEntry>>,
}

fn one_settings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Sourced<Settings>>, D::Error> {
    Option::<Sourced<Settings>>::deserialize(d).map(|s| s.into_iter().collect())
}

/// One file's `duckdb.settings`, in any of the forms it may take.
#[derive(Debug, Deserialize, Serialize)]
#[serde(
    untagged,
    expecting = "a SET statement, a list of SET statements, or a table of name = value"
)]
pub enum Settings {
    /// A single `SET` statement.
    One(String),
    /// Several `SET` statements.
    List(Vec<String>),
    /// Setting names with their values.
    Table(BTreeMap<String, Value>),
}

/// One entry of `duckdb.secrets`, as written.
#[derive(Debug, Deserialize, Serialize)]
pub struct SecretEntry {
    /// The secret type (`s3`, `azure`, ...), written `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The secret's name; its type when left out.
    #[serde(default)]
    pub name: Option<String>,
    /// Where DuckDB gets the credentials from; the type's usual provider when
    /// left out.
    #[serde(default)]
    pub provider: Option<String>,
    /// Whether DuckDB stores the secret on disk instead of for the session only.
    #[serde(default, deserialize_with = "crate::lax::bool")]
    pub persistent: bool,
    /// The path prefixes the secret applies to.
    #[serde(default)]
    pub scope: Option<Scope>,
    /// More parameters, taken like the type's own fields.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// The type's own fields (`key_id`, `region`, `password`, ...).
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

/// A secret's `scope`: one path prefix or several.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "a path prefix or a list of them")]
pub enum Scope {
    /// A single prefix.
    One(String),
    /// Several prefixes.
    Many(Vec<String>),
}

/// One entry of `views`, as written: its SQL, or the source it reads.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// The view's name.
    pub name: String,
    /// The schema it is created in (also written `schema`); `main` when left out.
    #[serde(default, alias = "schema")]
    pub db_schema: Option<String>,
    /// The SELECT, written inline.
    #[serde(default)]
    pub sql: Option<String>,
    /// A file that holds the SELECT.
    #[serde(default)]
    pub sql_file: Option<SqlFile>,
    /// A file that holds the SELECT with `{{name}}` placeholders.
    #[serde(default)]
    pub sql_template: Option<SqlFile>,
    /// What a view without SQL reads: a file format (`parquet`, `csv`, `json`,
    /// `delta`, `iceberg`) or the kind of an attachment.
    #[serde(default)]
    pub source: Option<String>,
    /// The file, glob or URL a file source reads; local paths are relative to
    /// the config.
    #[serde(default)]
    pub uri: Option<String>,
    /// The alias of the attachment a view over an attached table reads.
    #[serde(default)]
    pub database: Option<String>,
    /// The table read from the attachment (`table` or `schema.table`) or from
    /// the iceberg catalog (`namespace.table`).
    #[serde(default)]
    pub table: Option<String>,
    /// The iceberg catalog, by its name in `iceberg_catalogs`, whose table the
    /// view reads.
    #[serde(default)]
    pub catalog: Option<String>,
    /// Named arguments of a file source's table function, such as `header`.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// Set as the view's comment.
    #[serde(default)]
    pub description: Option<String>,
    /// Labels, accepted and carried along; they do not change the catalog.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A view's `sql_file` or `sql_template`: a path, or a table with variables.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "a path, or a table with `path` and optional `variables`")]
pub enum SqlFile {
    /// The file's path, relative to the config.
    Path(String),
    /// The path with template variables.
    Spec(SqlFileSpec),
}

/// The table form of a view's SQL file.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFileSpec {
    /// The file's path, relative to the config.
    pub path: String,
    /// Values for the file's `{{name}}` placeholders; giving any makes it a
    /// template.
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
    /// Whether the file is a template even without variables.
    #[serde(default, deserialize_with = "crate::lax::bool")]
    pub as_template: bool,
}

/// A table handed to a connector, with every string already interpolated.
#[derive(Debug, Default, Serialize)]
pub struct Table(pub serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for Table {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(JsonVisitor)? {
            serde_json::Value::Object(map) => Ok(Table(map)),
            _ => Err(serde::de::Error::custom("expected a table")),
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Json(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(items.into())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some((k, Json(v))) = map.next_entry::<String, Json>()? {
            out.insert(k, v);
        }
        Ok(out.into())
    }
}

struct Json(serde_json::Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor).map(Json)
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(t) => s.serialize_str(t),
            Value::Secret(t) => t.serialize(s),
            Value::List(items) => s.collect_seq(items),
            Value::Struct(fields) => s.collect_map(fields.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// Option and setting values: scalars, lists and tables, strings interpolated.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = d.deserialize_any(JsonVisitor)?;
        Value::from_json(json).map_err(serde::de::Error::custom)
    }
}

impl Value {
    /// Converts a plain value; `null` has no SQL rendering here and is refused.
    pub fn from_json(json: serde_json::Value) -> Result<Value, String> {
        Ok(match json {
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().ok_or("number out of range")?),
            },
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from_json).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Object(map) => Value::Struct(
                map.into_iter()
                    .map(|(k, v)| Ok((k, Value::from_json(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            serde_json::Value::Null => return Err("expected a value, found null".into()),
        })
    }

    /// The same value with every string turned into a [`Secret`].
    pub fn into_secret(self) -> Value {
        match self {
            Value::Str(s) => Value::Secret(Secret::new(s)),
            Value::List(items) => Value::List(items.into_iter().map(Value::into_secret).collect()),
            Value::Struct(fields) => {
                Value::Struct(fields.into_iter().map(|(k, v)| (k, v.into_secret())).collect())
            }
            other => other,
        }
    }
}
