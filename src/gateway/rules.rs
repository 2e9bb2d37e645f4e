//! Operator rules for a center's reply dialect (`LOKET_REPLY_RULES`).
//!
//! Owns: reading and checking the rules file, and answering the reader's
//! questions from it (extra status phrases, outcome and refusal reasons,
//! field and balance patterns). Must not: read replies itself — the
//! reader in [`super::reply`] does, with these rules added to its own.
//!
//! One rule a line, `KIND VALUE`; `#` starts a comment:
//!
//! ```text
//! success  telah sukses          # extra status phrases (whole words, any case)
//! failed   ditolak biller
//! pending  antri
//! outcome  voucher habis         # a failure reason that is the transaction's own outcome
//! refusal  coba beberapa saat    # a failure reason that refuses the request: never a verdict
//! sn       Voucher: (\S+)        # regex with exactly one capture group
//! price    Biaya (\d[\d.]*)
//! reason   Ket: ([^.]+)
//! balance  ^Deposit anda (\d[\d.]*)
//! ```
//!
//! A bad rule stops loket at start with a message naming its line.

use std::path::Path;

use regex::Regex;

use super::reply::TxStatus;

/// Why a rules file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("cannot read: {message}")]
    Read { message: String },
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
}

/// A center's rules, added to the reader's built-in vocabulary.
#[derive(Debug, Clone, Default)]
pub struct ReplyRules {
    phrases: Vec<(String, TxStatus)>,
    outcomes: Vec<String>,
    refusals: Vec<String>,
    sn: Vec<Regex>,
    /// `price` lines: what the gateway charged.
    cost: Vec<Regex>,
    reason: Vec<Regex>,
    balance: Vec<Regex>,
}

/// The kinds of rule, as written in the file.
const KINDS: &str = "success, failed, pending, outcome, refusal, sn, price, reason, balance";

impl ReplyRules {
    /// Reads a rules file.
    pub fn load(path: &Path) -> Result<ReplyRules, RuleError> {
        let text = std::fs::read_to_string(path).map_err(|e| RuleError::Read {
            message: e.to_string(),
        })?;
        ReplyRules::parse(&text)
    }

    /// Parses rules text; the first bad line is the error.
    pub fn parse(text: &str) -> Result<ReplyRules, RuleError> {
        let mut rules = ReplyRules::default();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let fail = |message: String| RuleError::Line {
                line: line_no,
                message,
            };
            let content = strip_comment(line).trim();
            if content.is_empty() {
                continue;
            }
            let (kind, value) = content
                .split_once(char::is_whitespace)
                .map(|(k, v)| (k, v.trim()))
                .unwrap_or((content, ""));
            if value.is_empty() {
                return Err(fail(format!("`{kind}` needs a value")));
            }
            match kind.to_ascii_lowercase().as_str() {
                "success" => rules.phrases.push((phrase(value), TxStatus::Success)),
                "failed" => rules.phrases.push((phrase(value), TxStatus::Failed)),
                "pending" => rules.phrases.push((phrase(value), TxStatus::Pending)),
                "outcome" => rules.outcomes.push(phrase(value)),
                "refusal" => rules.refusals.push(phrase(value)),
                "sn" | "price" | "reason" | "balance" => {
                    let regex = Regex::new(value).map_err(|e| fail(format!("bad pattern: {e}")))?;
                    if regex.captures_len() != 2 {
                        return Err(fail(format!(
                            "a `{kind}` pattern needs exactly one capture group, this one has {}",
                            regex.captures_len() - 1
                        )));
                    }
                    match kind.to_ascii_lowercase().as_str() {
                        "sn" => rules.sn.push(regex),
                        "price" => rules.cost.push(regex),
                        "reason" => rules.reason.push(regex),
                        _ => rules.balance.push(regex),
                    }
                }
                other => {
                    return Err(fail(format!(
                        "unknown kind of rule `{other}` (one of: {KINDS})"
                    )))
                }
            }
        }
        Ok(rules)
    }

    /// Extra status phrases, lower-case, words separated by one space.
    pub fn status_phrases(&self) -> impl Iterator<Item = (&str, TxStatus)> {
        self.phrases.iter().map(|(p, s)| (p.as_str(), *s))
    }

    pub fn outcomes(&self) -> &[String] {
        &self.outcomes
    }

    pub fn refusals(&self) -> &[String] {
        &self.refusals
    }

    pub fn capture_sn(&self, text: &str) -> Option<String> {
        capture(&self.sn, text)
    }

    pub fn capture_cost(&self, text: &str) -> Option<String> {
        capture(&self.cost, text)
    }

    pub fn capture_reason(&self, text: &str) -> Option<String> {
        capture(&self.reason, text)
    }

    pub fn capture_balance(&self, text: &str) -> Option<String> {
        capture(&self.balance, text)
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
            && self.outcomes.is_empty()
            && self.refusals.is_empty()
            && self.sn.is_empty()
            && self.cost.is_empty()
            && self.reason.is_empty()
            && self.balance.is_empty()
    }
}

