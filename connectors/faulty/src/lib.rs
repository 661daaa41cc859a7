//! A plugin that misbehaves as `DUCKALOG_FAULTY_MODE` says, so that the host's
//! handling of each fault can be tested:
//! `wrong-abi` (reports ABI 999), `panic` (panics in attachment),
//! `bad-json` (returns text that is not JSON), `bad-spec` (an option key that
//! is not a word), `hang` (attachment never returns), or anything else: a working connector of kind
//! `DUCKALOG_FAULTY_KIND` (default `faulty`) that attaches `:memory:`.

use duckalog_connector_sdk::{
    attachment_entry, describe_entry, free_c, AttachOption, Connector, Description, KeyError,
    Plugin, Spec, ABI_VERSION,
};
use serde_json::{Map, Value};
use std::ffi::c_char;
use std::sync::OnceLock;

struct Faulty;

fn mode() -> String {
    std::env::var("DUCKALOG_FAULTY_MODE").unwrap_or_default()
}

impl Connector for Faulty {
    const KIND: &'static str = "faulty";

    fn extensions() -> Vec<String> {
        Vec::new()
    }

    fn attachment(_table: &Map<String, Value>, _base_dir: &str) -> Result<Spec, KeyError> {
        let memory = Spec { target: ":memory:".into(), ..Spec::default() };
        match mode().as_str() {
            "panic" => panic!("deliberate failure"),
            "hang" => loop {
                std::thread::park();
            },
            "bad-spec" => Ok(Spec {
                options: vec![AttachOption::Flag("READ_ONLY); DROP TABLE x; --".into())],
                ..memory
            }),
            _ => Ok(memory),
        }
    }
}

unsafe extern "C" fn describe() -> *mut c_char {
    let kind = std::env::var("DUCKALOG_FAULTY_KIND").unwrap_or_else(|_| "faulty".into());
    let described = describe_entry::<Faulty>(env!("CARGO_PKG_VERSION"));
    let text = std::ffi::CStr::from_ptr(described).to_str().unwrap();
    let mut description: Description = serde_json::from_str(text).unwrap();
    free_c(described);
    description.kind = kind;
    duckalog_connector_sdk::to_c(&description)
}

unsafe extern "C" fn attachment(input: *const c_char) -> *mut c_char {
    if mode() == "bad-json" {
        return std::ffi::CString::new("{not json").unwrap().into_raw();
    }
    attachment_entry::<Faulty>(input)
}

unsafe extern "C" fn free_string(s: *mut c_char) {
    free_c(s)
}

#[no_mangle]
pub extern "C" fn duckalog_connector() -> *const Plugin {
    static PLUGIN: OnceLock<Plugin> = OnceLock::new();
    PLUGIN.get_or_init(|| Plugin {
        abi_version: if mode() == "wrong-abi" { 999 } else { ABI_VERSION },
        describe,
        attachment,
        free_string,
    })
}
