//! MySQL and MariaDB attachments through DuckDB's mysql extension.