/// A `#` outside a pattern's character class or escape starts a comment:
/// ` #` (space, hash) does; `\#` and `[#]` inside a pattern do not.
fn strip_comment(line: &str) -> &str {
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None if line.trim_start().starts_with('#') => "",
        None => line,
    }
}

fn phrase(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn capture(patterns: &[Regex], text: &str) -> Option<String> {
    patterns.iter().find_map(|r| {
        let value = r.captures(text)?.get(1)?.as_str().trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_rule_is_read() {
        let rules = ReplyRules::parse(
            "# a center\n\
             success telah  SUKSES\n\
             failed ditolak biller # comment\n\
             pending antri\n\
             outcome voucher habis\n\
             refusal coba beberapa saat\n\
             sn Voucher: (\\S+)\n\
             price Biaya (\\d[\\d.]*)\n\
             reason Ket: ([^.]+)\n\
             balance ^Deposit anda (\\d[\\d.]*)\n",
        )
        .unwrap();
        let phrases: Vec<_> = rules.status_phrases().collect();
        assert_eq!(
            phrases,
            vec![
                ("telah sukses", TxStatus::Success),
                ("ditolak biller", TxStatus::Failed),
                ("antri", TxStatus::Pending),
            ]
        );
        assert_eq!(rules.outcomes(), ["voucher habis"]);
        assert_eq!(rules.refusals(), ["coba beberapa saat"]);
        assert_eq!(
            rules.capture_sn("ok. Voucher: AB12 x").as_deref(),
            Some("AB12")
        );
        assert_eq!(rules.capture_cost("Biaya 5.000").as_deref(), Some("5.000"));
        assert_eq!(
            rules.capture_reason("Ket: habis. x").as_deref(),
            Some("habis")
        );
        assert_eq!(
            rules.capture_balance("Deposit anda 10.000").as_deref(),
            Some("10.000")
        );
    }

    #[test]
    fn a_bad_rule_names_its_line() {
        for (text, line, says) in [
            ("success ok\nsn (unclosed\n", 2, "bad pattern"),
            ("\n\nprice no group here\n", 3, "exactly one capture group"),
            ("sn (a)(b)\n", 1, "exactly one capture group"),
            ("# c\nsukses hebat\n", 2, "unknown kind"),
            ("outcome\n", 1, "needs a value"),
        ] {
            let error = ReplyRules::parse(text).unwrap_err();
            assert_eq!(
                error,
                RuleError::Line {
                    line,
                    message: match &error {
                        RuleError::Line { message, .. } => message.clone(),
                        RuleError::Read { .. } => unreachable!(),
                    }
                },
                "{text:?}"
            );
            assert!(error.to_string().contains(says), "{error} for {text:?}");
            assert!(error.to_string().starts_with(&format!("line {line}:")));
        }
    }
}
