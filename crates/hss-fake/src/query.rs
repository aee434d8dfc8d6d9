//! Query strings of every operation: one parser with typed getters, so the
//! rules (repeated parameters refused, unknown ones ignored, the paging
//! bounds of [`crate::params`]) hold for all of them alike. Every `Err` is
//! the `error_msg` of an `HSS.0001` answer naming the parameter.

use hss_operations::{Number, Operation};

use crate::params::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MIN_LIMIT, integer, truncate};

/// The decoded parameters of one request that the operation knows.
#[derive(Debug)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

/// `offset` and `limit` as the listings take them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paging {
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

impl Paging {
    /// The part of `items` this page shows: from `offset`, at most `limit`.
    pub(crate) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let rest = items.get(self.offset..).unwrap_or(&[]);
        &rest[..rest.len().min(self.limit)]
    }
}

impl Query {
    /// Keeps the parameters named in `known`; a known one given twice is
    /// refused, unknown ones are ignored (as the gateway does).
    pub(crate) fn parse(raw: &str, known: &[&str]) -> Result<Query, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            if !known.contains(&key.as_ref()) {
                continue;
            }
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(format!("Invalid parameter: {key} is given more than once"));
            }
            pairs.push((key.into_owned(), value.into_owned()));
        }
        Ok(Query { pairs })
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A string of 1 to `max_chars` characters.
    pub(crate) fn string(&self, name: &str, max_chars: usize) -> Result<Option<String>, String> {
        let Some(value) = self.raw(name) else {
            return Ok(None);
        };
        let len = value.chars().count();
        if !(1..=max_chars).contains(&len) {
            return Err(format!(
                "Invalid parameter: {name} must have 1 to {max_chars} characters, it has {len}"
            ));
        }
        Ok(Some(value.to_owned()))
    }

    /// One of `values`.
    pub(crate) fn one_of(&self, name: &str, values: &[&str]) -> Result<Option<String>, String> {
        let Some(value) = self.raw(name) else {
            return Ok(None);
        };
        if !values.contains(&value) {
            return Err(format!(
                "Invalid parameter: {name} must be one of {}, not {:?}",
                values.join(", "),
                truncate(value)
            ));
        }
        Ok(Some(value.to_owned()))
    }

    /// Values of `values` joined by commas (a multiple choice).
    pub(crate) fn any_of(
        &self,
        name: &str,
        values: &[&str],
    ) -> Result<Option<Vec<String>>, String> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        raw.split(',')
            .map(|v| {
                if values.contains(&v) {
                    Ok(v.to_owned())
                } else {
                    Err(format!(
                        "Invalid parameter: {name} must be one or more of {} joined by commas, not {:?}",
                        values.join(", "),
                        truncate(raw)
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An integer from `min` to `max`.
    pub(crate) fn int(&self, name: &str, min: u32, max: u32) -> Result<Option<u32>, String> {
        self.raw(name)
            .map(|v| integer(name, v, min, max))
            .transpose()
    }

    /// The integer parameter `name` of `op`, within the spec's `minimum`
    /// and `maximum` (`hss_operations`).
    pub(crate) fn int_of(&self, op: &Operation, name: &str) -> Result<Option<u32>, String> {
        let bound = |b: Option<Number>, absent: u32| match b {
            Some(Number::Integer(n)) => u32::try_from(n.max(0)).unwrap_or(u32::MAX),
            _ => absent,
        };
        let param = op.param(name);
        let min = bound(param.and_then(|p| p.minimum), 0);
        let max = bound(param.and_then(|p| p.maximum), u32::MAX);
        self.int(name, min, max)
    }

    /// A 64-bit integer from `min` to `max` (timestamps in milliseconds).
    pub(crate) fn int64(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
        let Some(value) = self.raw(name) else {
            return Ok(None);
        };
        value
            .parse::<i64>()
            .ok()
            .filter(|v| (min..=max).contains(v))
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "Invalid parameter: {name} must be an integer from {min} to {max}, not {:?}",
                    truncate(value)
                )
            })
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        match self.raw(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(format!(
                "Invalid parameter: {name} must be true or false, not {:?}",
                truncate(other)
            )),
        }
    }

    /// `offset` (0 to [`MAX_OFFSET`], default 0) and `limit` ([`MIN_LIMIT`]
    /// to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`]), as every listing takes
    /// them.
    pub(crate) fn paging(&self) -> Result<Paging, String> {
        self.paging_from(MIN_LIMIT)
    }

    /// [`Query::paging`] for a listing whose smallest `limit` is `min_limit`.
    pub(crate) fn paging_from(&self, min_limit: u32) -> Result<Paging, String> {
        let offset = self.int("offset", 0, MAX_OFFSET)?.unwrap_or(0);
        let limit = self
            .int("limit", min_limit, MAX_LIMIT)?
            .unwrap_or(DEFAULT_LIMIT);
        Ok(Paging {
            offset: offset as usize,
            limit: limit as usize,
        })
    }

    /// `enterprise_project_id` (1 to 256 characters), `None` when absent.
    pub(crate) fn enterprise_project(&self) -> Result<Option<String>, String> {
        self.string("enterprise_project_id", 256)
    }
}

/// `value`, or the message that `name` is required.
pub(crate) fn required<T>(value: Option<T>, name: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("Invalid parameter: {name} is required"))
}

