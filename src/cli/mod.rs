//! The command line: argument parsing and printing. Everything else is the
//! library's.

mod output;

use crate::catalog::{self, plan, script, Action, Counts, Options, Session};
use crate::config::{self, Config, Database, Vars};
use crate::connector::Registry;
use crate::error::{Error, Result};
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
    Version(VersionCmd),
}

/// Declares a subcommand with the options every command shares.
macro_rules! command {
    ($(#[$meta:meta])* struct $name:ident { $($body:tt)* }) => {
        #[derive(FromArgs)]
        $(#[$meta])*
        struct $name {
            /// the config file (TOML, YAML or JSON; default duckalog.toml)
            #[argh(positional, arg_name = "config")]
            config_arg: Option<PathBuf>,
            /// the config file (TOML, YAML or JSON; default duckalog.toml)
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
            $($body)*
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
    }
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
                println!("{}", early.output);
                0
            } else {
                eprintln!("error: {}; run {name} --help for how to use it", crate::error::one_line(&early.output));
                crate::error::exit::CONFIG
            };
        }
    };
    let result = match cli.command {
        _ if cli.version => {
            println!("{}", version());
            Ok(0)
        }
        None => Err(Error::Usage(format!("no command given; run {name} --help"))),
        Some(Command::Version(_)) => {
            println!("{}", version());
            Ok(0)
        }
        Some(Command::Run(c)) => run(&c),
        Some(Command::Build(c)) => build(&c),
        Some(Command::Plan(c)) => plan_cmd(&c),
        Some(Command::Validate(c)) => validate(&c),
        Some(Command::GenerateSql(c)) => generate_sql(&c),
        Some(Command::Connectors(c)) => connectors(&c),
        Some(Command::Doctor(c)) => doctor(&c),
        Some(Command::Extensions(c)) => extensions(&c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", crate::secret::scrub(&e.to_string()));
            e.exit_code()
        }
    }
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
    let load = config::LoadOptions {
        vars: Vars::default(),
        plugin_dirs: c.plugin_dir.to_vec(),
        attach_timeout: c.attach_timeout.map(seconds).transpose()?,
    };
    let config = config::load(&path, &load)?;
    let database = match c.db {
        Some(p) if p.as_os_str() == ":memory:" => Database::Memory,
        Some(p) => Database::File(std::path::absolute(p).unwrap_or_else(|_| p.clone())),
        None => config.database.clone(),
    };
    let lock_timeout = match c.lock_timeout {
        Some(s) if s == 0.0 => std::time::Duration::ZERO,
        Some(s) => seconds(s)?,
        None => crate::session::DEFAULT_LOCK_TIMEOUT,
    };
    let owned = CommonArgsOwned { extension_dir: c.extension_dir.cloned(), lock_timeout, verbose: c.verbose, quiet: c.quiet };
    Ok((config, database, owned))
}

fn config_path(c: &CommonArgs) -> Result<PathBuf> {
    match (c.config_arg, c.config) {
        (Some(_), Some(_)) => Err(Error::Usage("give the config either as an argument or with --config, not both".into())),
        (Some(p), None) | (None, Some(p)) => Ok(p.clone()),
        (None, None) => Ok(PathBuf::from("duckalog.toml")),
    }
}

struct CommonArgsOwned {
    extension_dir: Option<PathBuf>,
    lock_timeout: std::time::Duration,
    verbose: u8,
    quiet: bool,
}

impl CommonArgsOwned {
    fn open_options(&self, config: &Config, read_only: bool) -> OpenOptions {
        OpenOptions { lock_timeout: self.lock_timeout, ..OpenOptions::for_config(config, read_only, self.extension_dir.clone()) }
    }
}

