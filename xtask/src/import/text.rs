//! Our own words for what the imported spec must describe: tag names and
//! response descriptions. Upstream's descriptions are not copied (they are
//! Huawei's text, mostly in Chinese); where OpenAPI needs a text, this
//! module supplies a neutral English one.

/// English names of HSS's upstream tags (our translations), used for the
/// imported spec's `tags` and accepted by `--tag` beside the upstream name.
pub const HSS_TAGS: [(&str, &str); 25] = [
    ("资产管理", "asset-management"),
    ("容器网络隔离信息", "container-network-isolation"),
    ("容器管理", "container-management"),
    ("容器安装与配置", "container-installation"),
    ("勒索防护", "ransomware-protection"),
    ("集群防护", "cluster-protection"),
    ("病毒查杀", "antivirus"),
    ("应用防护", "application-protection"),
    ("漏洞管理", "vulnerability"),
    ("容器镜像", "container-images"),
    ("集群管理", "cluster-management"),
    ("基线管理", "baseline"),
    ("白名单管理", "allowlists"),
    ("事件管理", "events"),
    ("主机管理", "host-management"),
    ("动态端口蜜罐", "port-honeypot"),
    ("安装配置", "installation"),
    ("主机安装与配置", "host-installation"),
    ("网页防篡改", "web-tamper-protection"),
    ("容器资产", "container-assets"),
    ("配额管理", "quotas"),
    ("标签管理", "labels"),
    ("安全运营", "security-operations"),
    ("入侵检测", "intrusion-detection"),
    ("策略管理", "policies"),
];

/// The English name of an upstream tag: from [`HSS_TAGS`], the tag itself
/// when it is already plain ASCII, or `tag-<n>` (n counts upstream's
/// untranslated tags in document order) with `false` for "untranslated".
pub fn tag_name(upstream: &str, untranslated_index: usize) -> (String, bool) {
    if let Some((_, name)) = HSS_TAGS.iter().find(|(up, _)| *up == upstream) {
        return ((*name).to_string(), true);
    }
    if upstream.is_ascii() {
        return (upstream.to_string(), true);
    }
    (format!("tag-{untranslated_index}"), false)
}

/// A description for a response, which OpenAPI requires.
pub fn response_description(status: &str) -> String {
    match status {
        "200" => "Success.".to_string(),
        "201" => "Created.".to_string(),
        "202" => "Accepted.".to_string(),
        "204" => "Success, no content.".to_string(),
        "400" => "Invalid request.".to_string(),
        "401" => "Authentication failed.".to_string(),
        "403" => "Not allowed.".to_string(),
        "404" => "Not found.".to_string(),
        "429" => "Throttled.".to_string(),
        "500" => "Server error.".to_string(),
        "default" => "Any other answer.".to_string(),
        other => format!("Status {other}."),
    }
}

/// True when a text has characters outside ASCII (upstream's Chinese text).
pub fn is_foreign(text: &str) -> bool {
    !text.is_ascii()
}

/// True when a JSON value holds any non-ASCII string.
pub fn has_foreign_text(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => is_foreign(s),
        serde_json::Value::Array(items) => items.iter().any(has_foreign_text),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| is_foreign(k) || has_foreign_text(v)),
        _ => false,
    }
}
