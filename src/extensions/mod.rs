//! DuckDB extensions: their names and files (from the core), the ones this
//! binary embeds, and the bundles that carry them to air-gapped servers.

pub(crate) mod bundle;
pub(crate) mod embedded;

pub(crate) use duckalog_core::extension::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_engine() {
        let c = crate::engine::instance::open(None, &[]).unwrap();
        let (version, platform): (String, String) = c
            .query_row(
                "SELECT library_version, platform FROM pragma_version(), pragma_platform()",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(version, DUCKDB_VERSION);
        assert_eq!(platform, super::platform());
        let built_in: Vec<String> = c
            .prepare("SELECT extension_name FROM duckdb_extensions() WHERE install_mode = 'STATICALLY_LINKED' ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(built_in, BUILT_IN.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    }
}
