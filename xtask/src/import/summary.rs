//! One-line English summaries made from an operation id: the id's words,
//! with the abbreviations Huawei's ids use spelled out
//! (`ShowVulStatics` -> "Show vulnerability statistics."). A summary the
//! spec already has (a reviewed operation's) is never replaced.

/// Words of an id that read better spelled out or in their usual case.
const WORDS: &[(&str, &str)] = &[
    ("ai", "AI"),
    ("ak", "AK"),
    ("api", "API"),
    ("apps", "applications"),
    ("app", "application"),
    ("cce", "CCE"),
    ("cicd", "CI/CD"),
    ("cve", "CVE"),
    ("cves", "CVEs"),
    ("dir", "directory"),
    ("dirs", "directories"),
    ("ecs", "ECS"),
    ("iac", "IaC"),
    ("id", "ID"),
    ("ids", "IDs"),
    ("ip", "IP"),
    ("ips", "IP addresses"),
    ("jar", "JAR"),
    ("k8s", "Kubernetes"),
    ("opera", "operation"),
    ("os", "OS"),
    ("productdata", "product data"),
    ("rasp", "RASP"),
    ("statics", "statistics"),
    ("swr", "SWR"),
    ("url", "URL"),
    ("vul", "vulnerability"),
    ("vuls", "vulnerabilities"),
    ("wtp", "web tamper protection"),
];

/// "List host status." from `ListHostStatus`; a leading `Batch` becomes
/// ", in a batch" and `ResumePause` "Resume or pause".
pub fn of(operation_id: &str) -> String {
    let mut words = split(operation_id);
    let batch = words.len() > 1 && words[0] == "Batch";
    if batch {
        words.remove(0);
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    for (i, word) in words.iter().enumerate() {
        let lower = word.to_ascii_lowercase();
        if i == 0 {
            out.push(word.clone());
            if word == "Resume" && words.get(1).map(String::as_str) == Some("Pause") {
                out.push("or".into());
            }
            continue;
        }
        let spelled = WORDS.iter().find(|(w, _)| *w == lower).map(|(_, s)| *s);
        out.push(spelled.map_or(lower, str::to_string));
    }
    let mut text = out.join(" ");
    if batch {
        text.push_str(", in a batch");
    }
    text.push('.');
    text
}

/// `ListK8sCronJobs` -> `List`, `K8s`, `Cron`, `Jobs`: a word starts at an
/// upper-case letter; digits stay with the word before them.
fn split(id: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in id.chars() {
        match words.last_mut() {
            Some(last) if !c.is_ascii_uppercase() => last.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn ids_become_sentences_with_abbreviations_spelled_out() {
        assert_eq!(of("ListHostStatus"), "List host status.");
        assert_eq!(of("ShowVulStatics"), "Show vulnerability statistics.");
        assert_eq!(of("ListK8sCronJobs"), "List Kubernetes cron jobs.");
        assert_eq!(of("BatchAddAccounts"), "Add accounts, in a batch.");
        assert_eq!(of("ResumePauseAiPolicies"), "Resume or pause AI policies.");
    }
}
