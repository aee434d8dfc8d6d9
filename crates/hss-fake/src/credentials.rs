//! The credentials the fake accepts: IAM tokens and AK/SK pairs,
//! permanent or temporary. Plain data, so both the signature check and the
//! gateway policy can use it.

/// An AK/SK pair the fake accepts, with the security token of a temporary
/// credential. `Debug` redacts the SK and the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AkSk {
    /// Access key ID.
    pub ak: String,
    /// Secret access key.
    pub sk: String,
    /// `X-Security-Token` of a temporary credential; `None` for a permanent one.
    pub security_token: Option<String>,
}

impl std::fmt::Debug for AkSk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AkSk")
            .field("ak", &self.ak)
            .field("sk", &"[REDACTED]")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// What the fake accepts. `Debug` redacts every secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AcceptedCredentials {
    /// Accepted `X-Auth-Token` values.
    pub tokens: Vec<String>,
    /// Accepted AK/SK pairs.
    pub keys: Vec<AkSk>,
}

impl std::fmt::Debug for AcceptedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptedCredentials")
            .field("tokens", &format_args!("[{} REDACTED]", self.tokens.len()))
            .field("keys", &self.keys)
            .finish()
    }
}

impl AcceptedCredentials {
    /// Demo credentials derived from `seed`: one token, one permanent AK/SK
    /// and one temporary AK/SK with its security token.
    pub fn generate(seed: u64) -> AcceptedCredentials {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6372_6564_0000_0000);
        let mut text = |alphabet: &[u8], n: usize| -> String {
            (0..n)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
                .collect()
        };
        const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let token = format!("MIIfake{}", text(B64, 120));
        let permanent = AkSk {
            ak: text(UPPER, 20),
            sk: text(ALNUM, 40),
            security_token: None,
        };
        let temporary = AkSk {
            ak: text(UPPER, 20),
            sk: text(ALNUM, 40),
            security_token: Some(format!("gQpjbi1ub3J0aC00{}", text(B64, 200))),
        };
        AcceptedCredentials {
            tokens: vec![token],
            keys: vec![permanent, temporary],
        }
    }

    /// The first permanent AK/SK.
    pub fn permanent(&self) -> Option<&AkSk> {
        self.keys.iter().find(|k| k.security_token.is_none())
    }

    /// The first temporary AK/SK.
    pub fn temporary(&self) -> Option<&AkSk> {
        self.keys.iter().find(|k| k.security_token.is_some())
    }

    /// The pair with access key `ak`.
    pub(crate) fn key(&self, ak: &str) -> Option<&AkSk> {
        self.keys.iter().find(|k| k.ak == ak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let creds = AcceptedCredentials::generate(3);
        let text = format!("{creds:?}");
        assert!(!text.contains(&creds.tokens[0]));
        for key in &creds.keys {
            assert!(text.contains(&key.ak));
            assert!(!text.contains(&key.sk));
            if let Some(t) = &key.security_token {
                assert!(!text.contains(t.as_str()));
            }
        }
        assert_eq!(creds, AcceptedCredentials::generate(3));
        assert_ne!(creds, AcceptedCredentials::generate(4));
    }
}
