//! The command line: argument parsing and printing. Everything else is the
//! library's.

pub(crate) mod output;

use crate::catalog::{self, plan, script, Action, Counts, Options, Session};
use crate::config::{self, Config, Database};
use crate::connector::Registry;
use crate::error::{print, Error, Result};
use crate::query::Cells;
use crate::session::OpenOptions;
use argh::FromArgs;
use output::{Format, Grid};
use std::io::Write;
use std::path::PathBuf;

#[derive(FromArgs)]
/// Declarative DuckDB catalogs: restore a session's state and keep its views
/// true to a config file.
#[argh(help_triggers("-h", "--help", "help"))]
struct Cli {
    /// print the version and exit
    #[argh(switch, short = 'V')]
    version: bool,
    #[argh(subcommand)]
    command: Option<Command>,
}

#[derive(FromArgs)]
#[argh(subcommand)]
enum Command {
    Run(RunCmd),
    Build(BuildCmd),
    Plan(PlanCmd),
    Validate(ValidateCmd),
    GenerateSql(GenerateSqlCmd),
    Connectors(ConnectorsCmd),
    Doctor(DoctorCmd),
    Extensions(ExtensionsCmd),
    Config(ConfigCmd),
    Convert(ConvertCmd),
    Version(VersionCmd),
    Query(QueryCmd),
    Init(InitCmd),
}

/// Declares a subcommand with the options every command shares. The config
/// is the last positional argument, after any positional of the command's own.
macro_rules! command {
    ($(#[$meta:meta])* struct $name:ident { $($body:tt)* }) => {
        #[derive(FromArgs)]
        $(#[$meta])*
        struct $name {
            /// the config file (TOML, YAML or JSON; default duckalog.toml, or .yaml, .yml, .json)
            #[argh(option, short = 'c')]
            config: Option<PathBuf>,
            /// the database file to use instead of duckdb.database
            #[argh(option)]
            db: Option<PathBuf>,
            /// the folder that holds extension files (<dir>/v1.5.5/<platform>/...)
            #[argh(option)]
            extension_dir: Option<PathBuf>,
            /// a folder of connector plugins to load (repeatable)
            #[argh(option)]
            plugin_dir: Vec<PathBuf>,
            /// seconds each attachment may take, instead of its configured timeout
            #[argh(option)]
            attach_timeout: Option<f64>,
            /// seconds to wait while another process holds the database's lock (default 30; 0 fails at once)
            #[argh(option)]
            lock_timeout: Option<f64>,
            /// more log output (-v info, -vv debug, -vvv trace)
            #[argh(switch, short = 'v')]
            verbose: u8,
            /// print errors only
            #[argh(switch)]
            quiet: bool,
            /// do not read .env files
            #[argh(switch)]
            no_dotenv: bool,
            $($body)*
            /// the config file (TOML, YAML or JSON; default duckalog.toml, or .yaml, .yml, .json)
            #[argh(positional, arg_name = "config")]
            config_arg: Option<PathBuf>,
        }

        impl Common for $name {
            fn common(&self) -> CommonArgs<'_> {
                CommonArgs {
                    config_arg: self.config_arg.as_ref(),
                    config: self.config.as_ref(),
                    db: self.db.as_ref(),
                    extension_dir: self.extension_dir.as_ref(),
                    plugin_dir: &self.plugin_dir,
                    attach_timeout: self.attach_timeout,
                    lock_timeout: self.lock_timeout,
                    verbose: self.verbose,
                    quiet: self.quiet,
                    no_dotenv: self.no_dotenv,
                }
            }
        }
    };
}

struct CommonArgs<'a> {
    config_arg: Option<&'a PathBuf>,
    config: Option<&'a PathBuf>,
    db: Option<&'a PathBuf>,
    extension_dir: Option<&'a PathBuf>,
    plugin_dir: &'a [PathBuf],
    attach_timeout: Option<f64>,
    lock_timeout: Option<f64>,
    verbose: u8,
    quiet: bool,
    no_dotenv: bool,
}

