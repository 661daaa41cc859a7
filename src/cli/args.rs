//! The command line's arguments: one struct a command, and the options
//! every command shares.

use crate::cli::setup::seconds;
use crate::config;
use crate::error::Result;
use crate::output::Format;
use argh::FromArgs;
use std::path::PathBuf;

#[derive(FromArgs)]
/// Declarative DuckDB catalogs: restore a session's state and keep its views
/// true to a config file.
#[argh(help_triggers("-h", "--help", "help"))]
pub(crate) struct Cli {
    /// print the version and exit
    #[argh(switch, short = 'V')]
    pub(crate) version: bool,
    #[argh(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(FromArgs)]
#[argh(subcommand)]
pub(crate) enum Command {
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
        pub(crate) struct $name {
            /// the config file (TOML, YAML or JSON; default duckalog.toml, or .yaml, .yml, .json)
            #[argh(option, short = 'c')]
            pub(crate) config: Option<PathBuf>,
            /// the database file to use instead of duckdb.database
            #[argh(option)]
            pub(crate) db: Option<PathBuf>,
            /// the folder that holds extension files (<dir>/v1.5.5/<platform>/...)
            #[argh(option)]
            pub(crate) extension_dir: Option<PathBuf>,
            /// a folder of connector plugins to load (repeatable)
            #[argh(option)]
            pub(crate) plugin_dir: Vec<PathBuf>,
            /// seconds each attachment may take, instead of its configured timeout
            #[argh(option)]
            pub(crate) attach_timeout: Option<f64>,
            /// seconds to wait while another process holds the database's lock (default 30; 0 fails at once)
            #[argh(option)]
            pub(crate) lock_timeout: Option<f64>,
            /// more log output (-v info, -vv debug, -vvv trace)
            #[argh(switch, short = 'v')]
            pub(crate) verbose: u8,
            /// print errors only
            #[argh(switch)]
            pub(crate) quiet: bool,
            /// do not read .env files
            #[argh(switch)]
            pub(crate) no_dotenv: bool,
            $($body)*
            /// the config file (TOML, YAML or JSON; default duckalog.toml, or .yaml, .yml, .json)
            #[argh(positional, arg_name = "config")]
            pub(crate) config_arg: Option<PathBuf>,
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

pub(crate) struct CommonArgs<'a> {
    pub(crate) config_arg: Option<&'a PathBuf>,
    pub(crate) config: Option<&'a PathBuf>,
    pub(crate) db: Option<&'a PathBuf>,
    pub(crate) extension_dir: Option<&'a PathBuf>,
    pub(crate) plugin_dir: &'a [PathBuf],
    pub(crate) attach_timeout: Option<f64>,
    pub(crate) lock_timeout: Option<f64>,
    pub(crate) verbose: u8,
    pub(crate) quiet: bool,
    pub(crate) no_dotenv: bool,
}

impl CommonArgs<'_> {
    pub(crate) fn load_options(&self) -> Result<config::LoadOptions> {
        Ok(config::LoadOptions {
            no_dotenv: self.no_dotenv,
            plugin_dirs: self.plugin_dir.to_vec(),
            attach_timeout: self.attach_timeout.map(seconds).transpose()?,
        })
    }
}

pub(crate) trait Common {
    fn common(&self) -> CommonArgs<'_>;
}

command! {
    /// Open the catalog, restore its session state and bring its views up to date.
    #[argh(subcommand, name = "run")]
    struct RunCmd {
        /// run this SQL statement afterwards and print its result
        #[argh(option, short = 'q')]
        pub(crate) query: Option<String>,
        /// how to print the query result: table, csv or json
        #[argh(option, default = "Format::Table")]
        pub(crate) format: Format,
        /// recreate every configured view, and take over same-named views duckalog did not create
        #[argh(switch)]
        pub(crate) force_rebuild: bool,
        /// drop views that duckalog created and the config no longer names
        #[argh(switch)]
        pub(crate) prune: bool,
        /// open the database read-only: restore the session, change no view
        #[argh(switch)]
        pub(crate) read_only: bool,
        /// print the statements run would execute, and execute none
        #[argh(switch)]
        pub(crate) dry_run: bool,
        /// how many attachments to restore at once (default 32)
        #[argh(option)]
        pub(crate) jobs: Option<usize>,
        /// seconds the --query statement may take before it is interrupted
        #[argh(option)]
        pub(crate) query_timeout: Option<f64>,
        /// then open a SQL shell on the session (statements from standard
        /// input when it is not a terminal)
        #[argh(switch, short = 'i')]
        pub(crate) interactive: bool,
    }
}

command! {
    /// Run one SQL statement on the catalog opened read-only, with its session
    /// restored and nothing changed, and print the result.
    #[argh(subcommand, name = "query")]
    struct QueryCmd {
        /// the SQL statement
        #[argh(positional)]
        pub(crate) sql: String,
        /// how to print the result: table, csv or json
        #[argh(option, default = "Format::Table")]
        pub(crate) format: Format,
        /// seconds the statement may take before it is interrupted
        #[argh(option)]
        pub(crate) query_timeout: Option<f64>,
    }
}

#[derive(FromArgs)]
/// Write a commented starter config and a small sample data file
/// (data/sample.csv beside it) that `duckalog run` builds right away.
#[argh(subcommand, name = "init")]
pub(crate) struct InitCmd {
    /// the config to write (default duckalog.toml, or duckalog.yaml)
    #[argh(option, short = 'o')]
    pub(crate) output: Option<PathBuf>,
    /// toml or yaml (default: from --output's extension, else toml)
    #[argh(option)]
    pub(crate) format: Option<crate::init::Format>,
    /// overwrite files that exist
    #[argh(switch)]
    pub(crate) force: bool,
}

command! {
    /// Recreate every configured view (the same as run --force-rebuild).
    #[argh(subcommand, name = "build")]
    struct BuildCmd {
        /// drop views that duckalog created and the config no longer names
        #[argh(switch)]
        pub(crate) prune: bool,
    }
}

command! {
    /// Show what run would change, touching nothing.
    #[argh(subcommand, name = "plan")]
    struct PlanCmd {
        /// plan as run --force-rebuild would
        #[argh(switch)]
        pub(crate) force_rebuild: bool,
        /// plan as run --prune would
        #[argh(switch)]
        pub(crate) prune: bool,
        /// exit with 1 when changes are pending
        #[argh(switch)]
        pub(crate) exit_code: bool,
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
        pub(crate) output: Option<PathBuf>,
        /// print secret values instead of '***'
        #[argh(switch)]
        pub(crate) show_secrets: bool,
        /// print only what a DuckDB client runs on the catalog to have its
        /// session: extensions, settings, temporary secrets, attachments
        #[argh(switch)]
        pub(crate) session: bool,
        /// with --session: sql (the default, an init file) or json (each
        /// statement with what it restores, for programs)
        #[argh(option, default = "String::from(\"sql\")")]
        pub(crate) format: String,
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
        pub(crate) read_only: bool,
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
pub(crate) struct ExtensionsCmd {
    /// the config file (default duckalog.toml)
    #[argh(option, short = 'c')]
    pub(crate) config: Option<PathBuf>,
    /// the extension directory (<dir>/v1.5.5/<platform>/...)
    #[argh(option)]
    pub(crate) extension_dir: Option<PathBuf>,
    #[argh(subcommand)]
    pub(crate) action: Option<ExtensionsAction>,
}

#[derive(FromArgs)]
#[argh(subcommand)]
pub(crate) enum ExtensionsAction {
    Install(ExtensionsInstall),
    Bundle(ExtensionsBundle),
}

#[derive(FromArgs)]
/// Install extension files from a folder, a PyPI wheel (.whl), or a bundle
/// (.tar.gz) made by `extensions bundle`, after checking that each was built
/// for this DuckDB version and platform.
#[argh(subcommand, name = "install")]
pub(crate) struct ExtensionsInstall {
    /// where the files come from
    #[argh(option)]
    pub(crate) from: PathBuf,
}

#[derive(FromArgs)]
/// Pack the extensions the config needs, with checksums, into one file to
/// carry to a machine without network.
#[argh(subcommand, name = "bundle")]
pub(crate) struct ExtensionsBundle {
    /// the bundle to write (.tar.gz)
    #[argh(option)]
    pub(crate) out: PathBuf,
}

#[derive(FromArgs)]
/// Look at a config as duckalog reads it.
#[argh(subcommand, name = "config")]
pub(crate) struct ConfigCmd {
    #[argh(subcommand)]
    pub(crate) action: ConfigAction,
}

#[derive(FromArgs)]
#[argh(subcommand)]
pub(crate) enum ConfigAction {
    Show(ConfigShow),
}

command! {
    /// Print the config with its imports merged and its variables filled in;
    /// credentials are masked. Checks it as validate does.
    #[argh(subcommand, name = "show")]
    struct ConfigShow {
        /// also list which file each view, attachment, secret and catalog comes from
        #[argh(switch)]
        pub(crate) sources: bool,
        /// toml (the default), yaml or json
        #[argh(option, default = "String::from(\"toml\")")]
        pub(crate) format: String,
    }
}

#[derive(FromArgs)]
/// Rewrite a config written for the Python duckalog tool (YAML or JSON) as
/// an equivalent duckalog.toml, with comments on whatever changed meaning.
#[argh(subcommand, name = "convert")]
pub(crate) struct ConvertCmd {
    /// the YAML or JSON config to convert
    #[argh(positional)]
    pub(crate) input: PathBuf,
    /// where to write (default: duckalog.toml beside the input; - for standard output)
    #[argh(option, short = 'o')]
    pub(crate) output: Option<PathBuf>,
    /// replace the output file if it exists
    #[argh(switch)]
    pub(crate) force: bool,
}

#[derive(FromArgs)]
/// Print the version.
#[argh(subcommand, name = "version")]
pub(crate) struct VersionCmd {}
