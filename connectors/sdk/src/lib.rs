//! The C ABI between duckalog and connector plugins.