fn run(c: &RunCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let mut opts = common.open_options(&config, c.read_only);
    opts.force_rebuild = c.force_rebuild;
    opts.jobs = c.jobs.unwrap_or(crate::session::DEFAULT_JOBS).max(1);
    let plan_opts = Options { force_rebuild: c.force_rebuild, prune: c.prune };
    if c.dry_run {
        let actual = catalog::read_state(&database, &opts)?;
        let plan = plan::diff(&config.views, &config.secrets, &actual, plan_opts);
        print!("{}", script::dry_run(&config, &opts, &plan, &actual)?);
        return Ok(0);
    }
    let mut session = Session::new(&config, database, opts);
    let counts = session.reconcile(plan_opts)?;
    match &c.query {
        Some(sql) => {
            log::info!("{}", summary(&counts));
            let timeout = c.query_timeout.map(seconds).transpose()?;
            let answer = crate::query::run(session.connection()?, sql, timeout)?;
            let grid = Grid::from_batches(answer.columns, answer.types, &answer.batches).map_err(Error::Other)?;
            let mut out = std::io::stdout().lock();
            grid.write(c.format, &mut out).map_err(|e| Error::Other(format!("writing the result: {e}")))?;
        }
        None if !common.quiet => println!("{}", summary(&counts)),
        None => {}
    }
    Ok(exit_code(&counts))
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
    let counts = Session::new(&config, database, opts).reconcile(Options { force_rebuild: true, prune: c.prune })?;
    if !common.quiet {
        println!("{}", summary(&counts));
    }
    Ok(exit_code(&counts))
}

fn summary(n: &Counts) -> String {
    let mut s = format!(
        "catalog up to date: {} created, {} replaced, {} unchanged, {} dropped",
        n.created, n.replaced, n.unchanged, n.dropped
    );
    if n.foreign > 0 {
        s.push_str(&format!("; {} not created by duckalog, left alone", n.foreign));
    }
    if n.orphaned > 0 {
        s.push_str(&format!("; {} no longer configured, kept (--prune drops them)", n.orphaned));
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
        s.push_str(&format!("; {} persistent secret(s) no longer configured, kept (--prune deletes them)", n.secrets_orphaned));
    }
    s
}

fn plan_cmd(c: &PlanCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let opts = common.open_options(&config, true);
    let actual = catalog::read_state(&database, &opts)?;
    let plan = plan::diff(&config.views, &config.secrets, &actual, Options { force_rebuild: c.force_rebuild, prune: c.prune });
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
                Action::Foreign => format!("! foreign   {name}: exists but was not created by duckalog; left alone"),
                Action::Conflict => format!("! conflict  {name}: a table of that name exists; run will fail"),
                Action::Drop => format!("- drop      {name}"),
                Action::Orphan => format!("? orphan    {name}: no longer configured (--prune drops it)"),
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
    let opts = OpenOptions::for_config(&config, false, common.extension_dir);
    // The script renders every statement and orders the views, which parses their SQL.
    script::script(&config, &opts, false)?;
    if !common.quiet {
        println!(
            "{}: valid ({} view(s), {} attachment(s), {} secret(s))",
            config.path.display(),
            config.views.len(),
            config.attachments.len(),
            config.secrets.len()
        );
    }
    Ok(0)
}

/// Writes through a temporary file in the same folder, so that a reader never
/// sees half a script.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn doctor(c: &DoctorCmd) -> Result<u8> {
    let (config, database, common) = prepare(c)?;
    let opts = OpenOptions::for_config(&config, c.read_only, common.extension_dir);
    let findings = crate::doctor::run(&config, &database, &opts);
    let rows = findings
        .iter()
        .map(|f| {
            let result = if f.ok { "ok" } else if f.warning { "warn" } else { "FAIL" };
            vec![Some(f.check.clone()), Some(result.to_string()), Some(f.detail.clone())]
        })
        .collect();
    let grid = Grid { columns: vec!["check".into(), "result".into(), "detail".into()], numeric: vec![false; 3], rows };
    grid.write(Format::Table, &mut std::io::stdout().lock()).map_err(|e| Error::Other(e.to_string()))?;
    Ok(if findings.iter().any(|f| f.fails()) { crate::error::exit::DATABASE } else { crate::error::exit::OK })
}