impl CommonArgs<'_> {
    fn load_options(&self) -> Result<config::LoadOptions> {
        Ok(config::LoadOptions {
            no_dotenv: self.no_dotenv,
            plugin_dirs: self.plugin_dir.to_vec(),
            attach_timeout: self.attach_timeout.map(seconds).transpose()?,
        })
    }
}

trait Common {
    fn common(&self) -> CommonArgs<'_>;
}

command! {
    /// Open the catalog, restore its session state and bring its views up to date.
    #[argh(subcommand, name = "run")]
    struct RunCmd {
        /// run this SQL statement afterwards and print its result
        #[argh(option, short = 'q')]
        query: Option<String>,
        /// how to print the query result: table, csv or json
        #[argh(option, default = "Format::Table")]
        format: Format,
        /// recreate every configured view, and take over same-named views duckalog did not create
        #[argh(switch)]
        force_rebuild: bool,
        /// drop views that duckalog created and the config no longer names
        #[argh(switch)]
        prune: bool,
        /// open the database read-only: restore the session, change no view
        #[argh(switch)]
        read_only: bool,
        /// print the statements run would execute, and execute none
        #[argh(switch)]
        dry_run: bool,
        /// how many attachments to restore at once (default 8)
        #[argh(option)]
        jobs: Option<usize>,
        /// seconds the --query statement may take before it is interrupted
        #[argh(option)]
        query_timeout: Option<f64>,
        /// then open a SQL shell on the session (statements from standard
        /// input when it is not a terminal)
        #[argh(switch, short = 'i')]
        interactive: bool,
    }
}

command! {
    /// Run one SQL statement on the catalog opened read-only, with its session
    /// restored and nothing changed, and print the result.
    #[argh(subcommand, name = "query")]
    struct QueryCmd {
        /// the SQL statement
        #[argh(positional)]
        sql: String,
        /// how to print the result: table, csv or json
        #[argh(option, default = "Format::Table")]
        format: Format,
        /// seconds the statement may take before it is interrupted
        #[argh(option)]
        query_timeout: Option<f64>,
    }
}

#[derive(FromArgs)]
/// Write a commented starter config and a small sample data file
/// (data/sample.csv beside it) that `duckalog run` builds right away.
#[argh(subcommand, name = "init")]
struct InitCmd {
    /// the config to write (default duckalog.toml, or duckalog.yaml)
    #[argh(option, short = 'o')]
    output: Option<PathBuf>,
    /// toml or yaml (default: from --output's extension, else toml)
    #[argh(option)]
    format: Option<crate::init::Format>,
    /// overwrite files that exist
    #[argh(switch)]
    force: bool,
}

command! {
    /// Recreate every configured view (the same as run --force-rebuild).
    #[argh(subcommand, name = "build")]
    struct BuildCmd {
        /// drop views that duckalog created and the config no longer names
        #[argh(switch)]
        prune: bool,
    }
}

command! {
    /// Show what run would change, touching nothing.
    #[argh(subcommand, name = "plan")]
    struct PlanCmd {
        /// plan as run --force-rebuild would
        #[argh(switch)]
        force_rebuild: bool,
        /// plan as run --prune would
        #[argh(switch)]
        prune: bool,
        /// exit with 1 when changes are pending
        #[argh(switch)]
        exit_code: bool,
    }
}

command! {
    /// Check the config (and parse every view's SQL) without opening the database.
    #[argh(subcommand, name = "validate")]
    struct ValidateCmd {}
}

command! {
    /// Print the whole catalog as one SQL script that recreates it.
    #[argh(subcommand, name = "generate-sql")]
    struct GenerateSqlCmd {
        /// write the script to this file instead of standard output
        #[argh(option, short = 'o')]
        output: Option<PathBuf>,
        /// print secret values instead of '***'
        #[argh(switch)]
        show_secrets: bool,
    }
}

