//! One module a command: what it does with its arguments.

pub(crate) mod build;
pub(crate) mod config_show;
pub(crate) mod connectors;
pub(crate) mod convert;
pub(crate) mod doctor;
pub(crate) mod extensions;
pub(crate) mod generate_sql;
pub(crate) mod init;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod run;
pub(crate) mod validate;
