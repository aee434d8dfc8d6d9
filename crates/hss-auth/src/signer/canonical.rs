//! The canonical request of `SDK-HMAC-SHA256` and the pieces it is made of.
//!
//! Pure functions over text and bytes, shared by the signer and the verifier
//! so the two can never disagree.

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::{ALGORITHM, SignError, X_SDK_CONTENT_SHA256};

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded: Python's
/// `quote(s, safe='~')` as the official signer calls it, and
/// `quote(s, safe='')` as its client encodes path parameters.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Hex SHA-256 of the empty string, the payload hash of a request without a
/// body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Percent-encodes `value` keeping only `A-Z a-z 0-9 - _ . ~` (UTF-8 bytes,
/// upper-case hex).
///
/// This is how the official SDK puts a path parameter into the URL
/// (`quote(str(v), safe='')`), so a client that builds paths with it sends
/// exactly what the SDK sends. A `/` inside a value becomes `%2F` on the wire
/// (and a plain `/` in the canonical URI, see [`canonical_uri`]).
pub fn encode_component(value: &str) -> String {
    percent_encode(value.as_bytes(), ENCODE_SET).to_string()
}

fn encode_bytes(value: &[u8]) -> String {
    percent_encode(value, ENCODE_SET).to_string()
}

/// The canonical URI of a raw (wire) path.
///
/// The whole path is percent-decoded (bytes that are not UTF-8 become
/// U+FFFD, as Python's `unquote` does), split on `/`, each segment is
/// re-encoded with [`encode_component`], and a trailing `/` is added when
/// missing. So `%2F` inside a path parameter becomes a plain `/` here while
/// the wire keeps `%2F`. An empty path gives `/`.
pub fn canonical_uri(raw_path: &str) -> String {
    let decoded = percent_decode_str(raw_path).decode_utf8_lossy();
    let mut uri = decoded
        .split('/')
        .map(encode_component)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query of a raw (wire) query string, without the `?`.
///
/// Each `&`-separated `k=v` piece is percent-decoded (`+` stays a literal
/// `+`: this client always sends `%20` for a space), the pairs are sorted by
/// key bytes then value bytes, and re-encoded with [`encode_component`]. A
/// piece without `=` has an empty value; empty pieces are ignored.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = raw_query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (
                percent_decode_str(key).collect(),
                percent_decode_str(value).collect(),
            )
        })
        .collect();
    pairs.sort_unstable();
    join_pairs(
        pairs
            .iter()
            .map(|(k, v)| (encode_bytes(k), encode_bytes(v))),
    )
}

/// The canonical query built from decoded `(key, value)` pairs.
///
/// Pairs are sorted by key then value (byte order, which for UTF-8 is the
/// code-point order the official SDK sorts by), and each key and value is
/// encoded with [`encode_component`] (space is `%20`, `*` is `%2A`). This is
/// also exactly the query the official SDK puts on the wire, so a client
/// should set the URL's query to this string; [`super::Signer::sign`]
/// refuses any other query.
pub fn canonical_query_string(pairs: &[(impl AsRef<str>, impl AsRef<str>)]) -> String {
    let mut sorted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    sorted.sort_unstable();
    join_pairs(
        sorted
            .into_iter()
            .map(|(k, v)| (encode_component(k), encode_component(v))),
    )
}

fn join_pairs(pairs: impl Iterator<Item = (String, String)>) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&key);
        out.push('=');
        out.push_str(&value);
    }
    out
}

/// Rewrites `url`'s query into canonical form, reading it the way form
/// encoders write it (`+` is a space, as `reqwest`'s `.query()` and
/// `url::form_urlencoded` produce).
///
/// Use it on a URL built by code that does not know about this signer (for
/// example a generated client) before [`super::Signer::sign`]. An empty query
/// is removed.
pub fn canonicalize_query(url: &mut url::Url) {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.set_query(Some(&canonical_query_string(&pairs)));
    }
}

/// The value the canonical request uses for a header: its text with
/// leading and trailing whitespace removed (Python's `str.strip()`, the same
/// set as [`str::trim`] for the bytes a header value can hold).
pub(crate) fn canonical_header_value(value: &http::HeaderValue) -> std::borrow::Cow<'_, str> {
    match String::from_utf8_lossy(value.as_bytes()) {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_owned()),
    }
}