command! {
    /// Check, changing nothing, that the config can run here: extensions
    /// present and loadable, secrets accepted, attachments reachable within
    /// their timeouts, the database usable.
    #[argh(subcommand, name = "doctor")]
    struct DoctorCmd {
        /// check as for run --read-only
        #[argh(switch)]
        read_only: bool,
    }
}

command! {
    /// List the attachment kinds duckalog knows (built in, and plugins of the
    /// config's plugin_dirs and --plugin-dir), where each comes from, and the
    /// DuckDB extensions it needs.
    #[argh(subcommand, name = "connectors")]
    struct ConnectorsCmd {}
}

#[derive(FromArgs)]
/// Show the DuckDB extensions a config needs: compiled in, found in the
/// extension directory (with their version and platform), or missing, with
/// the path where each must go. `install` and `bundle` move them across an
/// air gap.
#[argh(subcommand, name = "extensions")]
struct ExtensionsCmd {
    /// the config file (default duckalog.toml)
    #[argh(option, short = 'c')]
    config: Option<PathBuf>,
    /// the extension directory (<dir>/v1.5.5/<platform>/...)
    #[argh(option)]
    extension_dir: Option<PathBuf>,
    #[argh(subcommand)]
    action: Option<ExtensionsAction>,
}

#[derive(FromArgs)]
#[argh(subcommand)]
enum ExtensionsAction {
    Install(ExtensionsInstall),
    Bundle(ExtensionsBundle),
}

#[derive(FromArgs)]
/// Install extension files from a folder, a PyPI wheel (.whl), or a bundle
/// (.tar.gz) made by `extensions bundle`, after checking that each was built
/// for this DuckDB version and platform.
#[argh(subcommand, name = "install")]
struct ExtensionsInstall {
    /// where the files come from
    #[argh(option)]
    from: PathBuf,
}

#[derive(FromArgs)]
/// Pack the extensions the config needs, with checksums, into one file to
/// carry to a machine without network.
#[argh(subcommand, name = "bundle")]
struct ExtensionsBundle {
    /// the bundle to write (.tar.gz)
    #[argh(option)]
    out: PathBuf,
}

#[derive(FromArgs)]
/// Look at a config as duckalog reads it.
#[argh(subcommand, name = "config")]
struct ConfigCmd {
    #[argh(subcommand)]
    action: ConfigAction,
}

#[derive(FromArgs)]
#[argh(subcommand)]
enum ConfigAction {
    Show(ConfigShow),
}

command! {
    /// Print the config with its imports merged and its variables filled in;
    /// credentials are masked. Checks it as validate does.
    #[argh(subcommand, name = "show")]
    struct ConfigShow {
        /// also list which file each view, attachment, secret and catalog comes from
        #[argh(switch)]
        sources: bool,
        /// toml (the default), yaml or json
        #[argh(option, default = "String::from(\"toml\")")]
        format: String,
    }
}

#[derive(FromArgs)]
/// Rewrite a config written for the Python duckalog tool (YAML or JSON) as
/// an equivalent duckalog.toml, with comments on whatever changed meaning.
#[argh(subcommand, name = "convert")]
struct ConvertCmd {
    /// the YAML or JSON config to convert
    #[argh(positional)]
    input: PathBuf,
    /// where to write (default: duckalog.toml beside the input; - for standard output)
    #[argh(option, short = 'o')]
    output: Option<PathBuf>,
    /// replace the output file if it exists
    #[argh(switch)]
    force: bool,
}

#[derive(FromArgs)]
/// Print the version.
#[argh(subcommand, name = "version")]
struct VersionCmd {}

