//! Checking JSON request bodies field by field, as the service does: a body
//! that is not a JSON object, a field it does not know, a required field
//! left out, a value of the wrong type or out of its range all get an
//! `HSS.0001` answer whose `error_msg` names the field (`a.b[2].c`). A
//! hand-written reader rather than serde, so that every message says which
//! field and which rule, and `null` reads as absent as the SDKs mean it.

use serde_json::{Map, Value};

use crate::params::truncate;

/// The top-level object of a JSON body; `Err` is the `error_msg`.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("Invalid request body: a JSON object is required".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("Invalid request body: it must be a JSON object".to_owned()),
        Err(e) => Err(format!("Invalid request body: not valid JSON ({e})")),
    }
}

/// The fields of one JSON object being read; [`Fields::finish`] refuses
/// the ones nobody asked for.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
    read: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    /// The fields of `map`, named in messages under `path` (empty for the body).
    pub(crate) fn new(path: &str, map: &'a Map<String, Value>) -> Fields<'a> {
        Fields {
            path: path.to_owned(),
            map,
            read: Vec::new(),
        }
    }

    fn name(&self, field: &str) -> String {
        if self.path.is_empty() {
            field.to_owned()
        } else {
            format!("{}.{field}", self.path)
        }
    }

    fn bad(&self, field: &str, rule: &str) -> String {
        format!("Invalid request body: {} {rule}", self.name(field))
    }

    fn get(&mut self, field: &str) -> Option<&'a Value> {
        let (key, value) = self.map.get_key_value(field)?;
        self.read.push(key.as_str());
        Some(value).filter(|v| !v.is_null())
    }

    /// `value`, or the message that `field` is required.
    pub(crate) fn required<T>(&self, field: &str, value: Option<T>) -> Result<T, String> {
        value.ok_or_else(|| self.bad(field, "is required"))
    }

    /// A string of `min` to `max` characters.
    pub(crate) fn string(
        &mut self,
        field: &str,
        min: usize,
        max: usize,
    ) -> Result<Option<String>, String> {
        let Some(value) = self.get(field) else {
            return Ok(None);
        };
        let Some(text) = value.as_str() else {
            return Err(self.bad(field, "must be a string"));
        };
        check_len(text, min, max).map_err(|rule| self.bad(field, &rule))?;
        Ok(Some(text.to_owned()))
    }

    /// A string among `values`.
    pub(crate) fn one_of(
        &mut self,
        field: &str,
        values: &[&str],
    ) -> Result<Option<String>, String> {
        let Some(text) = self.string(field, 0, 256)? else {
            return Ok(None);
        };
        if !values.contains(&text.as_str()) {
            let rule = format!(
                "must be one of {}, not {:?}",
                values.join(", "),
                truncate(&text)
            );
            return Err(self.bad(field, &rule));
        }
        Ok(Some(text))
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&mut self, field: &str) -> Result<Option<bool>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.bad(field, "must be true or false")),
        }
    }

    /// An integer from `min` to `max`.
    pub(crate) fn int(&mut self, field: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
        let Some(value) = self.get(field) else {
            return Ok(None);
        };
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(self.bad(field, &format!("must be an integer from {min} to {max}"))),
        }
    }

    fn array(
        &mut self,
        field: &str,
        items: (usize, usize),
    ) -> Result<Option<&'a Vec<Value>>, String> {
        let Some(value) = self.get(field) else {
            return Ok(None);
        };
        let Some(list) = value.as_array() else {
            return Err(self.bad(field, "must be an array"));
        };
        if !(items.0..=items.1).contains(&list.len()) {
            let rule = format!(
                "must have {} to {} items, it has {}",
                items.0,
                items.1,
                list.len()
            );
            return Err(self.bad(field, &rule));
        }
        Ok(Some(list))
    }

    /// An array of `items.0` to `items.1` strings, each of `chars.0` to
    /// `chars.1` characters and, when `values` is given, among them.
    pub(crate) fn strings(
        &mut self,
        field: &str,
        items: (usize, usize),
        chars: (usize, usize),
        values: Option<&[&str]>,
    ) -> Result<Option<Vec<String>>, String> {
        let Some(list) = self.array(field, items)? else {
            return Ok(None);
        };
        list.iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{field}[{i}]");
                let text = item
                    .as_str()
                    .ok_or_else(|| self.bad(&at, "must be a string"))?;
                check_len(text, chars.0, chars.1).map_err(|rule| self.bad(&at, &rule))?;
                if let Some(values) = values
                    && !values.contains(&text)
                {
                    let rule = format!(
                        "must be one of {}, not {:?}",
                        values.join(", "),
                        truncate(text)
                    );
                    return Err(self.bad(&at, &rule));
                }
                Ok(text.to_owned())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An array of `items.0` to `items.1` integers from `min` to `max`.
    pub(crate) fn ints(
        &mut self,
        field: &str,
        items: (usize, usize),
        min: i64,
        max: i64,
    ) -> Result<Option<Vec<i64>>, String> {
        let Some(list) = self.array(field, items)? else {
            return Ok(None);
        };
        list.iter()
            .enumerate()
            .map(|(i, item)| match item.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(self.bad(
                    &format!("{field}[{i}]"),
                    &format!("must be an integer from {min} to {max}"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An array of `items.0` to `items.1` objects, each to be read (and
    /// finished) by the caller.
    pub(crate) fn objects(
        &mut self,
        field: &str,
        items: (usize, usize),
    ) -> Result<Option<Vec<Fields<'a>>>, String> {
        let Some(list) = self.array(field, items)? else {
            return Ok(None);
        };
        let name = self.name(field);
        list.iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok(Fields::new(&format!("{name}[{i}]"), map)),
                _ => Err(format!(
                    "Invalid request body: {name}[{i}] must be an object"
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// One object, to be read (and finished) by the caller.
    pub(crate) fn object(&mut self, field: &str) -> Result<Option<Fields<'a>>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields::new(&self.name(field), map))),
            Some(_) => Err(self.bad(field, "must be an object")),
        }
    }

    /// An array of `items.0` to `items.1` pairs of strings (`[["a", "b"], ...]`),
    /// each string of 1 to `max_chars` characters.
    pub(crate) fn string_pairs(
        &mut self,
        field: &str,
        items: (usize, usize),
        max_chars: usize,
    ) -> Result<Option<Vec<(String, String)>>, String> {
        let Some(list) = self.array(field, items)? else {
            return Ok(None);
        };
        list.iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{field}[{i}]");
                let pair = match item.as_array().map(Vec::as_slice) {
                    Some([a, b]) => (a.as_str(), b.as_str()),
                    _ => return Err(self.bad(&at, "must be an array of two strings")),
                };
                let (Some(a), Some(b)) = pair else {
                    return Err(self.bad(&at, "must be an array of two strings"));
                };
                for text in [a, b] {
                    check_len(text, 1, max_chars).map_err(|rule| self.bad(&at, &rule))?;
                }
                Ok((a.to_owned(), b.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Refuses every field that was not read: the service rejects what it
    /// does not know, and a typo must not pass as "not given".
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.map.keys().find(|k| !self.read.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(format!(
                "Invalid request body: unknown field {}",
                self.name(&truncate(unknown))
            )),
        }
    }
}

fn check_len(text: &str, min: usize, max: usize) -> Result<(), String> {
    let len = text.chars().count();
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(format!("must have {min} to {max} characters, it has {len}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses_with_the_field_named() {
        assert!(
            parse_object(b"")
                .unwrap_err()
                .contains("JSON object is required")
        );
        assert!(parse_object(b"[1]").unwrap_err().contains("JSON object"));
        assert!(parse_object(b"{").unwrap_err().contains("not valid JSON"));
        let map = parse_object(
            br#"{"a": "x", "n": 5, "b": true, "l": ["linux_vul"], "o": [{"k": "v"}], "p": [["f", "T"]], "z": null}"#,
        )
        .unwrap();
        let mut f = Fields::new("", &map);
        assert_eq!(f.string("a", 1, 3).unwrap().as_deref(), Some("x"));
        assert_eq!(f.int("n", 0, 10).unwrap(), Some(5));
        assert_eq!(f.boolean("b").unwrap(), Some(true));
        assert_eq!(
            f.strings("l", (1, 2), (1, 32), Some(&["linux_vul"]))
                .unwrap()
                .unwrap(),
            ["linux_vul"]
        );
        let mut items = f.objects("o", (1, 5)).unwrap().unwrap();
        let mut item = items.remove(0);
        assert_eq!(item.string("k", 1, 5).unwrap().as_deref(), Some("v"));
        item.finish().unwrap();
        assert_eq!(
            f.string_pairs("p", (1, 5), 10).unwrap().unwrap(),
            [("f".into(), "T".into())]
        );
        assert_eq!(f.string("z", 1, 5).unwrap(), None);
        f.finish().unwrap();

        let mut f = Fields::new("", &map);
        assert!(
            f.string("n", 0, 5)
                .unwrap_err()
                .contains("n must be a string")
        );
        assert!(
            f.int("a", 0, 5)
                .unwrap_err()
                .contains("a must be an integer")
        );
        assert!(f.int("n", 0, 4).unwrap_err().contains("from 0 to 4"));
        assert!(
            f.strings("l", (2, 3), (1, 32), None)
                .unwrap_err()
                .contains("2 to 3 items")
        );
        assert!(
            f.strings("l", (1, 3), (1, 32), Some(&["x"]))
                .unwrap_err()
                .contains("l[0] must be one of")
        );
        assert!(
            f.one_of("a", &["y"])
                .unwrap_err()
                .contains("a must be one of y")
        );
        assert!(
            f.required::<u8>("q", None)
                .unwrap_err()
                .contains("q is required")
        );
        let mut items = f.objects("o", (1, 5)).unwrap().unwrap();
        items[0].string("other", 0, 5).unwrap();
        assert!(
            items
                .remove(0)
                .finish()
                .unwrap_err()
                .contains("unknown field o[0].k")
        );
        assert!(f.finish().unwrap_err().contains("unknown field"));
    }
}
