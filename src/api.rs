//! The library's public surface: load a config, plan, apply, and connect
//! with the session restored, as `duckalog run` does; the command line is a
//! thin layer over the same steps.

use crate::catalog::{self, session, Purpose, Session};
use crate::config::{self, Config, Database};
use crate::engine::{Instance, OpenOptions};
use crate::plan::{self, Options};
use std::path::{Path, PathBuf};

pub use crate::error::Error;
pub use crate::plan::{Action, Counts};

/// What every fallible call here returns.
pub type Result<T> = std::result::Result<T, Error>;

/// A catalog config, loaded and checked: what to plan, apply and connect to.
///
/// ```
/// # fn main() -> Result<(), duckalog::Error> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let config = dir.path().join("duckalog.toml");
/// std::fs::write(&config, r#"
///     [duckdb]
///     database = "catalog.duckdb"
///     [[views]]
///     name = "answer"
///     sql = "SELECT 42 AS value"
/// "#).unwrap();
/// let catalog = duckalog::Catalog::load(&config)?;
/// let counts = catalog.apply()?;
/// assert_eq!(counts.created, 1);
/// let conn = catalog.connect()?;
/// let value: i32 = conn.query_row("SELECT value FROM answer", [], |r| r.get(0)).unwrap();
/// assert_eq!(value, 42);
/// # Ok(()) }
/// ```
pub struct Catalog {
    config: Config,
    database: Database,
    opts: OpenOptions,
}

/// One view that a plan would create, change or report.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The view's schema.
    pub schema: String,
    /// The view's name.
    pub name: String,
    /// What applying the plan does to it.
    pub action: Action,
}

/// A connection to the catalog with its session restored: extensions,
/// settings, secrets and attachments. It derefs to a `duckdb::Connection`;
/// the DuckDB instance lives as long as it does.
pub struct Connection {
    instance: Instance,
}

impl std::ops::Deref for Connection {
    type Target = duckdb::Connection;
    fn deref(&self) -> &duckdb::Connection {
        &self.instance
    }
}

impl Catalog {
    /// Loads the config at `path` (TOML, YAML or JSON) as `duckalog run`
    /// does: imports, `.env` files, `${env:...}` values and attached
    /// catalogs resolved, everything checked before anything runs.
    pub fn load(path: impl AsRef<Path>) -> Result<Catalog> {
        let config = config::load(path.as_ref(), &config::LoadOptions::default())?;
        let opts = OpenOptions::for_config(&config, false, None);
        Ok(Catalog { database: config.database.clone(), config, opts })
    }

    /// Uses the database file `path` instead of the config's
    /// `duckdb.database`, as `--db` does.
    pub fn with_database(mut self, path: impl Into<PathBuf>) -> Catalog {
        let path = path.into();
        self.database = Database::File(std::path::absolute(&path).unwrap_or(path));
        self
    }

    /// Loads extensions from `dir` (`<dir>/v1.5.5/<platform>/...`), as
    /// `--extension-dir` does.
    pub fn with_extension_dir(mut self, dir: impl Into<PathBuf>) -> Catalog {
        self.opts.extension_dir = Some(dir.into());
        self
    }

    /// Opens the database read-only: nothing is written, and
    /// [`apply`](Catalog::apply) fails if any view is missing or outdated.
    pub fn read_only(mut self, read_only: bool) -> Catalog {
        self.opts.read_only = read_only;
        self
    }

    /// What [`apply`](Catalog::apply) would change, reading the catalog
    /// without restoring its session or writing anything.
    ///
    /// ```
    /// # fn main() -> Result<(), duckalog::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let config = dir.path().join("duckalog.toml");
    /// # std::fs::write(&config, "[[views]]\nname = \"v\"\nsql = \"SELECT 1\"\n").unwrap();
    /// let catalog = duckalog::Catalog::load(&config)?;
    /// let changes = catalog.plan()?;
    /// assert_eq!(changes[0].action, duckalog::Action::Create);
    /// # Ok(()) }
    /// ```
    pub fn plan(&self) -> Result<Vec<Change>> {
        let opts = OpenOptions { read_only: true, ..self.opts.clone() };
        let actual = catalog::read_state(&self.config, &self.database, &opts)?;
        let plan =
            plan::diff(&self.config.views, &self.config.secrets, &actual, Options::default());
        let change = |c: &plan::Change| Change {
            schema: c.schema.clone(),
            name: c.name.clone(),
            action: c.action,
        };
        Ok(plan.changes.iter().map(change).collect())
    }

    /// Brings the catalog up to date, as `duckalog run` does, and counts
    /// what changed.
    pub fn apply(&self) -> Result<Counts> {
        self.session(Purpose::Reconcile(Options::default())).reconcile()
    }

    /// A connection with the session restored, the catalog brought up to
    /// date first unless it is [read-only](Catalog::read_only): the Rust
    /// form of the Python tool's `connect_to_catalog`.
    pub fn connect(&self) -> Result<Connection> {
        let session = if self.opts.read_only {
            self.session(Purpose::Query)
        } else {
            let mut s = self.session(Purpose::Reconcile(Options::default()));
            s.reconcile()?;
            s
        };
        Ok(Connection { instance: session.into_instance()? })
    }

    /// What another DuckDB client runs after opening the catalog to have
    /// its session, as `generate-sql --session` prints it; secret values are
    /// `'***'` unless `reveal_secrets`.
    pub fn session_script(&self, reveal_secrets: bool) -> Result<String> {
        Ok(session::Session::new(&self.config, &self.database, &self.opts)?.text(reveal_secrets))
    }

    fn session(&self, purpose: Purpose) -> Session<'_> {
        Session::new(&self.config, self.database.clone(), self.opts.clone(), purpose)
    }
}