/// Parses the arguments, runs the command and returns the exit code.
pub fn main() -> u8 {
    let args: Vec<String> = std::env::args().collect();
    let name = args.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("duckalog");
    let rest = expand_short_switches(&args[1.min(args.len())..]);
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let cli = match Cli::from_args(&[name], &rest) {
        Ok(cli) => cli,
        Err(early) => {
            return if early.status.is_ok() {
                let _ = print(&format!("{}\n", early.output));
                0
            } else {
                say_error(&format!(
                    "{}; run {name} --help for how to use it",
                    crate::error::one_line(&early.output)
                ));
                crate::error::exit::CONFIG
            };
        }
    };
    let result = match cli.command {
        _ if cli.version => print(&format!("{}\n", version())).map(|()| 0),
        None => Err(Error::Usage(format!("no command given; run {name} --help"))),
        Some(Command::Version(_)) => print(&format!("{}\n", version())).map(|()| 0),
        Some(Command::Run(c)) => run(&c),
        Some(Command::Build(c)) => build(&c),
        Some(Command::Plan(c)) => plan_cmd(&c),
        Some(Command::Validate(c)) => validate(&c),
        Some(Command::GenerateSql(c)) => generate_sql(&c),
        Some(Command::Connectors(c)) => connectors(&c),
        Some(Command::Doctor(c)) => doctor(&c),
        Some(Command::Extensions(c)) => extensions(&c),
        Some(Command::Config(ConfigCmd { action: ConfigAction::Show(c) })) => config_show(&c),
        Some(Command::Convert(c)) => convert(&c),
        Some(Command::Query(c)) => query(&c),
        Some(Command::Init(c)) => init(&c),
    };
    match result {
        Ok(code) => code,
        Err(Error::OutputClosed) => crate::error::exit::OK,
        Err(e) => {
            say_error(&crate::secret::scrub(&e.to_string()));
            e.exit_code()
        }
    }
}

fn say_error(message: &str) {
    crate::error::note(&format!("error: {message}"));
}

/// `-vv` means `-v -v`, as in most command-line tools; argh takes one letter per dash.
fn expand_short_switches(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        match a.strip_prefix('-') {
            Some(letters) if letters.len() > 1 && letters.chars().all(|c| c == 'v') => {
                out.extend(letters.chars().map(|_| "-v".to_string()))
            }
            _ => out.push(a.clone()),
        }
    }
    out
}

fn version() -> String {
    format!("duckalog {} (DuckDB {})", env!("CARGO_PKG_VERSION"), crate::extension::DUCKDB_VERSION)
}

/// Sets up logging, then loads the config with the command line's overrides.
fn prepare(cmd: &dyn Common) -> Result<(Config, Database, CommonArgsOwned)> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    let path = config_path(&c)?;
    let config = config::load(&path, &c.load_options()?)?;
    let database = c.db.map(database_arg).unwrap_or_else(|| config.database.clone());
    Ok((config, database, CommonArgsOwned::of(&c)?))
}

fn database_arg(p: &PathBuf) -> Database {
    if p.as_os_str() == ":memory:" {
        Database::Memory
    } else {
        Database::File(std::path::absolute(p).unwrap_or_else(|_| p.clone()))
    }
}

/// The config to read: the one named, else the default one; a missing
/// default is named, so that loading it says it is not found.
fn config_path(c: &CommonArgs) -> Result<PathBuf> {
    Ok(config_found(c)?.unwrap_or_else(|| PathBuf::from("duckalog.toml")))
}

/// The config named, or the default one if it exists; `None` when neither.
fn config_found(c: &CommonArgs) -> Result<Option<PathBuf>> {
    match (c.config_arg, c.config) {
        (Some(_), Some(_)) => Err(Error::Usage(
            "give the config either as an argument or with --config, not both".into(),
        )),
        (Some(p), None) | (None, Some(p)) => Ok(Some(p.clone())),
        (None, None) => Ok(default_config()),
    }
}

/// The first of duckalog.toml, .yaml, .yml, .json in the working folder.
fn default_config() -> Option<PathBuf> {
    ["toml", "yaml", "yml", "json"]
        .iter()
        .map(|ext| PathBuf::from(format!("duckalog.{ext}")))
        .find(|p| p.is_file())
}

