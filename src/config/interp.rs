//! `${env:NAME}` and `${env:NAME:default}` in string values.
//!
//! Interpolation happens while the file is deserialized, so that an error
//! (a missing variable, an interpolated value of the wrong type) still carries
//! the key path and line that the parser knows. The variables in force are set
//! for the duration of one load with [`with_vars`].

use serde::de::{Deserializer, Visitor};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

/// Where `${env:...}` values come from: the process environment, over any
/// values loaded from files.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub overlay: HashMap<String, String>,
}

impl Vars {
    pub fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().or_else(|| self.overlay.get(name).cloned())
    }
}

thread_local! {
    static VARS: RefCell<Option<Vars>> = const { RefCell::new(None) };
}

/// Runs `f` with `vars` as the source of interpolated values.
pub fn with_vars<T>(vars: &Vars, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<Vars>);
    impl Drop for Reset {
        fn drop(&mut self) {
            VARS.with(|v| *v.borrow_mut() = self.0.take());
        }
    }
    let previous = VARS.with(|v| v.borrow_mut().replace(vars.clone()));
    let _reset = Reset(previous);
    f()
}

/// Replaces every `${env:NAME[:default]}` in `text`. Other `$` forms are kept
/// as written; the result is not scanned again.
pub fn interpolate(text: &str) -> Result<String, String> {
    if !text.contains("${env:") {
        return Ok(text.to_string());
    }
    let vars = VARS.with(|v| v.borrow().clone()).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${env:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 6..];
        match parse_placeholder(after) {
            Some((name, default, used)) => {
                match vars.get(name).or_else(|| default.map(str::to_string)) {
                    Some(value) => out.push_str(&value),
                    None => {
                        return Err(format!(
                            "environment variable {name} is not set (set it, or give a default: ${{env:{name}:default}})"
                        ))
                    }
                }
                rest = &after[used..];
            }
            None => {
                out.push_str("${env:");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `NAME}` or `NAME:default}`; returns the name, the default and the
/// number of bytes used.
fn parse_placeholder(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let name_len = s
        .char_indices()
        .take_while(|&(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &s[..name_len];
    match s[name_len..].chars().next()? {
        '}' => Some((name, None, name_len + 1)),
        ':' => {
            let tail = &s[name_len + 1..];
            let end = tail.find('}')?;
            Some((name, Some(&tail[..end]), name_len + 1 + end + 1))
        }
        _ => None,
    }
}

/// serde helpers for fields that take interpolated values. Numbers and
/// booleans may also be given as strings, since `${env:...}` yields text.
pub mod de {
    use super::*;

    pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let raw = String::deserialize(d)?;
        interpolate(&raw).map_err(serde::de::Error::custom)
    }

    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|raw| interpolate(&raw).map_err(serde::de::Error::custom))
            .transpose()
    }

    pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|raw| interpolate(raw).map_err(serde::de::Error::custom))
            .collect()
    }

    pub fn opt_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        strings(d).map(Some)
    }

    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(Lax::<bool>::new(INTERPOLATE))
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_option(OptLax::<bool>(Lax::new(INTERPOLATE)))
    }

    pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        d.deserialize_any(Lax::<u32>::new(INTERPOLATE))
    }

    pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        d.deserialize_option(OptLax::<u32>(Lax::new(INTERPOLATE)))
    }

    /// Seconds, whole or not, as a duration.
    pub fn opt_seconds<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<std::time::Duration>, D::Error> {
        seconds(d.deserialize_option(OptLax::<f64>(Lax::new(INTERPOLATE)))?)
    }

    fn seconds<E: serde::de::Error>(secs: Option<f64>) -> Result<Option<std::time::Duration>, E> {
        match secs {
            Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
                Ok(Some(std::time::Duration::from_secs_f64(s)))
            }
            Some(_) => Err(E::custom("expected a positive number of seconds")),
            None => Ok(None),
        }
    }

    pub fn opt_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
        d.deserialize_option(OptLax::<u16>(Lax::new(INTERPOLATE)))
    }

    /// Interpolation happens here, while the file is read.
    const INTERPOLATE: bool = true;

    /// The same reading of numbers and booleans for a connector's table,
    /// whose strings were interpolated while the file was read: a value is
    /// never expanded twice, so `${env:...}` that came from a `.env` value
    /// stays as written.
    pub mod lax {
        use super::{seconds, Lax, OptLax};
        use serde::de::Deserializer;

        pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
            d.deserialize_any(Lax::<bool>::new(false))
        }

        pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
            d.deserialize_option(OptLax::<bool>(Lax::new(false)))
        }

        pub fn opt_seconds<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<std::time::Duration>, D::Error> {
            seconds(d.deserialize_option(OptLax::<f64>(Lax::new(false)))?)
        }

        pub fn opt_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
            d.deserialize_option(OptLax::<u16>(Lax::new(false)))
        }

        pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
            d.deserialize_option(OptLax::<u32>(Lax::new(false)))
        }
    }

    use serde::Deserialize;

    trait FromLax: Sized + std::str::FromStr {
        const EXPECTING: &'static str;
        fn from_bool(_: bool) -> Option<Self> {
            None
        }
        fn from_u64(_: u64) -> Option<Self> {
            None
        }
        fn from_i64(v: i64) -> Option<Self> {
            u64::try_from(v).ok().and_then(Self::from_u64)
        }
        fn from_f64(_: f64) -> Option<Self> {
            None
        }
        fn from_text(text: &str) -> Option<Self> {
            text.parse().ok()
        }
    }

    impl FromLax for bool {
        const EXPECTING: &'static str = "a boolean (true or false)";
        fn from_bool(v: bool) -> Option<Self> {
            Some(v)
        }
        /// YAML 1.1's words too, which the Python tool's YAML reader takes
        /// for booleans (YAML 1.2, read here, leaves them strings).
        fn from_text(text: &str) -> Option<Self> {
            match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => None,
            }
        }
    }

    impl FromLax for f64 {
        const EXPECTING: &'static str = "a number of seconds";
        fn from_u64(v: u64) -> Option<Self> {
            Some(v as f64)
        }
        fn from_f64(v: f64) -> Option<Self> {
            Some(v)
        }
    }

    impl FromLax for u16 {
        const EXPECTING: &'static str = "a port number (1 to 65535)";
        fn from_u64(v: u64) -> Option<Self> {
            u16::try_from(v).ok().filter(|p| *p > 0)
        }
    }

    impl FromLax for u32 {
        const EXPECTING: &'static str = "a whole number";
        fn from_u64(v: u64) -> Option<Self> {
            u32::try_from(v).ok()
        }
    }

    struct Lax<T> {
        interpolate: bool,
        ty: std::marker::PhantomData<T>,
    }

    impl<T> Lax<T> {
        fn new(interpolate: bool) -> Self {
            Lax { interpolate, ty: std::marker::PhantomData }
        }
    }

    impl<'de, T: FromLax> Visitor<'de> for Lax<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<T, E> {
            T::from_bool(v).ok_or_else(|| E::invalid_type(serde::de::Unexpected::Bool(v), &self))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
            T::from_u64(v)
                .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
            T::from_i64(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
            T::from_f64(v).ok_or_else(|| E::invalid_type(serde::de::Unexpected::Float(v), &self))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            let text = if self.interpolate { interpolate(v).map_err(E::custom)? } else { v.into() };
            // The text may hold a secret from the environment: never echo it.
            T::from_text(text.trim()).ok_or_else(|| E::custom(format!("expected {}", T::EXPECTING)))
        }
    }

    struct OptLax<T>(Lax<T>);

    impl<'de, T: FromLax> Visitor<'de> for OptLax<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self.0).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars { overlay: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    #[test]
    fn substitutes_names_and_defaults() {
        let v = vars(&[("DKL_TEST_A", "x")]);
        with_vars(&v, || {
            assert_eq!(interpolate("a-${env:DKL_TEST_A}-b").unwrap(), "a-x-b");
            assert_eq!(interpolate("${env:DKL_TEST_MISSING:dflt}").unwrap(), "dflt");
            assert_eq!(interpolate("${env:DKL_TEST_MISSING:}").unwrap(), "");
            assert_eq!(interpolate("$HOME ${NAME} ${env:1X}").unwrap(), "$HOME ${NAME} ${env:1X}");
            let err = interpolate("${env:DKL_TEST_MISSING}").unwrap_err();
            assert!(err.contains("DKL_TEST_MISSING is not set"), "{err}");
        });
    }

    #[test]
    fn does_not_rescan_substituted_text() {
        let v = vars(&[("DKL_TEST_B", "${env:DKL_TEST_C}"), ("DKL_TEST_C", "no")]);
        with_vars(&v, || {
            assert_eq!(interpolate("${env:DKL_TEST_B}").unwrap(), "${env:DKL_TEST_C}")
        });
    }
}
