//! `Secret`: a string that never shows itself. PINs, API keys and signs are
//! wrapped in it so that `Debug`, `Display` and logs print `***` instead.
//!
//! It is not `Serialize` (nor is anything holding one, like
//! [`Credentials`](crate::gateway::Credentials)): a secret reaches a file
//! or the wire only through [`Secret::expose`], where the store seals it
//! or a request signs with it.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
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
    use std::marker::PhantomData;

    /// `Probe::<T>::new().is_serialize()` is true only when `T` is
    /// `Serialize`: the inherent method exists only then, and method
    /// lookup falls back to the trait's `false` otherwise.
    struct Probe<T>(PhantomData<T>);

    impl<T> Probe<T> {
        fn new() -> Self {
            Probe(PhantomData)
        }
    }

    impl<T: serde::Serialize> Probe<T> {
        fn is_serialize(&self) -> bool {
            true
        }
    }

    trait NotSerialize {
        fn is_serialize(&self) -> bool {
            false
        }
    }

    impl<T> NotSerialize for Probe<T> {}

    #[test]
    fn secrets_and_credentials_cannot_be_serialised_in_clear() {
        // The probe itself: it sees a type that is.
        assert!(Probe::<String>::new().is_serialize());
        assert!(!Probe::<Secret>::new().is_serialize());
        assert!(!Probe::<crate::gateway::Credentials>::new().is_serialize());
        assert!(!Probe::<crate::command::Login>::new().is_serialize());
    }

    #[test]
    fn a_login_never_prints_its_pin_or_key() {
        let login = crate::command::Login::Full {
            member_id: "AG001".into(),
            pin: Secret::new("73916458"),
            api_key: Secret::new("kunci-rahasia-9f3"),
            base_url: None,
        };
        let shown = format!("{login:?}");
        assert!(shown.contains("AG001"), "{shown}");
        assert!(
            !shown.contains("73916458") && !shown.contains("kunci"),
            "{shown}"
        );
    }

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("super-secret-key-123");
        assert!(!format!("{s:?}").contains("super"));
        assert!(!format!("{s}").contains("super"));
        assert_eq!(s.masked(), "su****23");
        assert_eq!(Secret::new("1234").masked(), "****");
    }
}
