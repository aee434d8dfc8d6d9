//! The repairs of `cargo xtask import`: every change to upstream's document
//! is one named pass of [`PASSES`], run in order, each reporting each
//! change with the JSON pointer of the place in the upstream document.
//! The passes are grouped into modules by what they repair.

mod constraints;
mod credentials;
mod paths;
mod refs;
mod sharing;
mod swagger2;
mod types;

use super::Pass;

/// Every pass, in the order it runs.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "swagger2-headers",
        about: "a response header with `type` and no `schema` (Swagger 2) gets a `schema`",
        run: swagger2::swagger2_headers,
    },
    Pass {
        name: "parameter-type",
        about: "a parameter object carrying a `type` beside its `schema` loses the stray `type`; `in: formData` parameters (Swagger 2) become a form request body",
        run: swagger2::parameter_type,
    },
    Pass {
        name: "dangling-refs",
        about: "a parameter `$ref` to nothing is removed; a schema `$ref` to nothing, or a schema that is not an object, becomes any JSON value",
        run: refs::dangling_refs,
    },
    Pass {
        name: "auth-headers",
        about: "`X-Auth-Token` and `X-Security-Token` header parameters become the `token` and `aksk` security schemes",
        run: credentials::auth_headers,
    },
    Pass {
        name: "content-type-header",
        about: "a `Content-Type` header parameter is removed; the request body's media type says it",
        run: credentials::content_type_header,
    },
    Pass {
        name: "scalar-objects",
        about: "`type: object` without properties but with a scalar's format, keywords or example gets the scalar's type; with `items`, `type: array`; a type OpenAPI does not have (`Integer`, `float`, `Bigint`) becomes the one it means",
        run: types::scalar_objects,
    },
    Pass {
        name: "format-without-type",
        about: "a schema with a `format` and no `type` gets the type the format implies",
        run: types::format_without_type,
    },
    Pass {
        name: "boolean-format",
        about: "a numeric `format` on a `boolean` is dropped",
        run: types::boolean_format,
    },
    Pass {
        name: "file-downloads",
        about: "`type: file` (Swagger 2) becomes a binary `application/octet-stream` body",
        run: swagger2::file_downloads,
    },
    Pass {
        name: "timestamps",
        about: "`format: date-time` on millisecond timestamps becomes `integer`/`int64`; other date and uuid formats become plain strings (no chrono or uuid dependency)",
        run: types::timestamps,
    },
    Pass {
        name: "default-types",
        about: "a `default` of the wrong type (an integer default on a string) is converted, or dropped when it cannot be",
        run: types::default_types,
    },
    Pass {
        name: "required-properties",
        about: "`required` names that are not properties are dropped; a property's own `required: true` (JSON Schema draft 3) moves into its parent's list",
        run: constraints::required_properties,
    },
    Pass {
        name: "no-op-constraints",
        about: "`minLength: 0`, `minItems: 0` and match-anything patterns (`^.*$`) are dropped",
        run: constraints::no_op_constraints,
    },
    Pass {
        name: "upstream-text",
        about: "upstream descriptions, summaries and titles are not copied: summaries become the operation id, tags get English names, responses a neutral description; examples with non-ASCII text are dropped, and so are prose defaults, enumerations and misspelt keys; a pattern's non-ASCII characters become `\\uXXXX` escapes",
        run: super::text::upstream_text,
    },
    Pass {
        name: "shared-parameter-schemas",
        about: "a constrained schema that several parameters or request properties of the same name repeat becomes one component schema, so the client has one validating type instead of one per place",
        run: sharing::shared_parameter_schemas,
    },
    Pass {
        name: crate::leniency::NAME,
        about: crate::leniency::ABOUT,
        run: constraints::response_leniency,
    },
    Pass {
        name: "inline-scalars",
        about: "a `$ref` to a component that is a plain scalar (or an array of them) with no constraints is replaced by the scalar, so it is a `String` or `i64` field rather than a newtype",
        run: sharing::inline_scalars,
    },
    Pass {
        name: "examples",
        about: "examples and defaults that do not match their schema are dropped",
        run: constraints::examples,
    },
    Pass {
        name: "prune-components",
        about: "components no imported operation reaches are removed",
        run: refs::prune_components,
    },
    Pass {
        name: "rpc-paths",
        about: "RPC-style paths (`/ListVulScanTaskHost`) become the real path and method from `x-url` and `x-method`; servers come from `info.x-host`; the document becomes OpenAPI 3.0.3",
        run: paths::rpc_paths,
    },
];
