//! The difference between the configured views and the catalog: what `run`
//! would create, replace, leave or drop. Computing it touches nothing.

pub mod actual;

use crate::config::{SecretDef, ViewDef};
pub use actual::{fingerprint, key, Actual, Key, Managed, Stored};

/// What a run does with one view or persistent secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Not in the catalog.
    Create,
    /// Managed, and its configured definition changed.
    Replace,
    /// Recreated because of `--force-rebuild` (and taken over if duckalog did not create it).
    Rebuild,
    /// Managed and current: no statement is executed for it.
    Unchanged,
    /// A view of that name exists that duckalog did not create: left alone.
    Foreign,
    /// A table of that name exists: the view cannot be created.
    Conflict,
    /// Managed, no longer configured, and dropped because of `--prune`.
    Drop,
    /// Managed and no longer configured: reported, kept.
    Orphan,
    /// Reads an optional attachment that is unavailable: left as it is this run.
    Skipped,
}

impl Action {
    /// Whether the action runs a statement that changes the catalog.
    pub fn changes_catalog(self) -> bool {
        matches!(self, Action::Create | Action::Replace | Action::Rebuild | Action::Drop)
    }
}

/// One view's part in a run.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// What happens to the view.
    pub action: Action,
    /// Its schema, as configured or as recorded.
    pub schema: String,
    /// Its name, as configured or as recorded.
    pub name: String,
    /// The configured view, for every action but Drop and Orphan.
    pub view: Option<&'a ViewDef>,
    /// The [`fingerprint`] of the configured definition; `None` for Drop and
    /// Orphan.
    pub fingerprint: Option<String>,
}

/// How a run treats views and secrets that are current or no longer
/// configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Recreate every view and persistent secret, current or not
    /// (`--force-rebuild`).
    pub force_rebuild: bool,
    /// Drop what duckalog created and is no longer configured (`--prune`).
    pub prune: bool,
}

/// A persistent secret's part in a run.
#[derive(Debug, Clone)]
pub struct SecretChange<'a> {
    /// What happens to the secret.
    pub action: Action,
    /// Its name, as configured or as recorded.
    pub name: String,
    /// The configured secret, for every action but Drop and Orphan.
    pub def: Option<&'a SecretDef>,
    /// The digest of the configured definition, when the secret directory
    /// has a key.
    pub digest: Option<String>,
    /// Whether `_duckalog.secrets` records it already, with this digest.
    pub recorded: bool,
}

/// What a run would do to the views and the persistent secrets.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// One entry per configured view, then one per managed view no longer
    /// configured.
    pub changes: Vec<Change<'a>>,
    /// Persistent secrets only: temporary ones are simply created on every run.
    pub secrets: Vec<SecretChange<'a>>,
}

/// How many views and secrets a run touched, by what it did to them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Views created.
    pub created: usize,
    /// Views replaced or rebuilt.
    pub replaced: usize,
    /// Views already current.
    pub unchanged: usize,
    /// Views dropped because of `--prune`.
    pub dropped: usize,
    /// Views duckalog did not create, left alone.
    pub foreign: usize,
    /// Managed views no longer configured, kept.
    pub orphaned: usize,
    /// Views not created because a table has the name.
    pub conflicts: usize,
    /// Persistent secrets deleted because of `--prune`.
    pub secrets_dropped: usize,
    /// Persistent secrets no longer configured, kept.
    pub secrets_orphaned: usize,
    /// Views left as they are because they read an unavailable optional
    /// attachment.
    pub skipped: usize,
    /// Optional attachments that were unavailable.
    pub attachments_skipped: usize,
}

impl Counts {
    /// One line on what a run did.
    pub fn summary(&self) -> String {
        let n = self;
        let mut s = format!(
            "catalog up to date: {} created, {} replaced, {} unchanged, {} dropped",
            n.created, n.replaced, n.unchanged, n.dropped
        );
        if n.foreign > 0 {
            s.push_str(&format!("; {} not created by duckalog, left alone", n.foreign));
        }
        if n.orphaned > 0 {
            s.push_str(&format!(
                "; {} no longer configured, kept (--prune drops them)",
                n.orphaned
            ));
        }
        if n.skipped > 0 || n.attachments_skipped > 0 {
            s.push_str(&format!(
                "; {} optional attachment(s) unavailable, {} view(s) reading them skipped",
                n.attachments_skipped, n.skipped
            ));
        }
        if n.secrets_dropped > 0 {
            s.push_str(&format!("; {} persistent secret(s) deleted", n.secrets_dropped));
        }
        if n.secrets_orphaned > 0 {
            s.push_str(&format!(
                "; {} persistent secret(s) no longer configured, kept (--prune deletes them)",
                n.secrets_orphaned
            ));
        }
        s
    }
}

impl<'a> Plan<'a> {
    /// Whether any view would change.
    pub fn pending(&self) -> bool {
        self.changes.iter().any(|c| c.action.changes_catalog())
    }

