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

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default = "one", deserialize_with = "crate::lax::u32")]
    pub version: u32,
    #[serde(default)]
    pub duckdb: DuckDb,
    /// Attachment tables by kind (`duckdb`, `sqlite`, ...); each kind is
    /// understood by the connector of that name.
    #[serde(default)]
    pub attachments: BTreeMap<String, Vec<Sourced<Table>>>,
    #[serde(default)]
    pub views: Vec<Sourced<View>>,
    /// Folders to load connector plugins from, relative to the config.
    #[serde(default)]
    pub plugin_dirs: Vec<String>,
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
    Path(String),
    Entry(ImportEntry),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportEntry {
    pub path: String,
    #[serde(default, rename = "override", deserialize_with = "crate::lax::bool")]
    pub replace: bool,
}

impl Import {
    pub fn path(&self) -> &str {
        match self {
            Import::Path(p) | Import::Entry(ImportEntry { path: p, .. }) => p,
        }
    }

    pub fn replaces(&self) -> bool {
        matches!(self, Import::Entry(ImportEntry { replace: true, .. }))
    }
}

/// Where a definition is written: the file, and its key path there.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub file: Arc<PathBuf>,
    /// The file's folder, which relative paths in the definition start from.
    pub dir: Arc<PathBuf>,
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
    pub item: T,
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

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DuckDb {
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub extension_directory: Option<String>,
    #[serde(default)]
    pub secret_directory: Option<String>,
    #[serde(default)]
    pub install_extensions: Vec<String>,
    #[serde(default)]
    pub load_extensions: Vec<String>,
    #[serde(default)]
    pub pragmas: Vec<String>,
    /// One entry per file that gives settings, in merge order.
    #[serde(default, deserialize_with = "one_settings")]
    pub settings: Vec<Sourced<Settings>>,
    #[serde(default)]
    pub secrets: Vec<Sourced<SecretEntry>>,
}

fn one_settings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Sourced<Settings>>, D::Error> {
    Option::<Sourced<Settings>>::deserialize(d).map(|s| s.into_iter().collect())
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(
    untagged,
    expecting = "a SET statement, a list of SET statements, or a table of name = value"
)]
pub enum Settings {
    One(String),
    List(Vec<String>),
    Table(BTreeMap<String, Value>),
}

#[derive(Debug, Deserialize, Serialize)]
pub struct SecretEntry {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default, deserialize_with = "crate::lax::bool")]
    pub persistent: bool,
    #[serde(default)]
    pub scope: Option<Scope>,
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// The type's own fields (`key_id`, `region`, `password`, ...).
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "a path prefix or a list of them")]
pub enum Scope {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: String,
    #[serde(default, alias = "schema")]
    pub db_schema: Option<String>,
    #[serde(default)]
    pub sql: Option<String>,
    #[serde(default)]
    pub sql_file: Option<SqlFile>,
    #[serde(default)]
    pub sql_template: Option<SqlFile>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
    #[serde(default)]
    pub database: Option<String>,
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub catalog: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged, expecting = "a path, or a table with `path` and optional `variables`")]
pub enum SqlFile {
    Path(String),
    Spec(SqlFileSpec),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFileSpec {
    pub path: String,
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
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
