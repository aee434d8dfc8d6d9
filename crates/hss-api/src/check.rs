//! Checking a listed item's JSON against its model without building it.
//!
//! A program that passes items on as the service sent them (`hss
//! scan-task hosts --all -o ndjson`) still wants every item held to the
//! model, but building the model only to drop it costs an allocation per
//! string and array. So each listing's item model has a generated *shape*
//! ([`Checked::Shape`]): the same fields under the same serde attributes,
//! with strings read as [`Str`] and arrays as [`Seq`], which accept what
//! `String` and `Vec` accept and keep nothing. A shape keeps only the
//! fields that tell items apart (the operation's `item_identity`), at
//! their model's type, and gives them back through [`Fields`]. The shapes
//! are built with the `shapes` feature; this module's parts always are.
//!
//! A shape accepts a JSON value exactly when its model does: the derive,
//! the attributes and every other field type are the model's own (the
//! generator copies them; `tests/shapes.rs` holds the two to agreeing).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, SeqAccess, Visitor};

/// A model with a generated shape: what a listing checks its items with
/// when it keeps their text rather than the model.
pub trait Checked {
    /// Accepts exactly the JSON the model accepts and keeps only its
    /// identity fields.
    type Shape: DeserializeOwned + Fields;
}

/// The fields a shape keeps, by their JSON names.
pub trait Fields {
    /// A kept field's value as text (a number in decimal), `None` when the
    /// field is absent or not kept.
    fn text(&self, name: &str) -> Option<Cow<'_, str>>;
}

/// A JSON string, read and not kept: what `String` accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Str;

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl Visitor<'_> for StrVisitor {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Str, E> {
                Ok(Str)
            }
            // `String` takes bytes that are UTF-8 too.
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Str, E> {
                match std::str::from_utf8(bytes) {
                    Ok(_) => Ok(Str),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(bytes), &self)),
                }
            }
        }
        deserializer.deserialize_string(StrVisitor)
    }
}

/// A JSON array whose every element `S` accepts, read and not kept: what
/// `Vec<T>` accepts when `S` is `T`'s shape.
pub struct Seq<S>(PhantomData<fn() -> S>);

impl<S> Default for Seq<S> {
    fn default() -> Self {
        Seq(PhantomData)
    }
}

impl<S> fmt::Debug for Seq<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seq")
    }
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for Seq<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<S>(PhantomData<fn() -> S>);
        impl<'de, S: Deserialize<'de>> Visitor<'de> for SeqVisitor<S> {
            type Value = Seq<S>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seq<S>, A::Error> {
                while seq.next_element::<S>()?.is_some() {}
                Ok(Seq::default())
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

/// A kept field's value as text, for [`Fields::text`].
pub trait AsText {
    /// The value as text, `None` when absent.
    fn as_text(&self) -> Option<Cow<'_, str>>;
}

impl AsText for String {
    fn as_text(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl<T: AsText> AsText for Option<T> {
    fn as_text(&self) -> Option<Cow<'_, str>> {
        self.as_ref()?.as_text()
    }
}

macro_rules! as_text_by_display {
    ($($ty:ty),*) => {$(
        impl AsText for $ty {
            fn as_text(&self) -> Option<Cow<'_, str>> {
                Some(Cow::Owned(self.to_string()))
            }
        }
    )*};
}
as_text_by_display!(i32, i64, u32, u64, f32, f64, bool);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_and_seq_take_what_string_and_vec_take() {
        for json in [
            r#""a""#,
            r#""\u00e9\n""#,
            "1",
            "null",
            "[]",
            r#"["a"]"#,
            r#"["a",1]"#,
            "{}",
            "true",
        ] {
            assert_eq!(
                serde_json::from_str::<Str>(json).is_ok(),
                serde_json::from_str::<String>(json).is_ok(),
                "{json}"
            );
            assert_eq!(
                serde_json::from_str::<Seq<Str>>(json).is_ok(),
                serde_json::from_str::<Vec<String>>(json).is_ok(),
                "{json}"
            );
        }
    }
}
