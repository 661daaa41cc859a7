//! Carrying out a plan: every change of one run in one transaction, so that a
//! failure leaves the catalog exactly as it was.

use super::deps;
use super::{secrets, state};
use crate::config::ViewDef;
use crate::engine::restore::exec;
use crate::error::{Error, Result};
use crate::plan::{self, Action, Counts, Plan};
use crate::sql::{self, Stmt};
use duckdb::Connection;
use std::collections::HashSet;
use std::time::Instant;

/// DuckDB binds a view when it is read, not when a view it reads changes: the
/// configured views this run leaves as they are but that read a view it
/// replaces or drops are bound here, inside the transaction, and one that no
/// longer binds fails the run, which then changes nothing.
fn check_readers(conn: &Connection, plan: &Plan, catalog: &str) -> Result<()> {
    let changed: HashSet<plan::Key> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Replace | Action::Drop))
        .map(|c| plan::key(&c.schema, &c.name))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let unchanged: Vec<&ViewDef> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Unchanged)
        .filter_map(|c| c.view)
        .collect();
    for i in deps::readers(conn, &unchanged, &changed, catalog)? {
        let v = unchanged[i];
        conn.execute_batch(&format!("DESCRIBE {}", v.qualified())).map_err(|e| {
            Error::database(
                format!("view {} ({})", v.qualified(), v.origin),
                format!("it reads a view this run replaces or drops, and no longer works: {}; change it as well", crate::error::one_line(&e.to_string())),
            )
        })?;
    }
    Ok(())
}

/// Applies `plan` to the catalog behind `conn`, whose state is `actual`.
pub(crate) fn apply(conn: &Connection, plan: &Plan, actual: &plan::Actual) -> Result<Counts> {
    let catalog = actual.catalog.as_str();
    for c in &plan.changes {
        let name = sql::qualified(&[&c.schema, &c.name]);
        match c.action {
            Action::Conflict => {
                let place = c.view.map(|v| format!(" ({})", v.origin)).unwrap_or_default();
                return Err(Error::database(
                    format!("view {name}{place}"),
                    "a table of that name exists in the catalog; rename the view or drop the table",
                ));
            }
            Action::Foreign => log::warn!(
                "view {name} exists but was not created by duckalog: left as it is (--force-rebuild takes it over)"
            ),
            Action::Orphan => log::warn!("view {name} is no longer configured: kept (--prune drops it)"),
            Action::Skipped => log::warn!("view {name} reads an unavailable optional attachment: skipped this run"),
            _ => {}
        }
    }
    for s in plan.secrets.iter().filter(|s| s.action == Action::Orphan) {
        log::warn!(
            "persistent secret {} was created by duckalog and is no longer configured as persistent: kept (--prune deletes it)",
            sql::ident(&s.name)
        );
    }
    if !plan.pending() && !plan.secrets_pending() {
        return Ok(plan.counts());
    }
    // Secret storage is not transactional: a secret dropped here whose record
    // survives a failed transaction is only forgotten by the next --prune.
    for s in plan.secrets.iter().filter(|s| s.action == Action::Drop) {
        exec(
            conn,
            &secrets::drop_persistent(&s.name),
            &format!("deleting persistent secret {}", sql::ident(&s.name)),
        )?;
    }

    let start = Instant::now();
    let build: Vec<(&ViewDef, &str)> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Create | Action::Replace | Action::Rebuild))
        .filter_map(|c| Some((c.view?, c.fingerprint.as_deref()?)))
        .collect();
    let views: Vec<&ViewDef> = build.iter().map(|(v, _)| *v).collect();
    let ordered: Vec<(&ViewDef, &str)> =
        deps::order(conn, &views, catalog)?.into_iter().map(|i| build[i]).collect();

    exec(conn, &Stmt::plain("BEGIN TRANSACTION".into()), "starting the transaction")?;
    let result = (|| -> Result<()> {
        for s in state::create_table() {
            exec(conn, &s, "creating duckalog's state table")?;
        }
        if plan.secrets_pending() {
            for s in secrets::create_record_table() {
                exec(conn, &s, "creating duckalog's secret records")?;
            }
            for s in &plan.secrets {
                let what = format!("recording persistent secret {}", sql::ident(&s.name));
                match (s.action, s.def) {
                    (Action::Drop, _) => {
                        secrets::forget(conn, &s.name).map_err(|e| Error::database(&what, e))?
                    }
                    (_, Some(def)) if !s.recorded => {
                        secrets::record(conn, def, s.digest.as_deref())
                            .map_err(|e| Error::database(&what, e))?
                    }
                    _ => {}
                }
            }
        }
        let dropped: Vec<(&str, &str)> = plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Drop)
            .map(|c| (c.schema.as_str(), c.name.as_str()))
            .collect();
        // A view dropped by hand, or replaced by a table since, leaves only its state row.
        for (schema, name) in
            dropped.iter().filter(|(s, n)| actual.views.contains(&plan::key(s, n)))
        {
            exec(
                conn,
                &sql::drop_view(schema, name),
                &format!("dropping view {}", sql::qualified(&[schema, name])),
            )?;
        }
        state::forget(conn, &dropped)
            .map_err(|e| Error::database("forgetting the dropped views", e))?;
        for schema in schemas(ordered.iter().map(|(v, _)| *v)) {
            exec(conn, &sql::create_schema(schema), &format!("schema {}", sql::ident(schema)))?;
        }
        for (v, _) in &ordered {
            let what = format!("view {} ({})", v.qualified(), v.origin);
            for s in view_statements(v) {
                exec(conn, &s, &what)?;
            }
        }
        check_readers(conn, plan, catalog)?;
        state::remember(conn, &ordered, &actual.managed)
            .map_err(|e| Error::database("recording the views", e))?;
        Ok(())
    })();
    match result {
        Ok(()) => exec(conn, &Stmt::plain("COMMIT".into()), "committing the changes")?,
        Err(e) => {
            if let Err(r) = conn.execute_batch("ROLLBACK") {
                log::error!("rollback failed: {r}");
            }
            return Err(e);
        }
    }
    let counts = plan.counts();
    log::info!(
        "applied {} created, {} replaced, {} dropped in {:.0?}",
        counts.created,
        counts.replaced,
        counts.dropped,
        start.elapsed()
    );
    Ok(counts)
}

/// The schemas other than `main` that `views` live in, each once.
pub(crate) fn schemas<'a>(views: impl Iterator<Item = &'a ViewDef>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in views {
        if !v.schema.eq_ignore_ascii_case("main")
            && !out.iter().any(|s| s.eq_ignore_ascii_case(&v.schema))
        {
            out.push(&v.schema);
        }
    }
    out
}

/// The statements that define one view.
pub(crate) fn view_statements(v: &ViewDef) -> Vec<Stmt> {
    let mut out = vec![sql::create_view(&v.schema, &v.name, &v.body)];
    if let Some(d) = &v.description {
        out.push(sql::comment_on_view(&v.schema, &v.name, d));
    }
    out
}
