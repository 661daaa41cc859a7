//! What the fuzz targets share besides `duckalog-core`, which they depend on
//! as any other crate would: the core has no DuckDB in its dependency tree,
//! so the fuzz build never compiles the engine.

pub mod lex;