struct CommonArgsOwned {
    extension_dir: Option<PathBuf>,
    lock_timeout: std::time::Duration,
    verbose: u8,
    quiet: bool,
}

impl CommonArgsOwned {
    fn of(c: &CommonArgs) -> Result<Self> {
        let lock_timeout = match c.lock_timeout {
            Some(s) if s == 0.0 => std::time::Duration::ZERO,
            Some(s) => seconds(s)?,
            None => crate::session::DEFAULT_LOCK_TIMEOUT,
        };
        Ok(CommonArgsOwned {
            extension_dir: c.extension_dir.cloned(),
            lock_timeout,
            verbose: c.verbose,
            quiet: c.quiet,
        })
    }

    fn open_options(&self, config: &Config, read_only: bool) -> OpenOptions {
        OpenOptions {
            lock_timeout: self.lock_timeout,
            ..OpenOptions::for_config(config, read_only, self.extension_dir.clone())
        }
    }
}

fn run(c: &RunCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let mut opts = common.open_options(&config, c.read_only);
    opts.force_rebuild = c.force_rebuild;
    opts.jobs = c.jobs.unwrap_or(crate::session::DEFAULT_JOBS).max(1);
    let plan_opts = Options { force_rebuild: c.force_rebuild, prune: c.prune };
    if c.interactive && (c.query.is_some() || c.dry_run) {
        return Err(Error::Usage("--interactive goes with neither --query nor --dry-run".into()));
    }
    if let Some(sql) = &c.query {
        one_statement(sql)?;
    }
    if c.dry_run {
        let actual = catalog::read_state(&database, &opts)?;
        let plan = plan::diff(&config.views, &config.secrets, &actual, plan_opts);
        print(&script::dry_run(&config, &opts, &plan, &actual)?)?;
        return Ok(0);
    }
    let mut session = Session::new(&config, database, opts);
    let counts = session.reconcile(plan_opts)?;
    match &c.query {
        Some(sql) => {
            log::info!("{}", counts.summary());
            print_query(session.connection()?, sql, c.query_timeout, c.format)?;
        }
        // The summary goes to standard error, where it does not mix with
        // the shell's results.
        None if c.interactive => {
            if !common.quiet {
                crate::error::note(&counts.summary());
            }
            if crate::shell::run(session.connection()?, c.format)? > 0 {
                return Ok(crate::error::exit::DATABASE);
            }
        }
        None if !common.quiet => print(&format!("{}\n", counts.summary()))?,
        None => {}
    }
    Ok(exit_code(&counts))
}

/// `run --query` and `query` take one statement, checked before anything
/// runs: DuckDB would run every statement of the text and answer with the last.
fn one_statement(sql: &str) -> Result<()> {
    match crate::shell::statements(sql).len() {
        0 => Err(Error::Usage("the query is empty: give one SQL statement".into())),
        1 => Ok(()),
        n => Err(Error::Usage(format!(
            "the query holds {n} statements: give one (the shell runs several in turn: duckalog run -i < statements.sql)"
        ))),
    }
}

/// Runs `sql` and prints its result: `run --query` and `query`.
fn print_query(
    conn: &duckdb::Connection,
    sql: &str,
    timeout: Option<f64>,
    format: Format,
) -> Result<()> {
    let timeout = timeout.map(seconds).transpose()?;
    output::print(
        crate::query::run(conn, sql, timeout, format.cells())?,
        format,
        &mut std::io::stdout().lock(),
    )
}

fn query(c: &QueryCmd) -> Result<u8> {
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
        return Ok(crate::error::exit::OK);
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
    Ok(if restored.skipped.is_empty() {
        crate::error::exit::OK
    } else {
        crate::error::exit::PARTIAL
    })
}

