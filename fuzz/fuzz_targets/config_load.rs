//! Config loading never panics, whatever the bytes: the first byte picks the
//! format, the rest is the file. Every error is one line that names the file.
#![no_main]

use duckalog_fuzz::config::{self, LoadOptions, Vars};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One scratch folder per fuzzing process, holding the config under each name.
fn dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch folder")).path()
}

/// SQL files a config names are read whole: keep the fuzzer to regular files
/// of its own folder (no /dev/zero, no FIFO).
fn reads_only_scratch_files(file: &config::model::File, base: &Path) -> bool {
    file.views.iter().flat_map(|v| [&v.sql_file, &v.sql_template]).flatten().all(|f| {
        let p = match f {
            config::model::SqlFile::Path(p) => p,
            config::model::SqlFile::Spec(s) => &s.path,
        };
        let full = config::resolve_path(base, p);
        full.starts_with(base) || !full.exists()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else { return };
    let name = ["fuzz.toml", "fuzz.yaml", "fuzz.json"][usize::from(pick % 3)];
    let path: PathBuf = dir().join(name);
    std::fs::write(&path, text).expect("writing the scratch config");
    let result = match config::read(&path, &Vars::default()) {
        // Plugin folders load shared libraries: not something to fuzz.
        Ok(file) if !file.plugin_dirs.is_empty() || !reads_only_scratch_files(&file, dir()) => return,
        Ok(_) => config::load(&path, &LoadOptions::default()).map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        let message = e.to_string();
        assert!(!message.contains('\n'), "a multi-line error: {message:?}");
        assert!(message.starts_with(&path.display().to_string()), "the error does not name the file: {message:?}");
    }
});
