//! `query`: one statement on the catalog opened read-only.

use crate::catalog::{Options, Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::config::Database;
use crate::error::{Exit, Result};
use crate::session::OpenOptions;

pub(crate) fn query(c: &QueryCmd) -> Result<Exit> {
    one_statement(&c.sql)?;
    let args = c.common();
    if let (Some(db), None) = (args.db, config_found(&args)?) {
        // No config to read: the bare database, opened read-only as any
        // DuckDB client would open it, with no session state restored.
        crate::logging::init(args.verbose, args.quiet);
        let common = CommonArgsOwned::of(&args)?;
        let opts = OpenOptions {
            read_only: true,
            lock_timeout: common.lock_timeout,
            ..OpenOptions::without_config(common.extension_dir)
        };
        let db = crate::session::open(&database_arg(db), &opts)?;
        print_query(&db, &c.sql, c.query_timeout, c.format)?;
        return Ok(Exit::Ok);
    }
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, true);
    if database == Database::Memory {
        // An in-memory catalog lives only in this process: build it for the statement.
        let mut session = Session::new(&config, database, opts);
        let counts = session.reconcile(Options::default())?;
        print_query(session.connection()?, &c.sql, c.query_timeout, c.format)?;
        return Ok(exit_code(&counts));
    }
    let conn = crate::session::open(&database, &opts)?;
    let restored = crate::session::restore(&conn, &config, &opts)?;
    print_query(&conn, &c.sql, c.query_timeout, c.format)?;
    Ok(if restored.skipped.is_empty() { Exit::Ok } else { Exit::Partial })
}