fn init(c: &InitCmd) -> Result<u8> {
    let format = crate::init::Format::choose(c.format, c.output.as_deref())?;
    let files = crate::init::files(c.output.as_deref(), format);
    crate::init::write(&files, c.force)?;
    for (path, _) in &files {
        print(&format!("wrote {}\n", path.display()))?;
    }
    let config = &files[0].0;
    let arg =
        if c.output.is_some() { format!(" --config {}", config.display()) } else { String::new() };
    print(&format!("next: duckalog run{arg} && duckalog query{arg} \"SELECT * FROM reports.revenue_by_customer\"\n"))?;
    Ok(0)
}

/// Success, or partial success when optional attachments were unavailable.
fn exit_code(n: &Counts) -> u8 {
    if n.attachments_skipped > 0 {
        crate::error::exit::PARTIAL
    } else {
        crate::error::exit::OK
    }
}

fn seconds(s: f64) -> Result<std::time::Duration> {
    if s.is_finite() && s > 0.0 && s < 1e9 {
        Ok(std::time::Duration::from_secs_f64(s))
    } else {
        Err(Error::Usage(format!("{s} is not a positive number of seconds")))
    }
}

fn build(c: &BuildCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let mut opts = common.open_options(&config, false);
    opts.force_rebuild = true;
    let counts = Session::new(&config, database, opts)
        .reconcile(Options { force_rebuild: true, prune: c.prune })?;
    if !common.quiet {
        print(&format!("{}\n", counts.summary()))?;
    }
    Ok(exit_code(&counts))
}

fn plan_cmd(c: &PlanCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, true);
    let actual = catalog::read_state(&database, &opts)?;
    let plan = plan::diff(
        &config.views,
        &config.secrets,
        &actual,
        Options { force_rebuild: c.force_rebuild, prune: c.prune },
    );
    let mut out = std::io::stdout().lock();
    let mut write = || -> std::io::Result<()> {
        for ch in &plan.changes {
            let name = crate::sql::qualified(&[&ch.schema, &ch.name]);
            let line = match ch.action {
                Action::Create => format!("+ create    {name}"),
                Action::Replace => format!("~ replace   {name} (definition changed)"),
                Action::Rebuild => format!("~ rebuild   {name} (--force-rebuild)"),
                Action::Unchanged if common.verbose > 0 => format!("= unchanged {name}"),
                Action::Unchanged => continue,
                Action::Foreign => format!(
                    "! foreign   {name}: exists but was not created by duckalog; left alone"
                ),
                Action::Conflict => {
                    format!("! conflict  {name}: a table of that name exists; run will fail")
                }
                Action::Drop => format!("- drop      {name}"),
                Action::Orphan => {
                    format!("? orphan    {name}: no longer configured (--prune drops it)")
                }
                Action::Skipped => continue,
            };
            writeln!(out, "{line}")?;
        }
        for s in &plan.secrets {
            let name = crate::sql::ident(&s.name);
            let line = match s.action {
                Action::Create => format!("+ secret    {name} (persistent)"),
                Action::Replace => format!("~ secret    {name} (persistent, definition changed)"),
                Action::Rebuild => format!("~ secret    {name} (persistent, --force-rebuild)"),
                Action::Unchanged if common.verbose > 0 => format!("= secret    {name} (persistent)"),
                Action::Drop => format!("- secret    {name} (persistent, deleted from the secret directory)"),
                Action::Orphan => format!("? secret    {name}: persistent, no longer configured as such (--prune deletes it)"),
                _ => continue,
            };
            writeln!(out, "{line}")?;
        }
        let n = plan.counts();
        writeln!(
            out,
            "plan: {} to create, {} to replace, {} unchanged, {} to drop",
            n.created, n.replaced, n.unchanged, n.dropped
        )
    };
    write().map_err(|e| Error::Other(format!("writing the plan: {e}")))?;
    let secrets_change = plan.secrets.iter().any(|s| s.action.changes_catalog());
    Ok(if c.exit_code && (plan.pending() || secrets_change) { 1 } else { 0 })
}