/// Names every listing knows besides its own filters.
pub(crate) const PAGING: [&str; 3] = ["offset", "limit", "enterprise_project_id"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_getters_name_the_parameter() {
        let q = Query::parse(
            "offset=20&limit=200&type=linux_vul&x=1&flag=true&sev=High,Low&t=1700000000000",
            &["offset", "limit", "type", "flag", "sev", "t"],
        )
        .unwrap();
        assert_eq!(
            q.paging().unwrap(),
            Paging {
                offset: 20,
                limit: 200
            }
        );
        assert_eq!(
            q.one_of("type", &["linux_vul"]).unwrap().as_deref(),
            Some("linux_vul")
        );
        assert_eq!(q.boolean("flag").unwrap(), Some(true));
        assert_eq!(
            q.any_of("sev", &["High", "Low"]).unwrap(),
            Some(vec!["High".to_owned(), "Low".to_owned()])
        );
        assert_eq!(
            q.int64("t", 0, 9_999_999_999_999).unwrap(),
            Some(1_700_000_000_000)
        );
        assert_eq!(q.string("missing", 10).unwrap(), None);
        for (raw, name) in [
            ("limit=9", "limit"),
            ("limit=201", "limit"),
            ("offset=-1", "offset"),
            ("offset=2000001", "offset"),
            ("limit=10&limit=20", "limit"),
        ] {
            let err = Query::parse(raw, &PAGING)
                .and_then(|q| q.paging())
                .unwrap_err();
            assert!(err.contains(name), "{raw}: {err}");
        }
        let q = Query::parse(
            "type=x&flag=yes&sev=High,,Low&s=",
            &["type", "flag", "sev", "s"],
        )
        .unwrap();
        assert!(
            q.one_of("type", &["linux_vul"])
                .unwrap_err()
                .contains("type")
        );
        assert!(q.boolean("flag").unwrap_err().contains("flag"));
        assert!(
            q.any_of("sev", &["High", "Low"])
                .unwrap_err()
                .contains("sev")
        );
        assert!(q.string("s", 10).unwrap_err().contains("s must have"));
        assert_eq!(
            Paging {
                offset: 3,
                limit: 2
            }
            .slice(&[1, 2, 3, 4, 5, 6]),
            &[4, 5]
        );
        assert!(
            Paging {
                offset: 30,
                limit: 2
            }
            .slice(&[1, 2])
            .is_empty()
        );
        assert!(
            required::<u8>(None, "vul_id")
                .unwrap_err()
                .contains("vul_id is required")
        );
    }
}
