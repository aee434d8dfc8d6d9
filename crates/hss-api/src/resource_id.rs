//! [`ResourceId`], the one type of the spec written by hand.
//!
//! The spec says an ID in a path is 1 to 256 characters and neither `.`
//! nor `..` (`not: {enum: [".", ".."]}`). typify cannot express a denied
//! value together with a length, and a regular expression for it would
//! build a regex engine into every dependent for two string comparisons;
//! so `x-hand-written` in the spec points typify here instead.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use crate::types::error::ConversionError;

/// An ID in a request path (project, task, server or file): 1 to 256
/// characters, not `.` or `..`, which URL parsing would treat as path
/// navigation and so send the request to another endpoint.
///
/// ```
/// use hss_api::ResourceId;
///
/// assert!("2b31ed520xxxxxxebedb6e57xxxxxxxx".parse::<ResourceId>().is_ok());
/// assert!("..".parse::<ResourceId>().is_err());
/// assert!("".parse::<ResourceId>().is_err());
/// ```
#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct ResourceId(String);

/// The longest ID, in characters.
const MAX_CHARS: usize = 256;

impl ResourceId {
    fn check(value: &str) -> Result<(), ConversionError> {
        if value.is_empty() {
            return Err("shorter than 1 characters".into());
        }
        // Counted only when the bytes could exceed it.
        if value.len() > MAX_CHARS && value.chars().count() > MAX_CHARS {
            return Err("longer than 256 characters".into());
        }
        if value == "." || value == ".." {
            return Err("`.` and `..` are refused: they would navigate the request path".into());
        }
        Ok(())
    }
}

impl Deref for ResourceId {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl From<ResourceId> for String {
    fn from(value: ResourceId) -> Self {
        value.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ResourceId {
    type Err = ConversionError;
    fn from_str(value: &str) -> Result<Self, ConversionError> {
        Self::check(value)?;
        Ok(Self(value.to_owned()))
    }
}

impl TryFrom<&str> for ResourceId {
    type Error = ConversionError;
    fn try_from(value: &str) -> Result<Self, ConversionError> {
        value.parse()
    }
}

impl TryFrom<String> for ResourceId {
    type Error = ConversionError;
    fn try_from(value: String) -> Result<Self, ConversionError> {
        Self::check(&value)?;
        Ok(Self(value))
    }
}

impl TryFrom<&String> for ResourceId {
    type Error = ConversionError;
    fn try_from(value: &String) -> Result<Self, ConversionError> {
        value.parse()
    }
}

impl<'de> serde::Deserialize<'de> for ResourceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .try_into()
            .map_err(|e: ConversionError| serde::de::Error::custom(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_in_characters_and_dot_segments() {
        assert!(ResourceId::try_from("é".repeat(256)).is_ok());
        let long = ResourceId::try_from("é".repeat(257)).unwrap_err();
        assert_eq!(long.to_string(), "longer than 256 characters");
        for refused in ["", ".", ".."] {
            assert!(refused.parse::<ResourceId>().is_err(), "{refused:?}");
        }
        for kept in ["...", ".a", "a.", "./", "%2E"] {
            assert_eq!(kept.parse::<ResourceId>().unwrap().as_str(), kept);
        }
    }

    #[test]
    fn serde_is_the_string_and_checks_it() {
        let id: ResourceId = serde_json::from_str("\"task-1\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"task-1\"");
        let err = serde_json::from_str::<ResourceId>("\"..\"").unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
    }
}
