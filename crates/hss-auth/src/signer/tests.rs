// Most tests check a signature with `verify` (feature `verify`, on in the
// workspace's tests through hss-fake); without it their helpers go unused.
#![cfg_attr(not(feature = "verify"), allow(dead_code, unused_imports))]

use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;
use secrecy::SecretString;
use url::Url;

use super::*;
use crate::test_util::utc;

const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

fn signed_header_list(headers: &HeaderMap) -> Vec<String> {
    let auth = header_str(headers, "authorization");
    let list = auth
        .split(", ")
        .find_map(|p| p.strip_prefix("SignedHeaders="))
        .unwrap();
    list.split(';').map(str::to_owned).collect()
}

fn vector1_signer() -> Signer {
    Signer::new(AccessKey::new(
        "QTWAOYTTINDUT2QVKYUC",
        "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
    ))
}

#[test]
fn public_vector_1_from_the_signing_guide() {
    let url = Url::parse("https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(X_SDK_DATE, HeaderValue::from_static("20191115T033655Z"));
    // `now` is ignored because X-Sdk-Date is preset.
    let now = utc(2030, 1, 1, 0, 0, 0);
    vector1_signer()
        .sign(&Method::GET, &url, &mut headers, b"", now)
        .unwrap();

    let signed = signed_header_list(&headers);
    assert_eq!(signed, ["content-type", "host", "x-sdk-date"]);
    let canonical = canonical_request(
        "GET",
        url.path(),
        url.query().unwrap(),
        &headers,
        &signed,
        b"",
    );
    assert_eq!(
        canonical,
        "GET\n\
         /v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n\
         limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n\
         content-type:application/json\n\
         host:service.region.example.com\n\
         x-sdk-date:20191115T033655Z\n\
         \n\
         content-type;host;x-sdk-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let sts = string_to_sign("20191115T033655Z", &canonical);
    assert_eq!(
        sts,
        "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    );
    assert_eq!(
        header_str(&headers, "authorization"),
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
    );
    assert_eq!(header_str(&headers, "host"), "service.region.example.com");
    assert!(headers.get(AUTHORIZATION).unwrap().is_sensitive());
}

#[cfg(feature = "verify")]
#[test]
fn public_vector_2_from_the_go_sdk() {
    let mut headers = HeaderMap::new();
    headers.insert(X_SDK_DATE, HeaderValue::from_static("20060102T150405Z"));
    let signed = vec!["x-sdk-date".to_owned()];
    let canonical = canonical_request("GET", "/path", "limit=1", &headers, &signed, b"");
    let sts = string_to_sign("20060102T150405Z", &canonical);
    let sig = canonical::signature(b"SecretKey", &sts);
    let authorization =
        format!("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature={sig}");
    assert_eq!(
        authorization,
        "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
    );

    // The verifier accepts it as a server would (no Host was signed).
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&authorization).unwrap(),
    );
    let at = utc(2006, 1, 2, 15, 4, 5);
    let caller = verify(
        "GET",
        "/path",
        "limit=1",
        &headers,
        b"",
        |ak| (ak == "AccessKey").then(|| SecretString::from("SecretKey")),
        at,
        FIFTEEN_MINUTES,
    )
    .unwrap();
    assert_eq!(caller.access_key, "AccessKey");
    assert_eq!(caller.signed_headers, ["x-sdk-date"]);
    assert_eq!(caller.sdk_date, at);
    assert!(caller.security_token.is_none());
}

fn scan_task_url(task_id: &str) -> Url {
    let mut url = Url::parse("https://hss.cn-north-4.myhuaweicloud.com").unwrap();
    url.set_path(&format!(
        "/v5/{}/vulnerability/scan-task/{}/hosts",
        encode_component("0123456789abcdef"),
        encode_component(task_id)
    ));
    url.set_query(Some(&canonical_query_string(&[
        ("limit", "10"),
        ("offset", "0"),
    ])));
    url
}

#[cfg(feature = "verify")]
fn sk_lookup(ak: &str) -> Option<SecretString> {
    (ak == "QTWAOYTTINDUT2QVKYUC")
        .then(|| SecretString::from("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"))
}

fn sign_scan_task(signer: &Signer, task_id: &str) -> (Url, HeaderMap) {
    let url = scan_task_url(task_id);
    let mut headers = HeaderMap::new();
    headers.insert(X_PROJECT_ID, HeaderValue::from_static("0123456789abcdef"));
    signer
        .sign(
            &Method::GET,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    (url, headers)
}

#[cfg(feature = "verify")]
fn verify_at(
    url: &Url,
    headers: &HeaderMap,
    now: time::OffsetDateTime,
) -> Result<VerifiedCaller, VerifyError> {
    verify(
        "GET",
        url.path(),
        url.query().unwrap_or(""),
        headers,
        b"",
        sk_lookup,
        now,
        FIFTEEN_MINUTES,
    )
}

#[cfg(feature = "verify")]
#[test]
fn slash_in_a_path_parameter_is_a_plain_slash_in_the_canonical_uri() {
    let (url, headers) = sign_scan_task(&vector1_signer(), "a/b c");
    assert_eq!(
        url.path(),
        "/v5/0123456789abcdef/vulnerability/scan-task/a%2Fb%20c/hosts"
    );
    let canonical = canonical_request(
        "GET",
        url.path(),
        url.query().unwrap(),
        &headers,
        &signed_header_list(&headers),
        b"",
    );
    assert_eq!(
        canonical.lines().nth(1),
        Some("/v5/0123456789abcdef/vulnerability/scan-task/a/b%20c/hosts/")
    );
    verify_at(&url, &headers, utc(2024, 1, 1, 0, 0, 0)).unwrap();
}

#[test]
fn sign_sets_date_and_host_and_signs_them() {
    let (_, headers) = sign_scan_task(&vector1_signer(), "t1");
    assert_eq!(header_str(&headers, "x-sdk-date"), "20240101T000000Z");
    assert_eq!(
        header_str(&headers, "host"),
        "hss.cn-north-4.myhuaweicloud.com"
    );
    assert_eq!(
        signed_header_list(&headers),
        ["host", "x-project-id", "x-sdk-date"]
    );
    assert!(headers.get(X_SECURITY_TOKEN).is_none());
}

#[cfg(feature = "verify")]
#[test]
fn temporary_credentials_add_and_sign_the_security_token() {
    let signer = vector1_signer().with_security_token("session-token-value");
    assert!(signer.is_temporary());
    let (url, headers) = sign_scan_task(&signer, "t1");
    let token = headers.get(X_SECURITY_TOKEN).unwrap();
    assert_eq!(token, "session-token-value");
    assert!(token.is_sensitive());
    assert_eq!(
        signed_header_list(&headers),
        ["host", "x-project-id", "x-sdk-date", "x-security-token"]
    );
    let caller = verify_at(&url, &headers, utc(2024, 1, 1, 0, 5, 0)).unwrap();
    assert_eq!(
        caller.security_token.unwrap().expose_secret(),
        "session-token-value"
    );
    // The token is signed: changing it breaks the signature.
    let mut tampered = headers.clone();
    tampered.insert(X_SECURITY_TOKEN, HeaderValue::from_static("other"));
    assert!(matches!(
        verify_at(&url, &tampered, utc(2024, 1, 1, 0, 0, 0)),
        Err(VerifyError::SignatureMismatch)
    ));
}

#[test]
fn host_names_the_port_only_when_it_is_not_the_default() {
    for (url, host) in [
        ("https://127.0.0.1:8443/x", "127.0.0.1:8443"),
        ("http://localhost:8080/x", "localhost:8080"),
        ("http://[::1]:9000/x", "[::1]:9000"),
        ("https://h.example.com:443/x", "h.example.com"),
        ("http://h.example.com:80/x", "h.example.com"),
        ("https://h.example.com:80/x", "h.example.com:80"),
        ("https://H.Example.com/x", "h.example.com"),
    ] {
        let url = Url::parse(url).unwrap();
        let mut headers = HeaderMap::new();
        vector1_signer()
            .sign(
                &Method::GET,
                &url,
                &mut headers,
                b"",
                utc(2024, 1, 1, 0, 0, 0),
            )
            .unwrap();
        assert_eq!(header_str(&headers, "host"), host, "{url}");
        assert!(signed_header_list(&headers).contains(&"host".to_owned()));
    }
}

#[cfg(feature = "verify")]
#[test]
fn preset_host_and_date_are_kept_and_old_authorization_replaced() {
    let url = scan_task_url("t1");
    let mut headers = HeaderMap::new();
    headers.insert(HOST, HeaderValue::from_static("proxy.example.com"));
    headers.insert(X_SDK_DATE, HeaderValue::from_static("20200202T020202Z"));
    headers.insert(AUTHORIZATION, HeaderValue::from_static("stale"));
    vector1_signer()
        .sign(
            &Method::GET,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    assert_eq!(header_str(&headers, "host"), "proxy.example.com");
    assert_eq!(header_str(&headers, "x-sdk-date"), "20200202T020202Z");
    assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
    assert!(header_str(&headers, "authorization").starts_with("SDK-HMAC-SHA256 Access="));
    verify_at(&url, &headers, utc(2020, 2, 2, 2, 2, 2)).unwrap();
}

#[cfg(feature = "verify")]
#[test]
fn values_are_signed_and_sent_trimmed() {
    let url = scan_task_url("t1");
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, HeaderValue::from_str("  ua/1.0 \t").unwrap());
    headers.insert("x-note", HeaderValue::from_str("\u{a0}é\u{3000}").unwrap());
    vector1_signer()
        .sign(
            &Method::GET,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    assert_eq!(header_str(&headers, "user-agent"), "ua/1.0");
    assert_eq!(headers.get("x-note").unwrap().as_bytes(), "é".as_bytes());
    verify_at(&url, &headers, utc(2024, 1, 1, 0, 0, 0)).unwrap();
}

#[cfg(feature = "verify")]
#[test]
fn underscore_headers_are_sent_unsigned() {
    let url = scan_task_url("t1");
    let mut headers = HeaderMap::new();
    headers.insert("x_custom", HeaderValue::from_static("  v  "));
    headers.append("x_repeated", HeaderValue::from_static("1"));
    headers.append("x_repeated", HeaderValue::from_static("2"));
    headers.insert("x_binary", HeaderValue::from_bytes(&[0xff]).unwrap());
    vector1_signer()
        .sign(
            &Method::GET,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    assert_eq!(signed_header_list(&headers), ["host", "x-sdk-date"]);
    // Trimmed like every other value, as the SDK does, but not signed.
    assert_eq!(header_str(&headers, "x_custom"), "v");
    assert_eq!(headers.get_all("x_repeated").iter().count(), 2);
    assert_eq!(headers.get("x_binary").unwrap().as_bytes(), [0xff]);
    verify_at(&url, &headers, utc(2024, 1, 1, 0, 0, 0)).unwrap();
}

#[cfg(feature = "verify")]
#[test]
fn non_json_content_type_signs_an_unsigned_payload() {
    let url = Url::parse("https://h.example.com/upload").unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let body = b"some body";
    vector1_signer()
        .sign(
            &Method::POST,
            &url,
            &mut headers,
            body,
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    assert_eq!(
        header_str(&headers, "x-sdk-content-sha256"),
        "UNSIGNED-PAYLOAD"
    );
    let signed = signed_header_list(&headers);
    assert!(signed.contains(&"x-sdk-content-sha256".to_owned()));
    let canonical = canonical_request("POST", url.path(), "", &headers, &signed, body);
    assert!(canonical.ends_with("\nUNSIGNED-PAYLOAD"));

    // A JSON body is hashed.
    let mut json_headers = HeaderMap::new();
    json_headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    vector1_signer()
        .sign(
            &Method::POST,
            &url,
            &mut json_headers,
            b"{}",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
    assert!(json_headers.get(X_SDK_CONTENT_SHA256).is_none());
    let signed = signed_header_list(&json_headers);
    let canonical = canonical_request("POST", url.path(), "", &json_headers, &signed, b"{}");
    assert!(canonical.ends_with(&format!("\n{}", canonical::hex_sha256(b"{}"))));
    verify(
        "POST",
        url.path(),
        "",
        &json_headers,
        b"{}",
        sk_lookup,
        utc(2024, 1, 1, 0, 0, 0),
        FIFTEEN_MINUTES,
    )
    .unwrap();
    // The body is covered by the signature.
    assert!(matches!(
        verify(
            "POST",
            url.path(),
            "",
            &json_headers,
            b"{\"x\":1}",
            sk_lookup,
            utc(2024, 1, 1, 0, 0, 0),
            FIFTEEN_MINUTES,
        ),
        Err(VerifyError::SignatureMismatch)
    ));
}

#[test]
fn line_breaks_in_secrets_are_refused_without_echoing_them() {
    let url = scan_task_url("t1");
    let signer = vector1_signer().with_security_token("tok-secret\r\nX-Evil: 1");
    let mut headers = HeaderMap::new();
    let err = signer
        .sign(
            &Method::GET,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap_err();
    assert!(
        matches!(&err, SignError::HeaderValueHasLineBreak { name } if name == "x-security-token")
    );
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(text.contains("x-security-token"), "{text}");
        assert!(!text.contains("tok-secret"), "{text}");
    }
    assert!(headers.get(AUTHORIZATION).is_none());

    let signer = vector1_signer().with_security_token("tok-secret\u{7}");
    let err = signer
        .sign(
            &Method::GET,
            &url,
            &mut HeaderMap::new(),
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap_err();
    assert!(matches!(&err, SignError::InvalidHeaderValue { name } if name == "x-security-token"));

    let signer = Signer::new(AccessKey::new("AK\nX-Evil: 1", "sk"));
    let err = signer
        .sign(
            &Method::GET,
            &url,
            &mut HeaderMap::new(),
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap_err();
    assert!(matches!(err, SignError::AccessKeyNotHeaderSafe));
}

#[test]
fn sign_refuses_what_it_cannot_sign_faithfully() {
    let at = utc(2024, 1, 1, 0, 0, 0);
    let url = scan_task_url("t1");
    let sign = |signer: &Signer, url: &Url, headers: &mut HeaderMap| {
        signer.sign(&Method::GET, url, headers, b"", at)
    };

    let empty_ak = Signer::new(AccessKey::new("", "sk"));
    assert!(matches!(
        sign(&empty_ak, &url, &mut HeaderMap::new()),
        Err(SignError::EmptyAccessKey)
    ));
    let empty_sk = Signer::new(AccessKey::new("ak", ""));
    assert!(matches!(
        sign(&empty_sk, &url, &mut HeaderMap::new()),
        Err(SignError::EmptySecretKey)
    ));

    let mut repeated = HeaderMap::new();
    repeated.append("x-a", HeaderValue::from_static("1"));
    repeated.append("x-a", HeaderValue::from_static("2"));
    assert!(matches!(
        sign(&vector1_signer(), &url, &mut repeated),
        Err(SignError::RepeatedHeader { name }) if name == "x-a"
    ));

    let mut binary = HeaderMap::new();
    binary.insert("x-bin", HeaderValue::from_bytes(&[0xff, 0xfe]).unwrap());
    assert!(matches!(
        sign(&vector1_signer(), &url, &mut binary),
        Err(SignError::NonUtf8HeaderValue { name }) if name == "x-bin"
    ));

    let mut bad_date = HeaderMap::new();
    bad_date.insert(X_SDK_DATE, HeaderValue::from_static("2024-01-01T00:00:00Z"));
    assert!(matches!(
        sign(&vector1_signer(), &url, &mut bad_date),
        Err(SignError::InvalidSdkDate)
    ));

    for query in ["b=1&a=2", "q=a+b", "q=%2a", "q=*", "flag"] {
        let mut url = Url::parse("https://h.example.com/p").unwrap();
        url.set_query(Some(query));
        assert!(
            matches!(
                sign(&vector1_signer(), &url, &mut HeaderMap::new()),
                Err(SignError::NonCanonicalQuery)
            ),
            "{query}"
        );
        canonicalize_query(&mut url);
        sign(&vector1_signer(), &url, &mut HeaderMap::new()).unwrap();
    }

    let no_host = Url::parse("data:text/plain,hello").unwrap();
    assert!(matches!(
        sign(&vector1_signer(), &no_host, &mut HeaderMap::new()),
        Err(SignError::MissingHost)
    ));
}

#[cfg(feature = "verify")]
#[test]
fn verify_rejects_wrong_key_stale_date_tampering_and_unsigned_headers() {
    let at = utc(2024, 1, 1, 0, 0, 0);
    let (url, headers) = sign_scan_task(&vector1_signer(), "t1");
    verify_at(&url, &headers, at).unwrap();
    // Right at the edge of the window, both ways.
    verify_at(&url, &headers, at + time::Duration::minutes(15)).unwrap();
    verify_at(&url, &headers, at - time::Duration::minutes(15)).unwrap();

    let wrong_sk = verify(
        "GET",
        url.path(),
        url.query().unwrap(),
        &headers,
        b"",
        |_| Some(SecretString::from("not-the-secret")),
        at,
        FIFTEEN_MINUTES,
    );
    assert!(matches!(wrong_sk, Err(VerifyError::SignatureMismatch)));

    let unknown = verify(
        "GET",
        url.path(),
        url.query().unwrap(),
        &headers,
        b"",
        |_| None,
        at,
        FIFTEEN_MINUTES,
    );
    assert!(
        matches!(unknown, Err(VerifyError::UnknownAccessKey { access_key }) if access_key == "QTWAOYTTINDUT2QVKYUC")
    );

    let stale = verify_at(&url, &headers, at + time::Duration::seconds(15 * 60 + 1));
    assert!(matches!(
        stale,
        Err(VerifyError::StaleDate {
            skew_seconds: 901,
            max_skew_seconds: 900
        })
    ));
    let future = verify_at(&url, &headers, at - time::Duration::hours(1));
    assert!(matches!(
        future,
        Err(VerifyError::StaleDate {
            skew_seconds: 3600,
            ..
        })
    ));

    let tampered_query = verify(
        "GET",
        url.path(),
        "limit=200&offset=0",
        &headers,
        b"",
        sk_lookup,
        at,
        FIFTEEN_MINUTES,
    );
    assert!(matches!(
        tampered_query,
        Err(VerifyError::SignatureMismatch)
    ));

    let tampered_path = verify(
        "GET",
        "/v5/0123456789abcdef/vulnerability/scan-task/t2/hosts",
        url.query().unwrap(),
        &headers,
        b"",
        sk_lookup,
        at,
        FIFTEEN_MINUTES,
    );
    assert!(matches!(tampered_path, Err(VerifyError::SignatureMismatch)));

    let wrong_method = verify(
        "DELETE",
        url.path(),
        url.query().unwrap(),
        &headers,
        b"",
        sk_lookup,
        at,
        FIFTEEN_MINUTES,
    );
    assert!(matches!(wrong_method, Err(VerifyError::SignatureMismatch)));

    // An unsigned extra header is accepted, as by the gateway, and reported.
    let mut extra = headers.clone();
    extra.insert("x-extra", HeaderValue::from_static("1"));
    assert_eq!(
        verify_at(&url, &extra, at).unwrap().unsigned_headers,
        vec!["x-extra".to_owned()]
    );
    assert!(
        verify_at(&url, &headers, at)
            .unwrap()
            .unsigned_headers
            .is_empty()
    );

    // Framing headers and `_` names may be added after signing.
    let mut framing = headers.clone();
    framing.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    framing.insert("x_trace", HeaderValue::from_static("1"));
    verify_at(&url, &framing, at).unwrap();

    let mut changed = headers.clone();
    changed.insert(X_PROJECT_ID, HeaderValue::from_static("another"));
    assert!(matches!(
        verify_at(&url, &changed, at),
        Err(VerifyError::SignatureMismatch)
    ));

    let mut missing = headers.clone();
    missing.remove(X_PROJECT_ID);
    assert!(
        matches!(verify_at(&url, &missing, at), Err(VerifyError::MissingSignedHeader { name }) if name == "x-project-id")
    );

    let mut doubled = headers.clone();
    doubled.append(X_PROJECT_ID, HeaderValue::from_static("0123456789abcdef"));
    assert!(matches!(
        verify_at(&url, &doubled, at),
        Err(VerifyError::RepeatedHeader { .. })
    ));

    let mut no_auth = headers.clone();
    no_auth.remove(AUTHORIZATION);
    assert!(matches!(
        verify_at(&url, &no_auth, at),
        Err(VerifyError::MissingAuthorization)
    ));

    let mut bad_date = headers.clone();
    bad_date.insert(X_SDK_DATE, HeaderValue::from_static("yesterday"));
    assert!(matches!(
        verify_at(&url, &bad_date, at),
        Err(VerifyError::MalformedDate)
    ));
}

#[cfg(feature = "verify")]
#[test]
fn verify_rejects_malformed_authorization() {
    let at = utc(2024, 1, 1, 0, 0, 0);
    let (url, headers) = sign_scan_task(&vector1_signer(), "t1");
    let good = header_str(&headers, "authorization").to_owned();
    let sig = good.rsplit("Signature=").next().unwrap().to_owned();
    let cases = [
        good.replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3"),
        good.replace("SDK-HMAC-SHA256 ", "SDK-HMAC-SHA256"),
        good.replace("Access=", "Acess="),
        good.replace("Access=QTWAOYTTINDUT2QVKYUC", "Access="),
        good.replace(", Signature=", ", "),
        format!("{good}, Signature={sig}"),
        good.replace(&sig, &sig.to_uppercase()),
        good.replace(&sig, &sig[..63]),
        good.replace("SignedHeaders=host;", "SignedHeaders=Host;"),
        good.replace("SignedHeaders=host;", "SignedHeaders=host;host;"),
        good.replace("SignedHeaders=host;", "SignedHeaders=;"),
        good.replace(";x-sdk-date", ""),
        good.replace("SignedHeaders=host;", "SignedHeaders=authorization;host;"),
        "Basic dXNlcjpwYXNz".to_owned(),
    ];
    for case in cases {
        let mut h = headers.clone();
        h.insert(AUTHORIZATION, HeaderValue::from_str(&case).unwrap());
        let result = verify_at(&url, &h, at);
        assert!(
            matches!(result, Err(VerifyError::MalformedAuthorization { .. })),
            "{case}: {result:?}"
        );
    }
    let mut two = headers.clone();
    two.append(AUTHORIZATION, HeaderValue::from_str(&good).unwrap());
    assert!(matches!(
        verify_at(&url, &two, at),
        Err(VerifyError::MalformedAuthorization { .. })
    ));
}

#[cfg(feature = "verify")]
#[test]
fn debug_never_shows_secrets() {
    let signer = vector1_signer().with_security_token("session-token-value");
    let text = format!("{signer:?}");
    assert!(text.contains("QTWAOYTTINDUT2QVKYUC"), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
    assert!(!text.contains("MFyfvK41"), "{text}");
    assert!(!text.contains("session-token-value"), "{text}");

    let (url, headers) = sign_scan_task(&signer, "t1");
    let caller = verify_at(&url, &headers, utc(2024, 1, 1, 0, 0, 0)).unwrap();
    let text = format!("{caller:?}");
    assert!(!text.contains("session-token-value"), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
}

#[cfg(feature = "verify")]
#[test]
fn verify_errors_never_show_secrets() {
    let at = utc(2024, 1, 1, 0, 0, 0);
    let signer = vector1_signer().with_security_token("session-token-value");
    let (url, headers) = sign_scan_task(&signer, "t1");
    let errors = [
        VerifyError::MissingAuthorization,
        VerifyError::MalformedAuthorization { reason: "x" },
        VerifyError::UnknownAccessKey {
            access_key: "AK".into(),
        },
        VerifyError::MissingDate,
        VerifyError::MalformedDate,
        VerifyError::StaleDate {
            skew_seconds: 1,
            max_skew_seconds: 0,
        },
        VerifyError::MissingSignedHeader { name: "x".into() },
        VerifyError::RepeatedHeader { name: "x".into() },
        VerifyError::InvalidHeaderValue { name: "x".into() },
        verify_at(&url, &headers, at + time::Duration::hours(1)).unwrap_err(),
        verify(
            "GET",
            url.path(),
            "",
            &headers,
            b"",
            sk_lookup,
            at,
            FIFTEEN_MINUTES,
        )
        .unwrap_err(),
    ];
    let sig = header_str(&headers, "authorization")
        .rsplit('=')
        .next()
        .unwrap();
    for err in errors {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains("MFyfvK41"), "{text}");
            assert!(!text.contains("session-token-value"), "{text}");
            assert!(!text.contains(sig), "{text}");
        }
    }
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._~-]{0,12}",
        "[ %+*/?#&=~é一]{0,6}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_query_string_is_a_fixed_point(pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..8)) {
        let once = canonical_query_string(&pairs);
        prop_assert_eq!(canonical_query(&once), once);
    }

    #[cfg(feature = "verify")]
    #[test]
    fn sign_then_verify_succeeds(
        segments in proptest::collection::vec(segment(), 1..5),
        pairs in proptest::collection::vec((segment(), segment()), 0..6),
        token in proptest::option::of("[ -~]{1,40}"),
        seconds in 0i64..4_000_000_000,
    ) {
        let mut url = Url::parse("https://hss.example.com:8443").unwrap();
        let path: String = segments.iter().map(|s| format!("/{}", encode_component(s))).collect();
        url.set_path(&path);
        if !pairs.is_empty() {
            url.set_query(Some(&canonical_query_string(&pairs)));
        }
        let mut signer = vector1_signer();
        if let Some(token) = &token {
            signer = signer.with_security_token(token.as_str());
        }
        let now = time::OffsetDateTime::from_unix_timestamp(seconds).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(X_PROJECT_ID, HeaderValue::from_static("p"));
        signer.sign(&Method::GET, &url, &mut headers, b"", now).unwrap();
        let caller = verify(
            "GET",
            url.path(),
            url.query().unwrap_or(""),
            &headers,
            b"",
            sk_lookup,
            now,
            FIFTEEN_MINUTES,
        ).unwrap();
        prop_assert_eq!(caller.access_key, "QTWAOYTTINDUT2QVKYUC");
        let expected_token = token.map(|t| t.trim().to_owned());
        let got_token = caller.security_token.map(|t| t.expose_secret().to_owned());
        prop_assert_eq!(got_token, expected_token);
    }
}

#[test]
fn sign_errors_name_headers_not_values() {
    let errors = [
        SignError::EmptyAccessKey,
        SignError::EmptySecretKey,
        SignError::AccessKeyNotHeaderSafe,
        SignError::HeaderValueHasLineBreak {
            name: "x-security-token".into(),
        },
        SignError::InvalidHeaderValue {
            name: "x-security-token".into(),
        },
        SignError::NonUtf8HeaderValue { name: "x-a".into() },
        SignError::RepeatedHeader { name: "x-a".into() },
        SignError::InvalidSdkDate,
        SignError::DateOutOfRange,
        SignError::MissingHost,
        SignError::NonAsciiContentSha256,
        SignError::NonCanonicalQuery,
    ];
    for err in errors {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.is_empty());
            assert!(!text.contains("MFyfvK41"), "{text}");
        }
    }
    // The real paths: a secret-bearing value is never echoed.
    let url = scan_task_url("t1");
    let signer = Signer::new(AccessKey::new("AK", "MFyfvK41-secret"))
        .with_security_token("MFyfvK41-token\n");
    let err = signer
        .sign(
            &Method::GET,
            &url,
            &mut HeaderMap::new(),
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("MFyfvK41"));
}

// ---- Bodies -------------------------------------------------------------

const SCAN_TASK_BODY: &[u8] = br#"{"task_type":"manual","host_ids":["a","b"]}"#;

/// Signs `body` as the given method at 2024-01-01T00:00:00Z with
/// `Content-Type` and `X-Project-Id` set; returns the URL and headers.
fn sign_body(
    method: &Method,
    path_and_query: &str,
    content_type: &str,
    body: &[u8],
) -> (Url, HeaderMap) {
    let url = Url::parse(&format!(
        "https://hss.cn-north-4.myhuaweicloud.com{path_and_query}"
    ))
    .unwrap();
    let mut headers = HeaderMap::new();
    if !content_type.is_empty() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    }
    headers.insert(X_PROJECT_ID, HeaderValue::from_static("0123456789abcdef"));
    vector1_signer()
        .sign(method, &url, &mut headers, body, utc(2024, 1, 1, 0, 0, 0))
        .unwrap();
    (url, headers)
}

fn canonical_of(method: &Method, url: &Url, headers: &HeaderMap, body: &[u8]) -> String {
    canonical_request(
        method.as_str(),
        url.path(),
        url.query().unwrap_or(""),
        headers,
        &signed_header_list(headers),
        body,
    )
}

fn signature_of(headers: &HeaderMap) -> String {
    header_str(headers, "authorization")
        .rsplit("Signature=")
        .next()
        .unwrap()
        .to_owned()
}

/// Answers of huaweicloudsdkcore 3.1.219 (`tests/interop/sign_official.py`)
/// for the same requests, so body signing stays pinned without Python.
#[test]
fn json_bodies_sign_as_the_official_sdk_does() {
    let (url, headers) = sign_body(
        &Method::POST,
        "/v5/0123456789abcdef/vulnerability/scan-task?enterprise_project_id=all_granted_eps",
        "application/json",
        SCAN_TASK_BODY,
    );
    let canonical = canonical_of(&Method::POST, &url, &headers, SCAN_TASK_BODY);
    assert_eq!(
        canonical,
        "POST\n\
         /v5/0123456789abcdef/vulnerability/scan-task/\n\
         enterprise_project_id=all_granted_eps\n\
         content-type:application/json\n\
         host:hss.cn-north-4.myhuaweicloud.com\n\
         x-project-id:0123456789abcdef\n\
         x-sdk-date:20240101T000000Z\n\
         \n\
         content-type;host;x-project-id;x-sdk-date\n\
         cf9983671058055bf0a1b260b6eaa03c3b28caabc88b10e7f1a0f0a75c290e72"
    );
    assert_eq!(
        canonical::hex_sha256(SCAN_TASK_BODY),
        "cf9983671058055bf0a1b260b6eaa03c3b28caabc88b10e7f1a0f0a75c290e72"
    );
    assert_eq!(
        string_to_sign("20240101T000000Z", &canonical),
        "SDK-HMAC-SHA256\n20240101T000000Z\n2cc314798b0f828e1b896c9978fbf79501be4b5cef74cfc17d82c98e517d12a3"
    );
    assert_eq!(
        header_str(&headers, "authorization"),
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=f88f78941c6decbce67876be4883ca06ce70948a3568e3e6ae3f3b03eac56355"
    );
    assert!(headers.get(X_SDK_CONTENT_SHA256).is_none());

    // Non-ASCII as raw UTF-8, on a PUT.
    let status = r#"{"operate_type":"ignore","remark":"已处理 🙂","data_list":[{"vul_id":"CVE-2024-3094","host_id_list":["h1"]}]}"#;
    let (url, headers) = sign_body(
        &Method::PUT,
        "/v5/0123456789abcdef/vulnerability/status",
        "application/json;charset=UTF-8",
        status.as_bytes(),
    );
    let canonical = canonical_of(&Method::PUT, &url, &headers, status.as_bytes());
    assert!(
        canonical.ends_with("\n6b284eb6d88d8c22f42823f28128987fa54a97fccf10028f0eee4fb2b94657f0")
    );
    assert_eq!(
        signature_of(&headers),
        "7ae450cbe5cf9e924df13397a9abc06dd29bfed506756efb4be9a8552adcd59f"
    );

    // No body on a POST: the hash of nothing.
    let (url, headers) = sign_body(
        &Method::POST,
        "/v5/0123456789abcdef/vulnerability/scan-task",
        "application/json",
        b"",
    );
    assert!(
        canonical_of(&Method::POST, &url, &headers, b"")
            .ends_with(&format!("\n{EMPTY_BODY_SHA256}"))
    );
    assert_eq!(
        signature_of(&headers),
        "d40adf4b4f064b05afb90289a17183dfe9b9f3c8156e2bc4d516789aa4cd6420"
    );
}

#[test]
fn the_payload_line_is_the_hash_of_the_exact_bytes() {
    let compact = r#"{"remark":"中"}"#.as_bytes();
    let escaped = br#"{"remark": "\u4e2d"}"#;
    let large: Vec<u8> = (0..64 * 1024)
        .map(|i| b"0123456789abcdef"[i % 16])
        .collect();
    for body in [
        compact,
        escaped,
        b"{}",
        b" {}\n",
        &[0xff, 0x00, 0xfe][..],
        &large,
    ] {
        let (url, headers) = sign_body(&Method::POST, "/p?a=1", "application/json", body);
        let canonical = canonical_of(&Method::POST, &url, &headers, body);
        let expected = canonical::hex_sha256(body);
        assert_eq!(canonical.rsplit('\n').next(), Some(expected.as_str()));
        assert_eq!(payload_hash(&headers, body), expected);
    }
    // The same JSON value written two ways is two signatures: sign the
    // bytes you send.
    let (_, a) = sign_body(&Method::POST, "/p", "application/json", compact);
    let (_, b) = sign_body(&Method::POST, "/p", "application/json", escaped);
    assert_ne!(signature_of(&a), signature_of(&b));
}

#[test]
fn empty_bodies_hash_nothing_whatever_the_method_or_content_type() {
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::GET] {
        for content_type in ["application/json", "text/plain", ""] {
            let (url, headers) = sign_body(&method, "/p", content_type, b"");
            assert!(
                canonical_of(&method, &url, &headers, b"")
                    .ends_with(&format!("\n{EMPTY_BODY_SHA256}")),
                "{method} {content_type:?}"
            );
        }
    }
    assert_eq!(payload_hash(&HeaderMap::new(), b""), EMPTY_BODY_SHA256);
    assert_eq!(canonical::hex_sha256(b""), EMPTY_BODY_SHA256);
}

#[test]
fn content_type_rules_follow_the_sdk() {
    // Hashed: JSON and BSON prefixes, case-sensitive, as given.
    for content_type in [
        "application/json",
        "application/json;charset=UTF-8",
        "application/json-patch+json",
        "application/bson",
        // An empty Content-Type is no Content-Type to the SDK.
        "",
    ] {
        let url = Url::parse("https://h.example.com/p").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        vector1_signer()
            .sign(
                &Method::POST,
                &url,
                &mut headers,
                b"{}",
                utc(2024, 1, 1, 0, 0, 0),
            )
            .unwrap();
        assert!(
            headers.get(X_SDK_CONTENT_SHA256).is_none(),
            "{content_type:?}"
        );
        assert_eq!(
            payload_hash(&headers, b"{}"),
            canonical::hex_sha256(b"{}"),
            "{content_type:?}"
        );
    }
    // Not hashed.
    for content_type in [
        "APPLICATION/JSON",
        " application/json",
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
    ] {
        let (url, headers) = sign_body(&Method::POST, "/p", content_type, b"{}");
        assert_eq!(
            header_str(&headers, "x-sdk-content-sha256"),
            UNSIGNED_PAYLOAD,
            "{content_type:?}"
        );
        assert!(canonical_of(&Method::POST, &url, &headers, b"{}").ends_with("\nUNSIGNED-PAYLOAD"));
    }
}

#[test]
fn a_preset_content_sha256_replaces_the_hash_unless_empty() {
    let url = Url::parse("https://h.example.com/p").unwrap();
    for (preset, expected) in [
        ("UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD".to_owned()),
        (" padded ", "padded".to_owned()),
        ("", canonical::hex_sha256(b"{}")),
        ("   ", canonical::hex_sha256(b"{}")),
    ] {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(X_SDK_CONTENT_SHA256, HeaderValue::from_str(preset).unwrap());
        vector1_signer()
            .sign(
                &Method::POST,
                &url,
                &mut headers,
                b"{}",
                utc(2024, 1, 1, 0, 0, 0),
            )
            .unwrap();
        assert_eq!(payload_hash(&headers, b"{}"), expected, "{preset:?}");
        assert!(signed_header_list(&headers).contains(&"x-sdk-content-sha256".to_owned()));
    }

    // A non-ASCII value would be hashed garbled by the SDK: refused, unless
    // there is no body (then it is an ordinary signed header).
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(X_SDK_CONTENT_SHA256, HeaderValue::from_str("é").unwrap());
    let err = vector1_signer()
        .sign(
            &Method::POST,
            &url,
            &mut headers.clone(),
            b"{}",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap_err();
    assert!(matches!(err, SignError::NonAsciiContentSha256));
    vector1_signer()
        .sign(
            &Method::POST,
            &url,
            &mut headers,
            b"",
            utc(2024, 1, 1, 0, 0, 0),
        )
        .unwrap();
}

#[cfg(feature = "verify")]
#[test]
fn verify_checks_the_body_it_is_given() {
    let path = "/v5/0123456789abcdef/vulnerability/scan-task?enterprise_project_id=all_granted_eps";
    let (url, headers) = sign_body(&Method::POST, path, "application/json", SCAN_TASK_BODY);
    let check = |body: &[u8], headers: &HeaderMap| {
        verify(
            "POST",
            url.path(),
            url.query().unwrap(),
            headers,
            body,
            sk_lookup,
            utc(2024, 1, 1, 0, 0, 0),
            FIFTEEN_MINUTES,
        )
    };
    let caller = check(SCAN_TASK_BODY, &headers).unwrap();
    assert!(caller.body_signed);
    for tampered in [
        &br#"{"task_type":"manual","host_ids":["a","c"]}"#[..],
        br#"{"task_type":"manual","host_ids":["a","b"]} "#,
        br#"{"task_type": "manual", "host_ids": ["a", "b"]}"#,
        b"",
    ] {
        assert!(
            matches!(
                check(tampered, &headers),
                Err(VerifyError::SignatureMismatch)
            ),
            "{:?}",
            String::from_utf8_lossy(tampered)
        );
    }

    // Signed with no body: a body added on the way is refused.
    let (url, headers) = sign_body(
        &Method::PUT,
        "/v5/p/vulnerability/status",
        "application/json",
        b"",
    );
    let check = |body: &[u8]| {
        verify(
            "PUT",
            url.path(),
            "",
            &headers,
            body,
            sk_lookup,
            utc(2024, 1, 1, 0, 0, 0),
            FIFTEEN_MINUTES,
        )
    };
    assert!(check(b"").unwrap().body_signed);
    assert!(matches!(check(b"{}"), Err(VerifyError::SignatureMismatch)));

    // UNSIGNED-PAYLOAD: any non-empty body passes, and the caller is told.
    let (url, headers) = sign_body(&Method::POST, "/upload", "text/plain", b"original");
    let check = |body: &[u8]| {
        verify(
            "POST",
            url.path(),
            "",
            &headers,
            body,
            sk_lookup,
            utc(2024, 1, 1, 0, 0, 0),
            FIFTEEN_MINUTES,
        )
    };
    assert!(!check(b"original").unwrap().body_signed);
    assert!(!check(b"changed").unwrap().body_signed);
    // Emptiness is still signed.
    assert!(matches!(check(b""), Err(VerifyError::SignatureMismatch)));
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..512),
        any::<String>()
            .prop_filter("non-empty", |s| !s.is_empty())
            .prop_map(|s| serde_json::to_vec(&serde_json::json!({ "remark": s })).unwrap()),
        proptest::collection::vec("[a-z0-9-]{1,12}", 0..20).prop_map(|ids| {
            serde_json::to_vec(&serde_json::json!({"task_type": "manual", "host_ids": ids}))
                .unwrap()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// One changed byte anywhere in a JSON body changes the signature, and
    /// (with `verify`) the original verifies while the changed one does not.
    #[test]
    fn one_changed_byte_changes_the_signature(
        body in body_bytes(),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        method in prop_oneof![Just(Method::POST), Just(Method::PUT)],
    ) {
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= flip;
        let (url, headers) = sign_body(&method, "/v5/p/vulnerability/scan-task?limit=1", "application/json;charset=UTF-8", &body);
        let (_, tampered_headers) = sign_body(&method, "/v5/p/vulnerability/scan-task?limit=1", "application/json;charset=UTF-8", &tampered);
        prop_assert_ne!(signature_of(&headers), signature_of(&tampered_headers));
        prop_assert_eq!(payload_hash(&headers, &body), canonical::hex_sha256(&body));

        #[cfg(feature = "verify")]
        {
            let check = |b: &[u8]| verify(
                method.as_str(),
                url.path(),
                url.query().unwrap(),
                &headers,
                b,
                sk_lookup,
                utc(2024, 1, 1, 0, 0, 0),
                FIFTEEN_MINUTES,
            );
            prop_assert!(check(&body).unwrap().body_signed);
            prop_assert!(matches!(check(&tampered), Err(VerifyError::SignatureMismatch)));
            // Dropping or adding a byte is a change too.
            prop_assert!(matches!(check(&body[..body.len() - 1]), Err(VerifyError::SignatureMismatch)));
            let mut longer = body.clone();
            longer.push(b' ');
            prop_assert!(matches!(check(&longer), Err(VerifyError::SignatureMismatch)));
        }
        #[cfg(not(feature = "verify"))]
        let _ = url;
    }
}

#[test]
fn a_streamed_form_is_signed_as_its_bytes_would_be_and_a_streamed_json_body_is_refused() {
    let url =
        Url::parse("https://hss.cn-north-4.myhuaweicloud.com/v5/p/report/logo/upload").unwrap();
    let at = utc(2024, 1, 1, 0, 0, 0);
    let with_type = |content_type: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        headers
    };
    let form = "multipart/form-data; boundary=b";
    let mut streamed = with_type(form);
    vector1_signer()
        .sign_streamed(&Method::POST, &url, &mut streamed, at)
        .unwrap();
    let mut buffered = with_type(form);
    vector1_signer()
        .sign(&Method::POST, &url, &mut buffered, b"--b--\r\n", at)
        .unwrap();
    assert_eq!(streamed, buffered);
    assert_eq!(
        header_str(&streamed, "x-sdk-content-sha256"),
        UNSIGNED_PAYLOAD
    );

    for content_type in ["application/json", "application/bson", ""] {
        let mut headers = with_type(content_type);
        let err = vector1_signer()
            .sign_streamed(&Method::POST, &url, &mut headers, at)
            .unwrap_err();
        assert!(
            matches!(err, SignError::StreamedBodyIsHashed),
            "{content_type:?}"
        );
        assert!(!headers.contains_key(AUTHORIZATION));
    }
    // A preset payload line makes the bytes unneeded, JSON or not.
    let mut headers = with_type("application/json");
    headers.insert(
        X_SDK_CONTENT_SHA256,
        HeaderValue::from_static(UNSIGNED_PAYLOAD),
    );
    vector1_signer()
        .sign_streamed(&Method::POST, &url, &mut headers, at)
        .unwrap();
    assert!(canonical_of(&Method::POST, &url, &headers, b"x").ends_with("\nUNSIGNED-PAYLOAD"));
}
