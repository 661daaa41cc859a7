//! Connector plugins: shared libraries speaking the C ABI of
//! `duckalog-connector-sdk`, loaded at run time from the folders the config
//! (`plugin_dirs`) or the command line (`--plugin-dir`) names, never from
//! anywhere else. A library is checked (entry point, ABI version, its own
//! description) before any of its functions is trusted, and is never unloaded.

use super::{AttachSpec, Connector, Context, KeyError, Table};
use crate::secret::Secret;
use crate::sql::{self, AttachOption, Value};
use duckalog_connector_sdk::{Entry, Plugin, ABI_VERSION, ENTRY_SYMBOL};
use serde_json::Value as Json;
use std::ffi::{c_char, CStr, CString};
use std::path::{Path, PathBuf};

pub struct PluginConnector {
    kind: String,
    version: String,
    extensions: Vec<String>,
    path: PathBuf,
    table: &'static Plugin,
}

/// The file names a shared library has on this platform.
fn is_library(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext, "so" | "dylib" | "dll")
}

/// Loads every library in `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<PluginConnector>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("plugin folder {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_library(p))
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

/// Loads one plugin library.
pub fn load(path: &Path) -> Result<PluginConnector, String> {
    let fail = |m: String| format!("plugin {}: {m}", path.display());
    // SAFETY: loading runs the library's initialisers; plugin folders are
    // named explicitly by the operator and trusted as code.
    let lib = unsafe { libloading::Library::new(path) }
        .map_err(|e| fail(format!("not a loadable library ({e})")))?;
    // SAFETY: the symbol's type is the SDK's entry point signature.
    let entry: libloading::Symbol<Entry> =
        unsafe { lib.get(ENTRY_SYMBOL.as_bytes()) }.map_err(|_| {
            fail(format!("not a duckalog connector plugin: it exports no `{ENTRY_SYMBOL}`"))
        })?;
    // SAFETY: the entry point takes nothing and returns a pointer to a static table.
    let table = unsafe { entry() };
    if table.is_null() {
        return Err(fail("its entry point returned nothing".into()));
    }
    // SAFETY: `abi_version` is the first field of every ABI version's table.
    let abi = unsafe { std::ptr::read(table.cast::<u32>()) };
    if abi != ABI_VERSION {
        return Err(fail(format!(
            "built for plugin ABI {abi}, but this duckalog speaks ABI {ABI_VERSION}: rebuild it against duckalog-connector-sdk {}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    // Plugins are never unloaded: their functions stay valid for the process.
    std::mem::forget(lib);
    // SAFETY: the table is static in the loaded, never unloaded library, and its ABI version matched.
    let table: &'static Plugin = unsafe { &*table };
    let described = call(table, None).map_err(|m| fail(format!("describe: {m}")))?;
    let kind = described["kind"]
        .as_str()
        .filter(|k| sql::is_word(k))
        .ok_or_else(|| fail("describe gave no valid kind".into()))?;
    let extensions = described["extensions"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(bad) = extensions.iter().find(|e| !sql::is_word(e)) {
        return Err(fail(format!("describe named an invalid extension {bad:?}")));
    }
    Ok(PluginConnector {
        kind: kind.to_string(),
        version: described["version"].as_str().unwrap_or("?").to_string(),
        extensions,
        path: path.to_path_buf(),
        table,
    })
}

/// Calls `describe` (without input) or `attachment` and parses the JSON it returns.
fn call(table: &Plugin, input: Option<&str>) -> Result<Json, String> {
    let input = input
        .map(|i| CString::new(i).map_err(|_| "input holds a NUL byte".to_string()))
        .transpose()?;
    // SAFETY: the functions come from a checked table; the input is NUL-terminated
    // and outlives the call; the result is released with the plugin's own free.
    let out = unsafe {
        match &input {
            Some(i) => (table.attachment)(i.as_ptr()),
            None => (table.describe)(),
        }
    };
    if out.is_null() {
        return Err("returned nothing".into());
    }
    // SAFETY: the plugin returns a NUL-terminated string it owns until freed.
    let text = unsafe { CStr::from_ptr(out as *const c_char) }.to_string_lossy().into_owned();
    unsafe { (table.free_string)(out) };
    serde_json::from_str(&text).map_err(|e| format!("returned invalid JSON ({e})"))
}

impl PluginConnector {
    /// Turns the plugin's spec into one duckalog trusts: every option name a
    /// plain word, every value a scalar.
    fn spec(&self, spec: &Json) -> Result<AttachSpec, String> {
        let target = spec["target"].as_str().ok_or("the spec has no string `target`")?.to_string();
        let target = if spec["target_is_secret"].as_bool() == Some(true) {
            Value::Secret(Secret::new(target))
        } else {
            Value::Str(target)
        };
        let word = |v: &Json| v.as_str().filter(|s| sql::is_word(s)).map(str::to_string);
        let mut options = Vec::new();
        for o in spec["options"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let bad = || format!("invalid option {o}");
            let option = if let Some(f) = o.get("flag") {
                AttachOption::Flag(word(f).ok_or_else(bad)?)
            } else if let Some([k, w]) = o.get("word").and_then(Json::as_array).map(Vec::as_slice) {
                AttachOption::Word(word(k).ok_or_else(bad)?, word(w).ok_or_else(bad)?)
            } else if let Some([k, v]) = o.get("value").and_then(Json::as_array).map(Vec::as_slice)
            {
                let value = match v {
                    Json::String(s) => Value::Str(s.clone()),
                    Json::Bool(b) => Value::Bool(*b),
                    Json::Number(n) => n.as_i64().map(Value::Int).ok_or_else(bad)?,
                    _ => return Err(bad()),
                };
                AttachOption::Value(word(k).ok_or_else(bad)?, value)
            } else {
                return Err(bad());
            };
            options.push(option);
        }
        let mut extensions = self.extensions.clone();
        for e in spec["extensions"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let e = word(e).ok_or_else(|| format!("invalid extension {e}"))?;
            if !extensions.contains(&e) {
                extensions.push(e);
            }
        }
        let probe = match (spec["probe"]["host"].as_str(), spec["probe"]["port"].as_u64()) {
            (Some(h), Some(p)) => Some((
                h.to_string(),
                u16::try_from(p).map_err(|_| format!("invalid probe port {p}"))?,
            )),
            _ => None,
        };
        let secrets = spec["secrets"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        Ok(AttachSpec { target, options, extensions, local_file: None, probe, secrets })
    }
}

impl Connector for PluginConnector {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn origin(&self) -> String {
        format!("plugin {} ({})", self.version, self.path.display())
    }

    fn extensions(&self) -> Vec<String> {
        self.extensions.clone()
    }

    fn attachment(&self, table: &Table, ctx: &Context) -> Result<AttachSpec, KeyError> {
        // Values the plugin may weave into its target are credentials until shown otherwise.
        for (k, v) in table {
            if let (true, Json::String(s)) =
                (["password", "secret", "token", "key"].iter().any(|w| k.contains(w)), v)
            {
                Secret::new(s.clone());
            }
        }
        let input =
            serde_json::json!({"table": table, "base_dir": ctx.base_dir.display().to_string()});
        let fault = |m: String| KeyError {
            key: String::new(),
            message: format!("plugin {}: {m}", self.path.display()),
        };
        let out = call(self.table, Some(&input.to_string())).map_err(fault)?;
        if let Some(e) = out.get("error") {
            return Err(KeyError {
                key: e["key"].as_str().unwrap_or("").to_string(),
                message: e["message"]
                    .as_str()
                    .unwrap_or("the plugin reported an error")
                    .to_string(),
            });
        }
        self.spec(out.get("ok").ok_or_else(|| fault("returned neither ok nor error".into()))?)
            .map_err(fault)
    }
}