/// The payload hash, the last line of the canonical request, as the
/// official signer computes it (`Signer._process_hash_payload`):
///
/// - an empty `body` gives [`EMPTY_BODY_SHA256`] (the SDK treats no body,
///   `""` and `b""` alike), whatever the headers say;
/// - else a non-empty `X-Sdk-Content-Sha256` value, trimmed, is used as it
///   is (the SDK's `UNSIGNED-PAYLOAD` for non-JSON bodies): the body itself
///   is then not covered by the signature;
/// - else the lower-case hex SHA-256 of exactly `body`.
///
/// `body` is the bytes on the wire: after any transfer decoding (chunked),
/// before anything parses or re-serialises them.
pub fn payload_hash(headers: &HeaderMap, body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_BODY_SHA256.to_owned();
    }
    if let Some(value) = headers.get(X_SDK_CONTENT_SHA256) {
        // The SDK tests the value for truth: an empty one falls through.
        let value = canonical_header_value(value);
        if !value.is_empty() {
            return value.into_owned();
        }
    }
    hex_sha256(body)
}

pub(crate) fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The canonical request: method, canonical URI, canonical query, canonical
/// headers, signed header list and payload hash, joined with `\n`.
///
/// `signed_headers` are lower-case names in the order they are signed (the
/// signer sorts them); each is written as `name:value` with the value
/// trimmed. The last line is [`payload_hash`] of `headers` and `body`. A name missing from `headers` is written with an empty value
/// and a repeated one with its first value: [`super::Signer::sign`] and
/// [`super::verify`] refuse both before they get here.
pub fn canonical_request(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    signed_headers: &[String],
    body: &[u8],
) -> String {
    let header_lines: Vec<String> = signed_headers
        .iter()
        .map(|name| {
            let value = headers
                .get(name.as_str())
                .map(canonical_header_value)
                .unwrap_or_default();
            format!("{name}:{value}")
        })
        .collect();
    // The SDK joins the lines with `\n` and appends one `\n`, so the block
    // ends in an empty line once the separator below is added.
    let canonical_headers = header_lines.join("\n") + "\n";
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_uppercase(),
        canonical_uri(raw_path),
        canonical_query(raw_query),
        canonical_headers,
        signed_headers.join(";"),
        payload_hash(headers, body),
    )
}

/// The string to sign: algorithm, `X-Sdk-Date` value and the hex SHA-256 of
/// the canonical request, joined with `\n`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex_sha256(canonical_request.as_bytes())
    )
}

/// Hex HMAC-SHA256 of `string_to_sign`, keyed with the secret key's bytes.
pub(crate) fn signature(secret_key: &[u8], string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret_key)
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Formats `at` as an `X-Sdk-Date` value, UTC `YYYYMMDDTHHMMSSZ`.
///
/// Fails for instants whose UTC year is outside 0000..=9999, which the
/// format cannot express.
pub fn format_sdk_date(at: OffsetDateTime) -> Result<String, SignError> {
    let utc = at
        .checked_to_offset(UtcOffset::UTC)
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or(SignError::DateOutOfRange)?;
    Ok(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    ))
}

