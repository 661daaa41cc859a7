//! The library as another Rust program uses it: `duckalog::Catalog`.

use crate::common;
use common::Project;
use duckalog::{Action, Catalog, Error};

/// The catalog of a config with a SQLite attachment, over `p`'s fixtures.
fn sqlite_catalog(p: &Project) -> Catalog {
    p.write(
        "duckalog.toml",
        "[duckdb]\ndatabase = \"catalog.duckdb\"\nsettings = { sqlite_all_varchar = true }\n\
         [[attachments.sqlite]]\nalias = \"legacy\"\npath = \"data/legacy.sqlite\"\n\
         [[views]]\nname = \"accounts\"\nsource = \"sqlite\"\ndatabase = \"legacy\"\ntable = \"accounts\"\n",
    );
    Catalog::load(p.path("duckalog.toml")).unwrap().with_extension_dir(common::ext_dir())
}

#[test]
fn plan_apply_and_connect_with_the_session_restored() {
    let p = Project::new();
    p.fixtures();
    let catalog = sqlite_catalog(&p);
    let plan = catalog.plan().unwrap();
    assert_eq!(
        (plan.len(), plan[0].name.as_str(), plan[0].action),
        (1, "accounts", Action::Create)
    );
    assert!(!p.path("catalog.duckdb").exists(), "plan wrote the catalog");
    assert_eq!(catalog.apply().unwrap().created, 1);
    assert_eq!(catalog.plan().unwrap()[0].action, Action::Unchanged);

    // The connection has the attachment and the per-connection setting.
    let conn = catalog.connect().unwrap();
    let sql = "SELECT count(*), any_value(typeof(id)) FROM accounts";
    let row: (i64, String) = conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(row, (3, "VARCHAR".to_string()));
    drop(conn);

    let ro = sqlite_catalog(&p).read_only(true).connect().unwrap();
    let err = ro.execute_batch("CREATE TABLE t (i INT)").unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[test]
fn errors_are_typed() {
    let p = Project::new();
    p.write("bad.toml", "[duckdb]\ndatabase = 3\n");
    match Catalog::load(p.path("bad.toml")) {
        Err(Error::Config { file, .. }) => assert!(file.ends_with("bad.toml"), "{file}"),
        other => panic!("not a config error: {:?}", other.err()),
    }
    let catalog = sqlite_catalog(&p).with_database(p.path("missing.duckdb")).read_only(true);
    match catalog.connect() {
        Err(Error::NoCatalog(path)) => assert!(path.ends_with("missing.duckdb")),
        Err(e) => panic!("not NoCatalog: {e}"),
        Ok(_) => panic!("a read-only connect to a missing catalog succeeded"),
    }
    assert!(!p.path("missing.duckdb").exists());
}