fn extensions(c: &ExtensionsCmd) -> Result<u8> {
    crate::logging::init(0, false);
    let path = c.config.clone().unwrap_or_else(|| PathBuf::from("duckalog.toml"));
    let config = if c.config.is_some() || path.exists() {
        Some(config::load(&path, &config::LoadOptions::default())?)
    } else {
        None
    };
    let opts = match &config {
        Some(cfg) => OpenOptions::for_config(cfg, false, c.extension_dir.clone()),
        None => OpenOptions { extension_dir: crate::extension::choose_dir(c.extension_dir.clone(), None), ..Default::default() },
    };
    let dir = opts.effective_extension_dir().ok_or_else(|| Error::Usage("no extension directory: give --extension-dir".into()))?;
    let needed = || {
        config.as_ref().map(|c| c.all_extensions()).ok_or_else(|| Error::Usage(format!("{} not found: give the config with --config", path.display())))
    };
    match &c.action {
        Some(ExtensionsAction::Install(i)) => {
            let installed = crate::bundle::install(&i.from, &dir).map_err(|m| Error::Database { context: "install".into(), message: m })?;
            for p in installed {
                println!("installed {}", p.display());
            }
            Ok(0)
        }
        Some(ExtensionsAction::Bundle(b)) => {
            let n = crate::bundle::bundle(&needed()?, &dir, &b.out).map_err(|m| Error::Database { context: "bundle".into(), message: m })?;
            println!("{}: {n} extension(s) for DuckDB {} on {}", b.out.display(), crate::extension::DUCKDB_VERSION, crate::extension::platform());
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
                        Status::Embedded => ("embedded".to_string(), "unpacked to the user's cache on first use".to_string()),
                        Status::Found(m) => (format!("found ({} {}, {})", m.duckdb_version, m.platform, m.extension_version), String::new()),
                        Status::WrongBuild(why) => ("WRONG BUILD".to_string(), why.clone()),
                        Status::Missing => ("MISSING".to_string(), "put the file here".to_string()),
                    };
                    let path = n.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                    vec![Some(n.name.clone()), Some(status), Some(format!("{path} {detail}").trim().to_string())]
                })
                .collect();
            let grid = Grid { columns: vec!["extension".into(), "status".into(), "path".into()], numeric: vec![false; 3], rows };
            grid.write(Format::Table, &mut std::io::stdout().lock()).map_err(|e| Error::Other(e.to_string()))?;
            let bad = survey.iter().any(|n| matches!(n.status, Status::Missing | Status::WrongBuild(_)));
            Ok(if bad { crate::error::exit::DATABASE } else { 0 })
        }
    }
}

fn connectors(cmd: &ConnectorsCmd) -> Result<u8> {
    let c = cmd.common();
    crate::logging::init(c.verbose, c.quiet);
    let path = config_path(&c)?;
    // Without a config, only the built-in connectors and --plugin-dir.
    let registry = if c.config_arg.is_some() || c.config.is_some() || path.exists() {
        config::registry(&config::read(&path, &Vars::default())?, &path, c.plugin_dir)?
    } else {
        Registry::with_plugins(c.plugin_dir).map_err(Error::Usage)?
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
    let grid = Grid { columns: vec!["kind".into(), "origin".into(), "extensions".into()], numeric: vec![false; 3], rows };
    grid.write(Format::Table, &mut std::io::stdout().lock()).map_err(|e| Error::Other(e.to_string()))?;
    Ok(0)
}

fn generate_sql(c: &GenerateSqlCmd) -> Result<u8> {
    let (config, _, common) = prepare(c)?;
    let opts = OpenOptions::for_config(&config, false, common.extension_dir);
    let text = script::script(&config, &opts, c.show_secrets)?;
    match &c.output {
        Some(path) => write_atomically(path, &text)
            .map_err(|e| Error::Other(format!("cannot write {}: {e}", path.display())))?,
        None => print!("{text}"),
    }
    Ok(0)
}
