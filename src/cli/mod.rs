//! The command line: arguments (`args`), one module a command (`commands`),
//! what commands share (`setup`) and printing (`output`). Everything else is
//! the library's.

mod args;
mod commands;
mod setup;

use crate::error::{print, Error, Exit};
use argh::FromArgs;
use args::{Cli, Command, ConfigAction, ConfigCmd};

/// Parses the arguments, runs the command and returns the exit code.
pub fn main() -> u8 {
    status().code()
}

fn status() -> Exit {
    let args: Vec<String> = std::env::args().collect();
    let name = args.first().map(|a| a.rsplit('/').next().unwrap_or(a)).unwrap_or("duckalog");
    let rest = expand_short_switches(&args[1.min(args.len())..]);
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let cli = match Cli::from_args(&[name], &rest) {
        Ok(cli) => cli,
        Err(early) => {
            return if early.status.is_ok() {
                let _ = print(&format!("{}\n", early.output));
                Exit::Ok
            } else {
                say_error(&format!(
                    "{}; run {name} --help for how to use it",
                    crate::error::one_line(&early.output)
                ));
                Exit::Config
            };
        }
    };
    let result = match cli.command {
        _ if cli.version => print(&format!("{}\n", version())).map(|()| Exit::Ok),
        None => Err(Error::Usage(format!("no command given; run {name} --help"))),
        Some(Command::Version(_)) => print(&format!("{}\n", version())).map(|()| Exit::Ok),
        Some(Command::Run(c)) => commands::run::run(&c),
        Some(Command::Build(c)) => commands::build::build(&c),
        Some(Command::Plan(c)) => commands::plan::plan_cmd(&c),
        Some(Command::Validate(c)) => commands::validate::validate(&c),
        Some(Command::GenerateSql(c)) => commands::generate_sql::generate_sql(&c),
        Some(Command::Connectors(c)) => commands::connectors::connectors(&c),
        Some(Command::Doctor(c)) => commands::doctor::doctor(&c),
        Some(Command::Extensions(c)) => commands::extensions::extensions(&c),
        Some(Command::Config(ConfigCmd { action: ConfigAction::Show(c) })) => {
            commands::config_show::config_show(&c)
        }
        Some(Command::Convert(c)) => commands::convert::convert(&c),
        Some(Command::Query(c)) => commands::query::query(&c),
        Some(Command::Init(c)) => commands::init::init(&c),
    };
    match result {
        Ok(code) => code,
        Err(Error::OutputClosed) => Exit::Ok,
        Err(e) => {
            say_error(&crate::secrets::scrub(&e.to_string()));
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
    format!("duckalog {} (DuckDB {})", env!("CARGO_PKG_VERSION"), crate::extensions::DUCKDB_VERSION)
}
