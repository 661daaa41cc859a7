//! Numbers and booleans as configs give them: also as strings, since a
//! `${env:...}` value is text, and YAML 1.1's `yes`/`no` as the Python
//! tool's YAML reader reads them. For `#[serde(deserialize_with = ...)]`.

use serde::de::{Deserializer, Visitor};
use std::fmt;

/// A boolean, or a string that reads as one.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(Lax::<bool>::new())
}

/// An optional [`bool()`].
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_option(OptLax::<bool>(Lax::new()))
}

/// A whole number that fits 32 bits, or a string that reads as one.
pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(Lax::<u32>::new())
}

/// An optional [`u32()`].
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    d.deserialize_option(OptLax::<u32>(Lax::new()))
}

/// An optional port number (1 to 65535).
pub fn opt_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    d.deserialize_option(OptLax::<u16>(Lax::new()))
}

/// Seconds, whole or not, as a duration.
pub fn opt_seconds<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    match d.deserialize_option(OptLax::<f64>(Lax::new()))? {
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
            Ok(Some(std::time::Duration::from_secs_f64(s)))
        }
        Some(_) => Err(serde::de::Error::custom("expected a positive number of seconds")),
        None => Ok(None),
    }
}

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

struct Lax<T>(std::marker::PhantomData<T>);

impl<T> Lax<T> {
    fn new() -> Self {
        Lax(std::marker::PhantomData)
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
        T::from_u64(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i64(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
        T::from_f64(v).ok_or_else(|| E::invalid_type(serde::de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        // The text may hold a secret from the environment: never echo it.
        T::from_text(v.trim()).ok_or_else(|| E::custom(format!("expected {}", T::EXPECTING)))
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
