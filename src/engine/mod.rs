//! The DuckDB side: opening an instance, restoring a session on it,
//! attaching under a watchdog, and answering queries.

pub(crate) mod attach;
pub(crate) mod direct;
pub(crate) mod instance;
pub(crate) mod open;
pub(crate) mod query;
pub(crate) mod restore;

pub(crate) use instance::Instance;
pub(crate) use open::{open, OpenOptions, DEFAULT_JOBS, DEFAULT_LOCK_TIMEOUT};
