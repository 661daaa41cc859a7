//! The config file as written: one serde model for TOML, YAML and JSON, laid
//! out like the Python duckalog tool's so that its configs load unchanged.
//! Unknown keys are refused everywhere.

use super::interp::{de, interpolate};
use crate::secret::Secret;
use crate::sql::Value;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

fn one() -> u32 {
    1
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default = "one", deserialize_with = "de::u32")]
    pub version: u32,
    #[serde(default)]
    pub duckdb: DuckDb,
    /// Attachment tables by kind (`duckdb`, `sqlite`, ...); each kind is
    /// understood by the connector of that name.
    #[serde(default)]
    pub attachments: BTreeMap<String, Vec<Table>>,
    #[serde(default)]
    pub views: Vec<View>,
    /// Folders to load connector plugins from, relative to the config.
    #[serde(default, deserialize_with = "de::strings")]
    pub plugin_dirs: Vec<String>,
    #[serde(default)]
    pub iceberg_catalogs: Vec<Table>,
    #[serde(default)]
    pub imports: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "de::strings")]
    pub env_files: Vec<String>,
    /// Metadata of the Python tool with no effect on the catalog: accepted and ignored.
    #[serde(default)]
    pub semantic_models: Vec<serde_json::Value>,
    /// Thread-pool knobs of the Python tool's loader: accepted and ignored.
    #[serde(default)]
    pub loader_settings: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuckDb {
    #[serde(default, deserialize_with = "de::opt_string")]
    pub database: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub extension_directory: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub secret_directory: Option<String>,
    #[serde(default, deserialize_with = "de::strings")]
    pub install_extensions: Vec<String>,
    #[serde(default, deserialize_with = "de::strings")]
    pub load_extensions: Vec<String>,
    #[serde(default, deserialize_with = "de::strings")]
    pub pragmas: Vec<String>,
    #[serde(default)]
    pub settings: Option<Settings>,
    #[serde(default)]
    pub secrets: Vec<SecretEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a SET statement, a list of SET statements, or a table of name = value")]
pub enum Settings {
    One(#[serde(deserialize_with = "de::string")] String),
    List(#[serde(deserialize_with = "de::strings")] Vec<String>),
    Table(BTreeMap<String, Value>),
}

#[derive(Debug, Deserialize)]
pub struct SecretEntry {
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub provider: Option<String>,
    #[serde(default, deserialize_with = "de::bool")]
    pub persistent: bool,
    #[serde(default)]
    pub scope: Option<Scope>,
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// The type's own fields (`key_id`, `region`, `password`, ...).
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a path prefix or a list of them")]
pub enum Scope {
    One(#[serde(deserialize_with = "de::string")] String),
    Many(#[serde(deserialize_with = "de::strings")] Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    #[serde(default, alias = "schema", deserialize_with = "de::opt_string")]
    pub db_schema: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub sql: Option<String>,
    #[serde(default)]
    pub sql_file: Option<SqlFile>,
    #[serde(default)]
    pub sql_template: Option<SqlFile>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub uri: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub database: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub table: Option<String>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub catalog: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "de::opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de::strings")]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged, expecting = "a path, or a table with `path` and optional `variables`")]
pub enum SqlFile {
    Path(#[serde(deserialize_with = "de::string")] String),
    Spec(SqlFileSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlFileSpec {
    #[serde(deserialize_with = "de::string")]
    pub path: String,
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "de::bool")]
    pub as_template: bool,
}

/// A table handed to a connector, with every string already interpolated.
#[derive(Debug, Default)]
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
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        interpolate(v).map(Into::into).map_err(E::custom)
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
