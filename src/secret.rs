//! `Secret`: a string that never shows itself. PINs, API keys and signs are
//! wrapped in it so that `Debug`, `Display` and logs print `***` instead.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The real value, for signing and encrypting only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `abcd…wxyz`-style mask for showing a key to its owner: the first and
    /// last two characters of long values, nothing of short ones.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 8 {
            return "****".to_string();
        }
        let head: String = chars[..2].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{head}****{tail}")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("super-secret-key-123");
        assert!(!format!("{s:?}").contains("super"));
        assert!(!format!("{s}").contains("super"));
        assert_eq!(s.masked(), "su****23");
        assert_eq!(Secret::new("1234").masked(), "****");
    }
}
