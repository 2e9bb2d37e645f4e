//! The reply corpus: real reply texts of OtomaX-family centers, collected
//! from public H2H documentation (each block in `tests/corpus/replies.txt`
//! names its source), each with what loket must read from it.
//!
//! Every block is read against the call it answers: the status it says
//! about that call, and the price, SN, reason, balance and bill fields.
//! Blocks marked `# deviates:` state the money-safe verdict, not the word.

use loket::gateway::{
    BalanceReply, Call, GatewayReply, MoneyCall, Phase, Reader, TxStatus, Verdict,
};
use loket::money::Rupiah;

const CORPUS: &str = include_str!("corpus/replies.txt");

#[derive(Debug, Default)]
struct Case {
    line: usize,
    source: String,
    deviates: bool,
    call: Vec<String>,
    text: String,
    expect: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut case = Case::default();
    let mut has_call = false;
    for (i, line) in CORPUS.lines().chain(std::iter::once("")).enumerate() {
        if line.trim().is_empty() {
            if has_call {
                out.push(std::mem::take(&mut case));
            }
            case = Case::default();
            has_call = false;
            continue;
        }
        if case.line == 0 {
            case.line = i + 1;
        }
        if let Some(note) = line.strip_prefix('#') {
            let note = note.trim();
            if let Some(source) = note.strip_prefix("source:") {
                case.source = source.trim().to_string();
            }
            if note.starts_with("deviates:") {
                case.deviates = true;
            }
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("line {}: not `key: value`: {line}", i + 1));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match key {
            "call" => {
                case.call = value.split_whitespace().map(str::to_string).collect();
                has_call = true;
            }
            "text" => case.text = value.replace("\\n", "\n"),
            _ => case
                .expect
                .push((key.to_string(), value.trim().to_string())),
        }
    }
    out
}

fn status_name(status: TxStatus) -> &'static str {
    match status {
        TxStatus::Success => "success",
        TxStatus::Failed => "failed",
        TxStatus::Pending => "pending",
        TxStatus::Unknown => "unknown",
    }
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Success => "success",
        Verdict::Failed => "failed",
        Verdict::Pending => "pending",
        Verdict::NotRecorded | Verdict::NoVerdict => "unknown",
    }
}

fn amount(value: Option<Rupiah>) -> Option<String> {
    value.map(|r| r.value().to_string())
}

/// What loket read from one case, as `key → value` in the corpus's terms.
fn read(reader: &Reader, case: &Case) -> Vec<(String, Option<String>)> {
    if case.call.first().map(String::as_str) == Some("balance") {
        let (status, balance) = match reader.balance(&case.text) {
            BalanceReply::Balance { amount, .. } => ("balance", Some(amount.value().to_string())),
            BalanceReply::Refused { .. } | BalanceReply::Unknown { .. } => ("unknown", None),
        };
        return vec![
            ("status".into(), Some(status.into())),
            ("balance".into(), balance),
        ];
    }
    let [kind, product, dest, ref_id] = &case.call[..] else {
        panic!("line {}: call needs KIND PRODUCT DEST REFID", case.line);
    };
    let call = Call {
        product,
        dest,
        ref_id,
    };
    let reply: GatewayReply = reader.read(&call, &case.text);
    let status = if case.deviates {
        let (money, phase) = match kind.as_str() {
            "topup" => (MoneyCall::Topup, Phase::Send { resend: false }),
            "payment" | "inquiry" => (MoneyCall::Payment, Phase::Send { resend: false }),
            "status-topup" => (MoneyCall::Topup, Phase::Check),
            _ => (MoneyCall::Payment, Phase::Check),
        };
        verdict_name(reader.verdict(money, phase, &call, &reply))
    } else {
        status_name(reply.status_for(&call))
    };
    vec![
        ("status".into(), Some(status.into())),
        ("price".into(), amount(reply.cost)),
        ("sn".into(), reply.sn.clone()),
        ("reason".into(), reply.reason.clone()),
        ("balance".into(), amount(reply.balance)),
        ("name".into(), reply.name.clone()),
        ("bill".into(), amount(reply.bill)),
        ("admin".into(), amount(reply.admin)),
    ]
}

#[test]
fn the_corpus_holds_enough_real_replies_with_sources() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in &cases {
        assert!(!case.source.is_empty(), "line {}: no source", case.line);
        assert!(
            case.expect.iter().any(|(k, _)| k == "status"),
            "line {}: no status",
            case.line
        );
    }
    let look_alikes = cases
        .iter()
        .filter(|c| {
            c.expect
                .iter()
                .any(|(k, v)| k == "status" && v == "unknown")
        })
        .count();
    assert!(look_alikes >= 10, "{look_alikes} look-alikes");
}

/// Every case reads as the corpus says: the status about this call and
/// each field it lists. Only fields about the call are expected (a reply
/// about another call yields `unknown` and no verdict), so a field the
/// case does not list is not checked.
#[test]
fn every_corpus_reply_reads_as_documented() {
    let reader = Reader::default();
    let mut wrong = Vec::new();
    for case in cases() {
        let got = read(&reader, &case);
        for (key, want) in &case.expect {
            let Some((_, value)) = got.iter().find(|(k, _)| k == key) else {
                wrong.push(format!("line {}: unknown key {key}", case.line));
                continue;
            };
            if value.as_deref() != Some(want.as_str()) {
                wrong.push(format!(
                    "line {}: {key}: want {want:?}, got {value:?}\n    {}",
                    case.line, case.text
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A reply that is `unknown` for its call never yields a money verdict,
/// in any phase.
#[test]
fn an_unknown_corpus_reply_is_never_a_verdict() {
    let reader = Reader::default();
    for case in cases() {
        let unknown = case
            .expect
            .iter()
            .any(|(k, v)| k == "status" && v == "unknown");
        if !unknown || case.call.len() != 4 {
            continue;
        }
        let call = Call {
            product: &case.call[1],
            dest: &case.call[2],
            ref_id: &case.call[3],
        };
        let reply = reader.read(&call, &case.text);
        let money = match case.call[0].as_str() {
            "topup" | "status-topup" => MoneyCall::Topup,
            _ => MoneyCall::Payment,
        };
        {
            for phase in [Phase::Send { resend: false }, Phase::Check] {
                let verdict = reader.verdict(money, phase, &call, &reply);
                assert!(
                    !matches!(verdict, Verdict::Success | Verdict::Failed),
                    "line {}: {verdict:?} from {:?}",
                    case.line,
                    case.text
                );
            }
        }
    }
}
