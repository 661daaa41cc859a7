//! duckalog's integration tests: one binary, one module per area, and the
//! helpers they share in `common`. Each test runs the built binary on real
//! configs and files, and reads the resulting catalog back with DuckDB.

mod common;

mod catalog_run;
mod clients;
mod concurrency;
mod config_errors;
mod connectors;
mod corpus;
mod crash_safety;
mod doctor;
mod extensions;
mod iceberg;
mod imports;
mod init;
mod nested;
mod offline;
mod one_file;
mod plugins;
mod portable;
mod postgres;
mod python_compat;
mod python_package;
mod query;
mod query_memory;
mod reconnection;
mod rust_api;
mod secret_hygiene;
mod secret_rotation;
mod secrets;
mod shared_lake;
mod shell;
mod types;
