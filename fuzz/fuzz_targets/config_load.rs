//! Config loading never panics, whatever the bytes: the first byte picks the
//! format, the rest is the file. Every error is one line that names the file.
#![no_main]

use duckalog_core::config::{self, LoadOptions, Source, Vars};
use duckalog_core::paths;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One scratch folder per fuzzing process, holding the config under each name.
fn dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch folder")).path()
}

/// SQL files, imports and child configs are read whole: keep the fuzzer to
/// files of its own folder (no /dev/zero, no FIFO, no system files).
fn reads_only_scratch_files(file: &config::model::File, base: &Path) -> bool {
    let inside = |p: &str| {
        let full = paths::resolve_path(base, p.trim_start_matches('!'));
        full.starts_with(base) || (!full.exists() && !p.contains(['*', '?', '[']))
    };
    let sql_files =
        file.views.iter().flat_map(|v| [&v.item.sql_file, &v.item.sql_template]).flatten().map(
            |f| match f {
                config::model::SqlFile::Path(p) => p.as_str(),
                config::model::SqlFile::Spec(s) => s.path.as_str(),
            },
        );
    let imports = file.imports.iter().map(|i| i.path());
    let children = file
        .attachments
        .get("duckalog")
        .into_iter()
        .flatten()
        .filter_map(|t| t.item.0.get("config_path")?.as_str());
    let mut all = sql_files.chain(imports).chain(children);
    all.all(|p| !p.contains("..") && inside(p))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else { return };
    let name = ["fuzz.toml", "fuzz.yaml", "fuzz.json"][usize::from(pick % 3)];
    let path: PathBuf = dir().join(name);
    // Only this input in the folder: an import of an earlier input would
    // escape the checks below.
    for other in ["fuzz.toml", "fuzz.yaml", "fuzz.json"] {
        let _ = std::fs::remove_file(dir().join(other));
    }
    std::fs::write(&path, text).expect("writing the scratch config");
    let result = match Source::read(&path).and_then(|s| s.file(&Vars::default())) {
        // Plugin folders load shared libraries: not something to fuzz.
        Ok(file) if !file.plugin_dirs.is_empty() || !reads_only_scratch_files(&file, dir()) => {
            return
        }
        // .env files are looked for in parent folders, outside the scratch folder.
        Ok(_) => config::load(&path, &LoadOptions { no_dotenv: true, ..LoadOptions::default() })
            .map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        let message = e.to_string();
        assert!(!message.contains('\n'), "a multi-line error: {message:?}");
        // The file may be one the fuzzed config imports, in the same folder.
        assert!(
            message.starts_with(&dir().display().to_string()),
            "the error does not name the file: {message:?}"
        );
    }
});