    /// Whether duckalog's bookkeeping of persistent secrets would change.
    pub fn secrets_pending(&self) -> bool {
        self.secrets.iter().any(|s| s.action == Action::Drop || (s.def.is_some() && !s.recorded))
    }

    /// The persistent secrets stored as configured (lower-cased names): a
    /// session keeps them instead of writing them again.
    pub fn current_secrets(&self) -> std::collections::HashSet<String> {
        let current = self.secrets.iter().filter(|s| s.action == Action::Unchanged);
        current.map(|s| s.name.to_lowercase()).collect()
    }

    /// How many views and secrets each action touches.
    pub fn counts(&self) -> Counts {
        let mut n = Counts::default();
        for c in &self.changes {
            match c.action {
                Action::Create => n.created += 1,
                Action::Replace | Action::Rebuild => n.replaced += 1,
                Action::Unchanged => n.unchanged += 1,
                Action::Foreign => n.foreign += 1,
                Action::Conflict => n.conflicts += 1,
                Action::Drop => n.dropped += 1,
                Action::Orphan => n.orphaned += 1,
                Action::Skipped => n.skipped += 1,
            }
        }
        for s in &self.secrets {
            match s.action {
                Action::Drop => n.secrets_dropped += 1,
                Action::Orphan => n.secrets_orphaned += 1,
                _ => {}
            }
        }
        n
    }
}

/// Compares the configured views and secrets with the catalog as `actual`
/// describes it.
pub fn diff<'a>(
    views: &'a [ViewDef],
    secrets: &'a [SecretDef],
    actual: &Actual,
    opts: Options,
) -> Plan<'a> {
    let mut changes = Vec::with_capacity(views.len());
    for v in views {
        let k = key(&v.schema, &v.name);
        let fp = fingerprint(v);
        let exists = actual.views.contains(&k);
        let action = if actual.tables.contains(&k) {
            Action::Conflict
        } else {
            match (exists, actual.managed.get(&k)) {
                (false, _) => Action::Create,
                (true, _) if opts.force_rebuild => Action::Rebuild,
                (true, None) => Action::Foreign,
                (true, Some(m)) if m.fingerprint == fp => Action::Unchanged,
                (true, Some(_)) => Action::Replace,
            }
        };
        changes.push(Change {
            action,
            schema: v.schema.clone(),
            name: v.name.clone(),
            view: Some(v),
            fingerprint: Some(fp),
        });
    }
    let configured: std::collections::HashSet<_> =
        views.iter().map(|v| key(&v.schema, &v.name)).collect();
    let mut gone: Vec<_> =
        actual.managed.iter().filter(|(k, _)| !configured.contains(*k)).map(|(_, m)| m).collect();
    gone.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
    for m in gone {
        changes.push(Change {
            action: if opts.prune { Action::Drop } else { Action::Orphan },
            schema: m.schema.clone(),
            name: m.name.clone(),
            view: None,
            fingerprint: None,
        });
    }
    Plan { changes, secrets: diff_secrets(secrets, actual, opts) }
}

/// Leaves the views in `skipped` (lower-cased keys) as they are for this run.
pub fn skip(plan: &mut Plan, skipped: &std::collections::HashSet<Key>) {
    for c in plan.changes.iter_mut().filter(|c| c.view.is_some()) {
        if skipped.contains(&key(&c.schema, &c.name)) {
            c.action = Action::Skipped;
        }
    }
}

fn diff_secrets<'a>(
    secrets: &'a [SecretDef],
    actual: &Actual,
    opts: Options,
) -> Vec<SecretChange<'a>> {
    let mut out = Vec::new();
    for def in secrets.iter().filter(|s| s.persistent) {
        let name = def.name.to_lowercase();
        let digest = actual.secret_key.as_ref().map(|k| k.digest(def));
        // Credentials are redacted in what DuckDB shows: only the digest
        // recorded when the secret was written tells whether they changed.
        let recorded = digest.is_some() && actual.recorded_secrets.get(&name) == Some(&digest);
        let action = match actual.stored_secrets.get(&name) {
            None => Action::Create,
            Some(_) if opts.force_rebuild => Action::Rebuild,
            Some(stored) if recorded && actual::matches(def, stored) => Action::Unchanged,
            Some(_) => Action::Replace,
        };
        out.push(SecretChange { action, recorded, name: def.name.clone(), def: Some(def), digest });
    }
    let persistent: std::collections::HashSet<String> =
        secrets.iter().filter(|s| s.persistent).map(|s| s.name.to_lowercase()).collect();
    let mut gone: Vec<&String> =
        actual.recorded_secrets.keys().filter(|n| !persistent.contains(*n)).collect();
    gone.sort();
    for name in gone {
        out.push(SecretChange {
            action: if opts.prune { Action::Drop } else { Action::Orphan },
            name: name.clone(),
            def: None,
            digest: None,
            recorded: true,
        });
    }
    out
}
