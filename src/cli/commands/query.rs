//! `query`: one statement on the catalog opened read-only.

use crate::catalog::{Purpose, Session};
use crate::cli::args::*;
use crate::cli::setup::*;
use crate::config::Database;
use crate::engine::OpenOptions;
use crate::error::{Exit, Result};
use crate::plan::Options;

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
        let db = crate::engine::open(&database_arg(db), &opts)?;
        print_query(&db, &c.sql, c.query_timeout, c.format)?;
        return Ok(Exit::Ok);
    }
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, true);
    // An in-memory catalog lives only in this process: build it for the statement.
    let in_memory = database == Database::Memory;
    let purpose = if in_memory { Purpose::Reconcile(Options::default()) } else { Purpose::Query };
    let mut session = Session::new(&config, database, opts, purpose);
    let counts = if in_memory { Some(session.reconcile()?) } else { None };
    print_query(session.connection()?, &c.sql, c.query_timeout, c.format)?;
    Ok(match counts {
        Some(counts) => exit_code(&counts),
        None if session.skipped().is_empty() => Exit::Ok,
        None => Exit::Partial,
    })
}
