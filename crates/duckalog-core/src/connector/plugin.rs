//! Connector plugins: shared libraries speaking the C ABI of
//! `duckalog-connector-sdk`, loaded at run time from the folders the config
//! (`plugin_dirs`) or the command line (`--plugin-dir`) names, never from
//! anywhere else. A library is checked (entry point, ABI version, its own
//! description) before any of its functions is trusted, and is never unloaded.

use super::abi::{Entry, Plugin, ABI_VERSION, ENTRY_SYMBOL};
use super::wire;
use super::{AttachSpec, Connector, Context, KeyError, Table};
use crate::secrets::Secret;
use crate::sql::{self, AttachOption, Value};
use serde_json::Value as Json;
use std::ffi::{c_char, CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

/// How long a plugin may take to describe itself when it is loaded.
const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

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
    let described: wire::Description =
        call(table, None, DESCRIBE_TIMEOUT).map_err(|m| fail(format!("describe: {m}")))?;
    if !sql::is_word(&described.kind) {
        return Err(fail("describe gave no valid kind".into()));
    }
    if let Some(bad) = described.extensions.iter().find(|e| !sql::is_word(e)) {
        return Err(fail(format!("describe named an invalid extension {bad:?}")));
    }
    let version = if described.version.is_empty() { "?".into() } else { described.version };
    Ok(PluginConnector {
        kind: described.kind,
        version,
        extensions: described.extensions,
        path: path.to_path_buf(),
        table,
    })
}

/// Calls `describe` (without input) or `attachment` and reads the JSON it
/// returns. The call runs on a thread of its own so that a plugin that never
/// returns costs `timeout`, not the run: that thread is left behind, and the
/// error ends the command.
fn call<T: serde::de::DeserializeOwned>(
    table: &'static Plugin,
    input: Option<&str>,
    timeout: Duration,
) -> Result<T, String> {
    let input = input
        .map(|i| CString::new(i).map_err(|_| "input holds a NUL byte".to_string()))
        .transpose()?;
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let _ = tx.send(call_now(table, input.as_deref()));
    });
    let text = match rx.recv_timeout(timeout) {
        Ok(reply) => reply?,
        Err(RecvTimeoutError::Timeout) => return Err(format!("did not return within {timeout:?}")),
        Err(RecvTimeoutError::Disconnected) => return Err("stopped without a reply".into()),
    };
    serde_json::from_str(&text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("returned an invalid reply ({e})"),
        _ => format!("returned invalid JSON ({e})"),
    })
}

/// Calls the plugin on this thread; gives the text it returns.
fn call_now(table: &Plugin, input: Option<&CStr>) -> Result<String, String> {
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
    Ok(text)
}

impl PluginConnector {
    /// Turns the plugin's spec into one duckalog trusts: every option name,
    /// keyword and extension a plain word.
    fn spec(&self, spec: wire::Spec) -> Result<AttachSpec, String> {
        let target = if spec.target_is_secret {
            Value::Secret(Secret::new(spec.target))
        } else {
            Value::Str(spec.target)
        };
        let word =
            |w: String| if sql::is_word(&w) { Ok(w) } else { Err(format!("invalid option {w:?}")) };
        let mut options = Vec::new();
        for o in spec.options {
            options.push(match o {
                wire::AttachOption::Flag(f) => AttachOption::Flag(word(f)?),
                wire::AttachOption::Word(k, w) => AttachOption::Word(word(k)?, word(w)?),
                wire::AttachOption::Value(k, v) => AttachOption::Value(word(k)?, literal(v)),
            });
        }
        let mut extensions = self.extensions.clone();
        for e in spec.extensions {
            if !sql::is_word(&e) {
                return Err(format!("invalid extension {e:?}"));
            }
            if !extensions.contains(&e) {
                extensions.push(e);
            }
        }
        let probe = spec.probe.map(|p| (p.host, p.port));
        Ok(AttachSpec {
            target,
            options,
            extensions,
            local_file: None,
            probe,
            secrets: spec.secrets,
        })
    }
}

fn literal(v: wire::Literal) -> Value {
    match v {
        wire::Literal::Bool(b) => Value::Bool(b),
        wire::Literal::Int(i) => Value::Int(i),
        wire::Literal::Str(s) => Value::Str(s),
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
            wire::Request { table: table.clone(), base_dir: ctx.base_dir.display().to_string() };
        let input = serde_json::to_string(&input).expect("a request serializes");
        let fault = |m: String| KeyError {
            key: String::new(),
            message: format!("plugin {}: {m}", self.path.display()),
        };
        match call(self.table, Some(&input), ctx.timeout).map_err(fault)? {
            wire::Reply::Ok(spec) => self.spec(spec).map_err(fault),
            wire::Reply::Error(e) => Err(KeyError { key: e.key, message: e.message }),
        }
    }
}
