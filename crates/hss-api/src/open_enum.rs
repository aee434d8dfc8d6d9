//! The one form of every enum of known values (`crate::known`): a value
//! this version does not know parses to `Unknown`, which keeps the exact
//! text and serializes back to it, so no answer fails to decode and no
//! value is lost on its way back to the service.

use std::fmt;

/// The text of a value this version of the crate does not know.
///
/// Opaque on purpose: it cannot be built from a known value, so a known
/// variant and an `Unknown` never compare unequal for the same text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(pub(crate) String);

impl UnknownValue {
    /// The value exactly as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines a non-exhaustive string enum with an `Unknown` fallback.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as sent.
            Unknown($crate::known::UnknownValue),
        }

        impl $name {
            /// Every value the API documents, in document order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(value) => value.as_str(),
                }
            }

            /// False for a value this version does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// Parses any text; never fails.
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown($crate::open_enum::UnknownValue(other.to_owned())),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(text: &str) -> Self {
                Self::parse(text)
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(text: ::std::string::String) -> Self {
                match Self::parse(&text) {
                    $name::Unknown(_) => $name::Unknown($crate::open_enum::UnknownValue(text)),
                    known => known,
                }
            }
        }

        /// The value as the API writes it, for a model field or a
        /// parameter (which are strings).
        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Unknown(value) => value.0,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, text: &str) -> ::std::result::Result<$name, E> {
                        Ok($name::parse(text))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, text: ::std::string::String) -> ::std::result::Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    use crate::known::{AssetValue, ScanStatus, ScanTaskStatus, VulStatus, VulType};
    use proptest::prelude::*;

    #[test]
    fn documented_values_parse_to_their_variants() {
        let cases: &[(&str, ScanStatus)] = &[
            ("scanning", ScanStatus::Scanning),
            ("success", ScanStatus::Success),
            ("failed", ScanStatus::Failed),
        ];
        for (text, value) in cases {
            assert_eq!(&ScanStatus::parse(text), value);
            assert_eq!(value.as_str(), *text);
            assert!(value.is_known());
        }
        assert_eq!(AssetValue::Important.to_string(), "important");
        assert_eq!("web_cms".parse::<VulType>().unwrap(), VulType::WebCms);
        assert_eq!(
            serde_json::to_string(&VulStatus::FixAfterReboot).unwrap(),
            r#""vul_status_fix_after_reboot""#
        );
        assert_eq!(String::from(ScanTaskStatus::Finished), "finished");
        assert_eq!(VulStatus::KNOWN.len(), 8);
    }

    #[test]
    fn unknown_values_keep_their_exact_text() {
        for text in ["paused", "FAILED", " failed", "", "扫描中"] {
            let value = ScanStatus::parse(text);
            assert!(!value.is_known(), "{text:?}");
            assert_eq!(value.as_str(), text);
            assert_eq!(value, ScanStatus::from(text.to_string()));
            assert_eq!(String::from(value), text);
        }
        let value: VulType = serde_json::from_str("\"container_vul\"").unwrap();
        assert!(matches!(&value, VulType::Unknown(v) if v.as_str() == "container_vul"));
        assert_eq!(serde_json::to_string(&value).unwrap(), "\"container_vul\"");
    }

    #[test]
    fn non_strings_are_a_decode_error_not_a_panic() {
        assert!(serde_json::from_str::<ScanStatus>("42").is_err());
        assert!(serde_json::from_str::<ScanTaskStatus>("null").is_err());
    }

    /// A model field with known values reads as its enum through the
    /// accessor of the same name: the seeds and the generated ones, plain,
    /// required and array fields, known, unknown and missing values.
    #[test]
    fn accessors_read_model_fields_as_their_enums() {
        use crate::known::{ScanRange, Severity};
        use crate::types::{CreateVulnerabilityScanTaskBody, VulHostInfo, VulScanTaskHostInfo};

        let host: VulScanTaskHostInfo = serde_json::from_str(
            r#"{"scan_status":"failed","asset_value":"critical",
                "failed_reasons":[{"vul_type":"linux_vul"},{"vul_type":"container_vul"}],
                "vul_scan_details":[{"vul_type":"urgent_vul","status":"scanning",
                    "scan_vul_list":[{"status":"success"}]}]}"#,
        )
        .unwrap();
        assert_eq!(host.scan_status(), Some(ScanStatus::Failed));
        assert_eq!(host.asset_value().unwrap().as_str(), "critical");
        assert!(!host.asset_value().unwrap().is_known());
        let detail = &host.vul_scan_details[0];
        assert_eq!(detail.status(), Some(ScanStatus::Scanning));
        assert_eq!(detail.scan_vul_list[0].status(), Some(ScanStatus::Success));
        assert_eq!(VulScanTaskHostInfo::default().scan_status(), None);

        let vul_host: VulHostInfo = serde_json::from_str(
            r#"{"status":"vul_status_fix_after_reboot","severity_level":"Critical","host_status":"HIBERNATED"}"#,
        )
        .unwrap();
        assert_eq!(vul_host.status(), Some(VulStatus::FixAfterReboot));
        assert_eq!(vul_host.severity_level(), Some(Severity::Critical));
        assert_eq!(vul_host.host_status().unwrap().as_str(), "HIBERNATED");
        assert_eq!(vul_host.repair_priority(), None);

        // A constrained field is its own string type, parsed from the value.
        let body = CreateVulnerabilityScanTaskBody {
            range_type: Some(ScanRange::SpecificHost.as_str().parse().unwrap()),
            manual_scan_type: vec![
                VulType::LinuxVul.as_str().parse().unwrap(),
                "container_vul".parse().unwrap(),
            ],
            ..Default::default()
        };
        assert_eq!(body.range_type(), Some(ScanRange::SpecificHost));
        assert_eq!(
            body.manual_scan_type(),
            [VulType::LinuxVul, VulType::parse("container_vul")]
        );
    }

    proptest! {
        #[test]
        fn any_string_round_trips(text in any::<String>()) {
            prop_assert_eq!(ScanStatus::parse(&text).as_str().to_owned(), text.clone());
            prop_assert_eq!(String::from(VulStatus::from(text.clone())), text.clone());
            let json = serde_json::to_string(&text).unwrap();
            let status: ScanTaskStatus = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(serde_json::to_string(&status).unwrap(), json);
        }
    }
}