fn validate(c: &ValidateCmd) -> Result<u8> {
    let (config, _, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    // The script renders every statement and orders the views, which parses their SQL.
    script::script(&config, &opts, false)?;
    if !common.quiet {
        print(&format!(
            "{}: valid ({} view(s), {} attachment(s), {} secret(s))\n",
            config.path.display(),
            config.views.len(),
            config.attachments.len(),
            config.secrets.len()
        ))?;
    }
    Ok(0)
}

fn doctor(c: &DoctorCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, c.read_only);
    let findings = crate::doctor::run(&config, &database, &opts);
    let rows = findings
        .iter()
        .map(|f| {
            let result = if f.ok {
                "ok"
            } else if f.warning {
                "warn"
            } else {
                "FAIL"
            };
            vec![Some(f.check.clone()), Some(result.to_string()), Some(f.detail.clone())]
        })
        .collect();
    let grid = Grid {
        columns: vec!["check".into(), "result".into(), "detail".into()],
        numeric: vec![false; 3],
        rows,
        cells: Cells::Text,
    };
    grid.write(Format::Table, &mut std::io::stdout().lock())
        .map_err(|e| Error::Other(e.to_string()))?;
    Ok(if findings.iter().any(|f| f.fails()) {
        crate::error::exit::DATABASE
    } else {
        crate::error::exit::OK
    })
}

fn extensions(c: &ExtensionsCmd) -> Result<u8> {
    crate::logging::init(0, false);
    let found = c.config.clone().or_else(default_config);
    let config = found
        .as_ref()
        .map(|path| config::load(path, &config::LoadOptions::default()))
        .transpose()?;
    let opts = match &config {
        Some(cfg) => OpenOptions::for_config(cfg, false, c.extension_dir.clone()),
        None => OpenOptions::without_config(c.extension_dir.clone()),
    };
    let dir = opts
        .effective_extension_dir()
        .ok_or_else(|| Error::Usage("no extension directory: give --extension-dir".into()))?;
    let needed = || {
        config.as_ref().map(|c| c.all_extensions()).ok_or_else(|| Error::Usage("no config found (duckalog.toml, .yaml, .yml or .json here): give the config with --config".into()))
    };
    match &c.action {
        Some(ExtensionsAction::Install(i)) => {
            let installed = crate::bundle::install(&i.from, &dir)
                .map_err(|m| Error::Database { context: "install".into(), message: m })?;
            for p in installed {
                print(&format!("installed {}\n", p.display()))?;
            }
            Ok(0)
        }
        Some(ExtensionsAction::Bundle(b)) => {
            let n = crate::bundle::bundle(&needed()?, &dir, &b.out)
                .map_err(|m| Error::Database { context: "bundle".into(), message: m })?;
            print(&format!(
                "{}: {n} extension(s) for DuckDB {} on {}\n",
                b.out.display(),
                crate::extension::DUCKDB_VERSION,
                crate::extension::platform()
            ))?;
            Ok(0)
        }
        None => {
            use crate::bundle::Status;
            let survey = crate::bundle::survey(&needed()?, &dir);
            let rows = survey
                .iter()
                .map(|n| {
                    let (status, detail) = match &n.status {
                        Status::CompiledIn => ("compiled in".to_string(), String::new()),
                        Status::Embedded => (
                            "embedded".to_string(),
                            "unpacked to the user's cache on first use".to_string(),
                        ),
                        Status::Found(m) => (
                            format!(
                                "found ({} {}, {})",
                                m.duckdb_version, m.platform, m.extension_version
                            ),
                            String::new(),
                        ),
                        Status::WrongBuild(why) => ("WRONG BUILD".to_string(), why.clone()),
                        Status::Missing => ("MISSING".to_string(), "put the file here".to_string()),
                    };
                    let path = n.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                    vec![
                        Some(n.name.clone()),
                        Some(status),
                        Some(format!("{path} {detail}").trim().to_string()),
                    ]
                })
                .collect();
            let grid = Grid {
                columns: vec!["extension".into(), "status".into(), "path".into()],
                numeric: vec![false; 3],
                rows,
                cells: Cells::Text,
            };
            grid.write(Format::Table, &mut std::io::stdout().lock())
                .map_err(|e| Error::Other(e.to_string()))?;
            let bad =
                survey.iter().any(|n| matches!(n.status, Status::Missing | Status::WrongBuild(_)));
            Ok(if bad { crate::error::exit::DATABASE } else { 0 })
        }
    }
}

