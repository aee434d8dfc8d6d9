//! Typed values for the string fields and parameters the API documents a
//! list of values for: `hss_api::known`'s open enums, generated from the
//! spec's `x-known-values` (three written by hand). A value this version
//! does not know parses to `Unknown`, which keeps the exact text; none ever
//! fails to parse. A model field with known values reads as its enum
//! through the accessor of the same name (`host.scan_status()`).

pub use hss_api::known::*;