/// Parses an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC); `None` when it is
/// not exactly that shape or not a real date and time.
pub fn parse_sdk_date(value: &str) -> Option<OffsetDateTime> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(4..6)?).ok()?).ok()?;
    let day = u8::try_from(digits(6..8)?).ok()?;
    let hour = u8::try_from(digits(9..11)?).ok()?;
    let minute = u8::try_from(digits(11..13)?).ok()?;
    let second = u8::try_from(digits(13..15)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_query_vector_from_the_go_sdk() {
        let pairs = [
            ("test", "一 (&=?!#%.*)"),
            ("limit", "1"),
            ("path", "/tmp/123"),
            ("enable", "true"),
            ("multi", "3"),
            ("multi", "1"),
            ("multi", "2"),
        ];
        let expected = "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29";
        assert_eq!(canonical_query_string(&pairs), expected);
        assert_eq!(canonical_query(expected), expected);
    }

    #[test]
    fn canonical_query_from_the_wire_decodes_and_sorts() {
        assert_eq!(canonical_query(""), "");
        assert_eq!(canonical_query("b=2&a=1"), "a=1&b=2");
        // `+` is a literal plus, not a space.
        assert_eq!(canonical_query("q=a+b"), "q=a%2Bb");
        assert_eq!(canonical_query("q=a%20b*"), "q=a%20b%2A");
        assert_eq!(canonical_query("flag&x=1&&"), "flag=&x=1");
        // Only the first `=` separates key and value.
        assert_eq!(canonical_query("k=a=b"), "k=a%3Db");
        // Lower-case hex in, upper-case hex out.
        assert_eq!(canonical_query("k=%e4%b8%80"), "k=%E4%B8%80");
        // Repeated keys keep their values sorted.
        assert_eq!(canonical_query("m=3&m=1&m=2"), "m=1&m=2&m=3");
    }

    #[test]
    fn sorting_happens_before_encoding() {
        // Decoded, `A` (0x41) sorts before `[` (0x5B); encoded, `%5B` would
        // sort first. The SDK sorts the decoded strings.
        assert_eq!(
            canonical_query_string(&[("[", "1"), ("A", "2")]),
            "A=2&%5B=1"
        );
        assert_eq!(canonical_query("%5B=1&A=2"), "A=2&%5B=1");
    }

    #[test]
    fn canonical_uri_rules() {
        assert_eq!(canonical_uri("/v1/abc/vpcs"), "/v1/abc/vpcs/");
        assert_eq!(canonical_uri("/v1/abc/vpcs/"), "/v1/abc/vpcs/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        // `%2F` in a path parameter becomes a real separator.
        assert_eq!(
            canonical_uri("/v5/p/scan-task/a%2Fb/hosts"),
            "/v5/p/scan-task/a/b/hosts/"
        );
        assert_eq!(
            canonical_uri("/a%20b/%E4%B8%80/x*y~z"),
            "/a%20b/%E4%B8%80/x%2Ay~z/"
        );
        assert_eq!(canonical_uri("/a+b"), "/a%2Bb/");
        // Malformed escapes stay literal, so their `%` is encoded.
        assert_eq!(canonical_uri("/a%zz/b%4"), "/a%25zz/b%254/");
        // Bytes that are not UTF-8 become U+FFFD, like Python's unquote.
        assert_eq!(canonical_uri("/a%FFb"), "/a%EF%BF%BDb/");
        assert_eq!(canonical_uri("//x"), "//x/");
    }

    #[test]
    fn encode_component_keeps_only_unreserved() {
        assert_eq!(encode_component("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(encode_component("a/b c+d*e%f"), "a%2Fb%20c%2Bd%2Ae%25f");
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn canonicalize_query_reads_form_encoding() {
        let mut url = url::Url::parse("https://h/p?b=x+y&a=%2B&a=*").unwrap();
        canonicalize_query(&mut url);
        assert_eq!(url.query(), Some("a=%2A&a=%2B&b=x%20y"));
        let mut empty = url::Url::parse("https://h/p?").unwrap();
        canonicalize_query(&mut empty);
        assert_eq!(empty.query(), None);
    }

    #[test]
    fn sdk_date_round_trip() {
        let at = crate::test_util::utc(2019, 11, 15, 3, 36, 55);
        assert_eq!(format_sdk_date(at).unwrap(), "20191115T033655Z");
        assert_eq!(parse_sdk_date("20191115T033655Z"), Some(at));
        // Non-UTC input is converted.
        let plus8 = at.to_offset(UtcOffset::from_hms(8, 0, 0).unwrap());
        assert_eq!(format_sdk_date(plus8).unwrap(), "20191115T033655Z");
        for bad in [
            "",
            "20191115T033655",
            "20191115 033655Z",
            "2019111T033655ZZ",
            "20191332T033655Z",
            "20190230T000000Z",
            "20191115T246000Z",
            "+0191115T033655Z",
            "２0191115T033655Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad:?}");
        }
        let negative = crate::test_util::utc(-1, 1, 1, 0, 0, 0);
        assert!(matches!(
            format_sdk_date(negative),
            Err(SignError::DateOutOfRange)
        ));
        let past_9999 = crate::test_util::utc(9999, 12, 31, 23, 59, 59)
            .replace_offset(UtcOffset::from_hms(-1, 0, 0).unwrap());
        assert!(matches!(
            format_sdk_date(past_9999),
            Err(SignError::DateOutOfRange)
        ));
    }
}