fn connectors(cmd: &ConnectorsCmd) -> Result<u8> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    // Without a config, only the built-in connectors and --plugin-dir.
    let registry = match config_found(&c)? {
        Some(path) => {
            let opts = config::LoadOptions { plugin_dirs: Vec::new(), ..c.load_options()? };
            config::registry(&config::merged(&path, &opts)?, &path, c.plugin_dir)?
        }
        None => Registry::with_plugins(c.plugin_dir).map_err(Error::Usage)?,
    };
    let rows: Vec<Vec<Option<String>>> = registry
        .all()
        .map(|c| {
            let ext = c.extensions();
            vec![
                Some(c.kind().to_string()),
                Some(c.origin()),
                Some(if ext.is_empty() { "none".to_string() } else { ext.join(", ") }),
            ]
        })
        .collect();
    let grid = Grid {
        columns: vec!["kind".into(), "origin".into(), "extensions".into()],
        numeric: vec![false; 3],
        rows,
        cells: Cells::Text,
    };
    grid.write(Format::Table, &mut std::io::stdout().lock())
        .map_err(|e| Error::Other(e.to_string()))?;
    Ok(0)
}

fn config_show(cmd: &ConfigShow) -> Result<u8> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    let path = config_path(&c)?;
    let format = match cmd.format.to_ascii_lowercase().as_str() {
        "toml" => config::Format::Toml,
        "yaml" | "yml" => config::Format::Yaml,
        "json" => config::Format::Json,
        other => {
            return Err(Error::Usage(format!("unknown format {other:?}: use toml, yaml or json")))
        }
    };
    let opts = c.load_options()?;
    let file = config::merged(&path, &opts)?;
    let text = config::show::render(&file, format, cmd.sources)?;
    // Resolving checks the config and learns every credential, so that the
    // text printed can be cleaned of them.
    config::resolve_file(file, &path, &opts)?;
    print(&crate::secret::scrub(&text))?;
    Ok(0)
}

fn convert(c: &ConvertCmd) -> Result<u8> {
    crate::logging::init(0, false);
    let (text, notes) = crate::convert::convert(&c.input)?;
    let output = c.output.clone().unwrap_or_else(|| config::dir_of(&c.input).join("duckalog.toml"));
    if output.as_os_str() == "-" {
        print(&text)?;
        return Ok(0);
    }
    if output.exists() && !c.force {
        return Err(Error::Usage(format!(
            "{} exists; give --force to replace it, or --output another path",
            output.display()
        )));
    }
    if config::dir_of(&output) != config::dir_of(&c.input) {
        log::warn!(
            "{} is in another folder than {}: relative paths in it now start from there",
            output.display(),
            c.input.display()
        );
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Other(format!("cannot create folder {}: {e}", dir.display())))?;
    }
    crate::atomic_write::write(&output, &text, true)
        .map_err(|e| Error::Other(format!("cannot write {}: {e}", output.display())))?;
    crate::error::note(&format!(
        "wrote {} ({} note(s) on changed meaning, as comments at its top)",
        output.display(),
        notes.len()
    ));
    Ok(0)
}

fn generate_sql(c: &GenerateSqlCmd) -> Result<u8> {
    let (config, _, common) = prepare(c)?;
    let opts = common.open_options(&config, false);
    let text = script::script(&config, &opts, c.show_secrets)?;
    match &c.output {
        Some(path) => crate::atomic_write::write(path, &text, true)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?,
        None => print(&text)?,
    }
    Ok(0)
}
