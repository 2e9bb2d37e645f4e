//! Both languages carry the same messages with the same variables, and
//! formatted text never holds Unicode isolation marks.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use loket::catalog::FAMILIES;
use loket::command::Lang;
use loket::i18n::{Locales, SOURCES};

fn collect_vars(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            collect_expr(expression, out);
        }
    }
}

fn collect_expr(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => collect_inline(inline, out),
        Expression::Select { selector, variants } => {
            collect_inline(selector, out);
            for v in variants {
                collect_vars(&v.value, out);
            }
        }
    }
}

fn collect_inline(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => collect_expr(expression, out),
        _ => {}
    }
}

/// message id → variables, for one language.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (source_lang, path, source) in SOURCES {
        if *source_lang != lang {
            continue;
        }
        let resource =
            fluent_syntax::parser::parse(*source).unwrap_or_else(|(_, e)| panic!("{path}: {e:?}"));
        for entry in resource.body {
            if let Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(value) = &m.value {
                    collect_vars(value, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_string(), vars).is_none(),
                    "{path}: {} repeated",
                    m.id.name
                );
            }
        }
    }
    out
}

#[test]
fn both_locales_have_the_same_ids_and_variables() {
    let id = messages(Lang::Id);
    let en = messages(Lang::En);
    assert!(id.len() > 50, "Indonesian has {} messages", id.len());
    let id_only: Vec<_> = id.keys().filter(|k| !en.contains_key(*k)).collect();
    let en_only: Vec<_> = en.keys().filter(|k| !id.contains_key(*k)).collect();
    assert!(
        id_only.is_empty() && en_only.is_empty(),
        "only in id: {id_only:?}; only in en: {en_only:?}"
    );
    for (key, vars) in &id {
        assert_eq!(Some(vars), en.get(key), "variables of `{key}` differ");
    }
}

#[test]
fn every_family_and_error_has_text_in_both_languages() {
    let locales = Locales::load();
    let mut ids: Vec<String> = FAMILIES
        .iter()
        .map(|f| format!("family-{}", f.key))
        .collect();
    ids.extend(
        [
            "err-not-understood",
            "err-missing-dest",
            "err-bad-target",
            "err-not-a-product",
            "err-bad-dest",
            "err-too-many-words",
            "err-bad-months",
            "err-need-year",
            "err-need-amount",
            "err-not-a-bill",
            "err-not-prepaid",
            "err-need-refid",
            "err-bad-language",
            "err-login-usage",
            "err-bad-user-id",
        ]
        .map(String::from),
    );
    for lang in [Lang::Id, Lang::En] {
        for id in &ids {
            let text = locales.text(lang, id, &[("example", "T10 087712345678".into())]);
            assert_ne!(&text, id, "`{id}` missing in {lang:?}");
        }
    }
}

#[test]
fn formatted_text_has_no_isolation_marks() {
    let locales = Locales::load();
    for lang in [Lang::Id, Lang::En] {
        let text = locales.text(
            lang,
            "balance",
            &[
                ("member", "DEMO".into()),
                ("amount", "Rp1.000".into()),
                ("at", "now".into()),
            ],
        );
        assert!(text.contains("DEMO") && text.contains("Rp1.000"), "{text}");
        assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text:?}");
    }
}

#[test]
fn languages_differ_where_they_should() {
    let locales = Locales::load();
    assert_ne!(
        locales.text(Lang::Id, "help", &[]),
        locales.text(Lang::En, "help", &[])
    );
    assert!(locales
        .text(Lang::Id, "language-set", &[])
        .contains("Indonesia"));
    assert!(locales
        .text(Lang::En, "language-set", &[])
        .contains("English"));
}

#[test]
fn every_message_id_the_code_names_exists() {
    let ids = messages(Lang::Id);
    let pattern = regex::Regex::new(r#""([a-z]+(?:-[a-z]+)+)""#).unwrap();
    let mut missing = Vec::new();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir("src/engine")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        [
            "src/console.rs",
            "src/command.rs",
            "src/main.rs",
            "src/telegram.rs",
        ]
        .map(Into::into),
    );
    assert!(files.len() >= 8, "{files:?}");
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let file = file.display();
        for capture in pattern.captures_iter(&source) {
            let id = &capture[1];
            if !ids.contains_key(id) {
                missing.push(format!("{file}: {id}"));
            }
        }
    }
    // Ids built at run time: `{kind}-{state}` results.
    for kind in ["topup", "pay"] {
        for state in ["success", "failed", "pending", "unknown"] {
            if !ids.contains_key(&format!("{kind}-{state}")) {
                missing.push(format!("{kind}-{state}"));
            }
        }
    }
    assert!(missing.is_empty(), "message ids without text: {missing:?}");
}
