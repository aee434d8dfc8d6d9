//! The schema keywords xtask knows, in one table: what each constrains,
//! whether it holds sub-schemas, and which jobs care about it. The checks
//! ([`crate::spec`]), the import's repairs, the response leniency policy
//! ([`crate::leniency`]) and the schema walk ([`crate::pointer`]) all ask
//! this table, so a keyword is added or reclassified in one place.

/// What a keyword constrains or holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `type`, `format`, `default`, `nullable`: say what a value is.
    Describes,
    /// A limit on strings (`minLength`).
    StringLimit,
    /// A limit on numbers (`minimum`).
    NumberLimit,
    /// A limit on arrays (`minItems`).
    ArrayLimit,
    /// A limit on objects (`minProperties`).
    ObjectLimit,
    /// A closed list of values (`enum`).
    Values,
    /// Names of properties that must be present (`required`).
    Required,
    /// One sub-schema (`items`, `not`, `additionalProperties`).
    OneSchema,
    /// A map of named sub-schemas (`properties`).
    NamedSchemas,
    /// A list of sub-schemas combined (`allOf`, `oneOf`, `anyOf`).
    Composition,
}

/// One schema keyword.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    pub name: &'static str,
    pub kind: Kind,
    /// A Swagger 2 parameter or header carries it itself, where OpenAPI 3
    /// puts it in the `schema`.
    pub swagger2_inline: bool,
}

const fn kw(name: &'static str, kind: Kind, swagger2_inline: bool) -> Keyword {
    Keyword {
        name,
        kind,
        swagger2_inline,
    }
}

/// Every keyword, in the order messages list them and sub-schemas are
/// walked (`properties`, `items`, `not`, `additionalProperties`, `allOf`,
/// `oneOf`, `anyOf`).
pub const TABLE: [Keyword; 26] = [
    kw("type", Kind::Describes, true),
    kw("format", Kind::Describes, true),
    kw("nullable", Kind::Describes, false),
    kw("default", Kind::Describes, true),
    kw("enum", Kind::Values, true),
    kw("minLength", Kind::StringLimit, true),
    kw("maxLength", Kind::StringLimit, true),
    kw("pattern", Kind::StringLimit, true),
    kw("minimum", Kind::NumberLimit, true),
    kw("maximum", Kind::NumberLimit, true),
    kw("exclusiveMinimum", Kind::NumberLimit, false),
    kw("exclusiveMaximum", Kind::NumberLimit, false),
    kw("multipleOf", Kind::NumberLimit, false),
    kw("minItems", Kind::ArrayLimit, true),
    kw("maxItems", Kind::ArrayLimit, true),
    kw("uniqueItems", Kind::ArrayLimit, false),
    kw("minProperties", Kind::ObjectLimit, false),
    kw("maxProperties", Kind::ObjectLimit, false),
    kw("required", Kind::Required, false),
    kw("properties", Kind::NamedSchemas, false),
    kw("items", Kind::OneSchema, true),
    kw("not", Kind::OneSchema, false),
    kw("additionalProperties", Kind::OneSchema, false),
    kw("allOf", Kind::Composition, false),
    kw("oneOf", Kind::Composition, false),
    kw("anyOf", Kind::Composition, false),
];

fn all() -> impl Iterator<Item = &'static Keyword> {
    TABLE.iter()
}

fn names(pick: impl Fn(&Keyword) -> bool) -> impl Iterator<Item = &'static str> {
    all().filter(move |k| pick(k)).map(|k| k.name)
}

/// Keywords a Swagger 2 parameter or header carries itself.
pub fn swagger2_inline() -> impl Iterator<Item = &'static str> {
    names(|k| k.swagger2_inline)
}

/// Limits on values of any type: what response leniency drops.
pub fn limits() -> impl Iterator<Item = &'static str> {
    names(|k| {
        matches!(
            k.kind,
            Kind::StringLimit | Kind::NumberLimit | Kind::ArrayLimit | Kind::ObjectLimit
        )
    })
}

/// Limits that only make sense on strings or numbers (on a `type: object`
/// they say it is a scalar).
pub fn scalar_limits() -> impl Iterator<Item = &'static str> {
    names(|k| matches!(k.kind, Kind::StringLimit | Kind::NumberLimit))
}

/// Limits on strings.
pub fn string_limits() -> impl Iterator<Item = &'static str> {
    names(|k| k.kind == Kind::StringLimit)
}

/// Keywords that make typify generate a validating type (a newtype that
/// checks its value) rather than a plain scalar.
pub fn validating() -> impl Iterator<Item = &'static str> {
    names(|k| {
        matches!(k.kind, Kind::StringLimit | Kind::Values)
            || (k.kind == Kind::NumberLimit && k.name != "multipleOf")
    })
}

/// `allOf`, `oneOf`, `anyOf`.
pub fn compositions() -> impl Iterator<Item = &'static str> {
    names(|k| k.kind == Kind::Composition)
}

/// Keywords that give an object its shape: properties, a map's values,
/// compositions.
pub fn object_shape() -> impl Iterator<Item = &'static str> {
    names(|k| {
        k.name == "properties" || k.name == "additionalProperties" || k.kind == Kind::Composition
    })
}

/// Keywords that make a schema more than a plain scalar (or a plain array
/// of them, with `items`): limits, values, properties, compositions.
pub fn beyond_plain() -> impl Iterator<Item = &'static str> {
    names(|k| k.kind != Kind::Describes && k.name != "items")
}

/// Keywords whose values are sub-schemas, in walk order.
pub fn subschema_keywords() -> impl Iterator<Item = &'static Keyword> {
    all().filter(|k| {
        matches!(
            k.kind,
            Kind::NamedSchemas | Kind::OneSchema | Kind::Composition
        )
    })
}

/// True when `map` has any of `keywords`.
pub fn has_any<'a>(
    map: &serde_json::Map<String, serde_json::Value>,
    mut keywords: impl Iterator<Item = &'a str>,
) -> bool {
    keywords.any(|k| map.contains_key(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_lists_are_what_each_job_needs() {
        let v = |it: &mut dyn Iterator<Item = &'static str>| it.collect::<Vec<_>>();
        assert_eq!(
            v(&mut limits()),
            [
                "minLength",
                "maxLength",
                "pattern",
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
                "minItems",
                "maxItems",
                "uniqueItems",
                "minProperties",
                "maxProperties"
            ]
        );
        assert_eq!(
            v(&mut validating()),
            [
                "enum",
                "minLength",
                "maxLength",
                "pattern",
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum"
            ]
        );
        assert_eq!(
            v(&mut swagger2_inline()),
            [
                "type",
                "format",
                "default",
                "enum",
                "minLength",
                "maxLength",
                "pattern",
                "minimum",
                "maximum",
                "minItems",
                "maxItems",
                "items"
            ]
        );
        assert_eq!(
            subschema_keywords().map(|k| k.name).collect::<Vec<_>>(),
            [
                "properties",
                "items",
                "not",
                "additionalProperties",
                "allOf",
                "oneOf",
                "anyOf"
            ]
        );
        let names: Vec<&str> = all().map(|k| k.name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a keyword is listed twice");
    }
}
