//! The session state a config asks for, as the ordered steps that restore
//! it: extensions, settings, pragmas, secrets (attachments may read them),
//! then attachments. The engine runs them on a catalog, or probes them on a
//! scratch instance for `doctor`; scripts print their statements.

use crate::config::{Attachment, Config, SecretDef, Setting};
use crate::sql::{self, Stmt};

/// One step of restoring a session.
#[derive(Debug)]
pub enum Step<'c> {
    /// An extension that must be present (`install_extensions`), not loaded.
    Present(String),
    /// An extension that must be present and is loaded.
    Load(String),
    /// A setting or a pragma: `what` names it in logs and errors.
    Setting {
        /// `setting threads`, `pragma 2`.
        what: String,
        /// The setting's name when it is a name and a value; `None` for a
        /// statement or a pragma.
        name: Option<String>,
        /// The statement that applies it.
        stmt: Stmt,
    },
    /// A secret, temporary or persistent as configured.
    Secret(&'c SecretDef),
    /// An attachment, attached with its policy.
    Attach(&'c Attachment),
}

impl Step<'_> {
    /// What the step restores, for logs, errors and findings.
    pub fn what(&self) -> String {
        match self {
            Step::Present(name) | Step::Load(name) => format!("extension {name}"),
            Step::Setting { what, .. } => what.clone(),
            Step::Secret(s) => {
                let kind = if s.persistent { "persistent" } else { "temporary" };
                format!("{kind} secret {}", sql::ident(&s.name))
            }
            Step::Attach(a) => format!("attachment {} ({})", sql::ident(&a.alias), a.kind),
        }
    }

    /// The statement the step runs; `None` for an extension that is only
    /// required to be present.
    pub fn stmt(&self) -> Option<Stmt> {
        match self {
            Step::Present(_) => None,
            Step::Load(name) => Some(sql::load_extension(name)),
            Step::Setting { stmt, .. } => Some(stmt.clone()),
            Step::Secret(s) => Some(s.statement(s.persistent)),
            Step::Attach(a) => Some(a.statement()),
        }
    }

    /// Whether the step holds no secret or attachment: what a session needs
    /// before its persistent secrets can be read and compared.
    pub fn is_environment(&self) -> bool {
        matches!(self, Step::Present(_) | Step::Load(_) | Step::Setting { .. })
    }
}

/// The restore steps of `config`, in the order they run.
pub fn steps(config: &Config) -> Vec<Step<'_>> {
    let mut out: Vec<Step> = config.install_extensions.iter().cloned().map(Step::Present).collect();
    out.extend(config.needed_extensions().into_iter().map(Step::Load));
    for s in &config.settings {
        out.push(match s {
            Setting::Statement(text) => Step::Setting {
                what: "setting".into(),
                name: None,
                stmt: Stmt::plain(text.clone()),
            },
            Setting::Pair(name, value) => Step::Setting {
                what: format!("setting {name}"),
                name: Some(name.clone()),
                stmt: sql::set(name, value),
            },
        });
    }
    for (i, p) in config.pragmas.iter().enumerate() {
        let what = format!("pragma {}", i + 1);
        out.push(Step::Setting { what, name: None, stmt: Stmt::plain(p.clone()) });
    }
    out.extend(config.secrets.iter().map(Step::Secret));
    out.extend(config.attachments.iter().map(Step::Attach));
    out
}
