//! `${env:NAME}` and `${env:NAME:default}` in string values.
//!
//! Every string value of a config file is interpolated once, while the file
//! is deserialized: [`Interpolating`] wraps the format's deserializer, so an
//! error (a missing variable, an interpolated value of the wrong type) still
//! carries the key path and line the parser knows. Keys are never
//! interpolated, and an interpolated value is never scanned again.

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use std::collections::HashMap;
use std::fmt;

/// Where `${env:...}` values come from: the process environment, over any
/// values loaded from files.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// Values from `.env` files, used where the environment has none.
    pub overlay: HashMap<String, String>,
}

impl Vars {
    /// The value of variable `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().or_else(|| self.overlay.get(name).cloned())
    }
}

/// Replaces every `${env:NAME[:default]}` in `text`. Other `$` forms are kept
/// as written; the result is not scanned again.
pub fn interpolate(text: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${env:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 6..];
        let Some((name, default, used)) = parse_placeholder(after) else {
            out.push_str("${env:");
            rest = after;
            continue;
        };
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
    out.push_str(rest);
    Ok(out)
}

fn has_placeholder(text: &str) -> bool {
    text.contains("${env:")
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

/// A deserializer that hands on every string value interpolated with `vars`.
pub struct Interpolating<'v, D> {
    de: D,
    vars: &'v Vars,
}

impl<'v, D> Interpolating<'v, D> {
    /// Wraps `de`.
    pub fn new(de: D, vars: &'v Vars) -> Self {
        Interpolating { de, vars }
    }
}

/// The same wrapping for what a visitor, a seed or an access is given.
struct Wrap<'v, T> {
    inner: T,
    vars: &'v Vars,
}

impl<'v, T> Wrap<'v, T> {
    fn of<U>(&self, inner: U) -> Wrap<'v, U> {
        Wrap { inner, vars: self.vars }
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* v: V) -> Result<V::Value, D::Error> {
            self.de.$method($($arg,)* Wrap { inner: v, vars: self.vars })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Interpolating<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any(); deserialize_bool(); deserialize_i8(); deserialize_i16();
        deserialize_i32(); deserialize_i64(); deserialize_i128(); deserialize_u8();
        deserialize_u16(); deserialize_u32(); deserialize_u64(); deserialize_u128();
        deserialize_f32(); deserialize_f64(); deserialize_char(); deserialize_str();
        deserialize_string(); deserialize_bytes(); deserialize_byte_buf();
        deserialize_option(); deserialize_unit(); deserialize_seq(); deserialize_map();
        deserialize_identifier(); deserialize_ignored_any();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! pass {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    pass! {
        visit_bool(bool); visit_i8(i8); visit_i16(i16); visit_i32(i32); visit_i64(i64);
        visit_i128(i128); visit_u8(u8); visit_u16(u16); visit_u32(u32); visit_u64(u64);
        visit_u128(u128); visit_f32(f32); visit_f64(f64); visit_char(char);
        visit_bytes(&[u8]); visit_borrowed_bytes(&'de [u8]); visit_byte_buf(Vec<u8>);
    }

    // A string without a placeholder is handed on as it came, uncopied.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if has_placeholder(v) {
            self.inner.visit_string(interpolate(v, self.vars).map_err(E::custom)?)
        } else {
            self.inner.visit_str(v)
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        if has_placeholder(v) {
            self.visit_str(v)
        } else {
            self.inner.visit_borrowed_str(v)
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        if has_placeholder(&v) {
            self.visit_str(&v)
        } else {
            self.inner.visit_string(v)
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Interpolating::new(d, self.vars))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Interpolating::new(d, self.vars))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let seq = self.of(seq);
        self.inner.visit_seq(seq)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.of(map);
        self.inner.visit_map(map)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        let data = self.of(data);
        self.inner.visit_enum(data)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Interpolating::new(d, self.vars))
    }
}

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let seed = self.of(seed);
        self.inner.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    /// Keys are taken as written.
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        let seed = self.of(seed);
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'v, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Wrap<'v, A> {
    type Error = A::Error;
    type Variant = Wrap<'v, A::Variant>;

    /// The variant's name is taken as written; its content is interpolated.
    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let vars = self.vars;
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((value, Wrap { inner: variant, vars }))
    }
}

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Wrap<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        let seed = self.of(seed);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        let v = self.of(v);
        self.inner.tuple_variant(len, v)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        let v = self.of(v);
        self.inner.struct_variant(fields, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars { overlay: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    #[test]
    fn substitutes_names_and_defaults() {
        let v = vars(&[("DKL_TEST_A", "x")]);
        let i = |text| interpolate(text, &v);
        assert_eq!(i("a-${env:DKL_TEST_A}-b").unwrap(), "a-x-b");
        assert_eq!(i("${env:DKL_TEST_MISSING:dflt}").unwrap(), "dflt");
        assert_eq!(i("${env:DKL_TEST_MISSING:}").unwrap(), "");
        assert_eq!(i("$HOME ${NAME} ${env:1X}").unwrap(), "$HOME ${NAME} ${env:1X}");
        let err = i("${env:DKL_TEST_MISSING}").unwrap_err();
        assert!(err.contains("DKL_TEST_MISSING is not set"), "{err}");
    }

    #[test]
    fn does_not_rescan_substituted_text() {
        let v = vars(&[("DKL_TEST_B", "${env:DKL_TEST_C}"), ("DKL_TEST_C", "no")]);
        assert_eq!(interpolate("${env:DKL_TEST_B}", &v).unwrap(), "${env:DKL_TEST_C}");
    }

    #[derive(Deserialize, Debug, PartialEq)]
    enum Shape {
        Named { label: String },
        Plain(String),
    }

    #[derive(Deserialize, Debug)]
    struct Doc {
        text: String,
        list: Vec<String>,
        maybe: Option<String>,
        table: HashMap<String, String>,
        shape: Shape,
        other: Shape,
        #[serde(deserialize_with = "crate::lax::u32")]
        port: u32,
    }

    #[test]
    fn every_string_value_and_no_key() {
        let v = vars(&[("DKL_T", "v"), ("DKL_N", "42")]);
        let text = r#"
            text = "<${env:DKL_T}>"
            list = ["${env:DKL_T}", "x"]
            maybe = "${env:DKL_T}"
            port = "${env:DKL_N}"
            shape = { Named = { label = "${env:DKL_T}" } }
            other = { Plain = "${env:DKL_T}" }
            [table]
            "${env:DKL_T}" = "${env:DKL_T}"
        "#;
        let doc = Doc::deserialize(Interpolating::new(toml::Deserializer::new(text), &v)).unwrap();
        assert_eq!(
            (doc.text.as_str(), doc.list[0].as_str(), doc.maybe.as_deref()),
            ("<v>", "v", Some("v"))
        );
        assert_eq!(doc.table.get("${env:DKL_T}").map(String::as_str), Some("v"));
        assert_eq!(doc.shape, Shape::Named { label: "v".into() });
        assert_eq!(doc.other, Shape::Plain("v".into()));
        assert_eq!(doc.port, 42);
    }
}
