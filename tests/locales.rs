//! Both languages carry the same messages with the same variables, and
//! formatted text never holds Unicode isolation marks.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use loket::catalog::FAMILIES;
use loket::command::{Audience, Lang, ParseError};
use loket::i18n::{LocaleError, Locales, SOURCES};

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
    let args = [
        ("example", "T10 087712345678".to_string()),
        // `err-bad-dest` also says what the destination should be.
        ("kind", "phone".to_string()),
        ("length", "10–13".to_string()),
    ];
    for lang in [Lang::Id, Lang::En] {
        for id in &ids {
            if let Err(e) = locales.try_text(lang, id, &args) {
                panic!("`{id}` in {lang:?}: {e}");
            }
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
    for audience in [Audience::Private, Audience::Group] {
        assert_ne!(
            locales.help(Lang::Id, audience),
            locales.help(Lang::En, audience)
        );
    }
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
    let mut files: Vec<std::path::PathBuf> = ["src/engine", "src/telegram"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        [
            "src/console.rs",
            "src/command.rs",
            "src/i18n.rs",
            "src/main.rs",
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

/// Issue 10, item 6: a formatting problem is reported, not dropped. Every
/// message of both languages formats without a problem when given the
/// variables it names, and reports each one it is not given.
#[test]
fn every_message_formats_cleanly_with_its_variables_and_reports_a_missing_one() {
    let locales = Locales::load();
    for lang in [Lang::Id, Lang::En] {
        for (id, vars) in messages(lang) {
            let args: Vec<(&str, String)> = vars
                .iter()
                .map(|v| (v.as_str(), format!("<{v}>")))
                .collect();
            match locales.try_text(lang, &id, &args) {
                Ok(text) => {
                    for v in &vars {
                        // a variable only a selector reads is not shown
                        if id != "err-bad-dest" || v != "kind" {
                            assert!(text.contains(&format!("<{v}>")), "{id}: {text}");
                        }
                    }
                }
                Err(e) => panic!("{e}"),
            }
            for missing in &vars {
                let fewer: Vec<(&str, String)> = args
                    .iter()
                    .filter(|(name, _)| name != missing)
                    .cloned()
                    .collect();
                match locales.try_text(lang, &id, &fewer) {
                    Err(LocaleError::Format { problems, .. }) => {
                        assert!(problems.contains(missing.as_str()), "{id}: {problems}")
                    }
                    other => panic!("{id} without ${missing} in {lang:?}: {other:?}"),
                }
            }
        }
        assert!(matches!(
            locales.try_text(lang, "no-such-message", &[]),
            Err(LocaleError::Unknown { .. })
        ));
    }
}

/// The variables a parse error's message names are exactly the ones its
/// `args` give, for every kind of error.
#[test]
fn parse_errors_give_their_messages_every_variable() {
    let locales = Locales::load();
    let catalog = loket::catalog::Catalog::builtin();
    let typed = [
        "halo",
        "T10",
        "beli T10",
        "cek TAGIHAN 546302215889",
        "T10 087",
        "PLNPASC 546302215889 extra bayar",
        "BPJSKS 0001234567890 13 cek",
        "PKBJABAR B1234XYZ cek",
        "CCBCA 4111111111111111 cek",
        "T10 087712345678 cek",
        "/beli PLNPASC 546302215889",
        "status",
        "/bahasa fr",
        "/login AG001 1234",
        "/izinkan budi",
        "cek !!",
    ];
    let mut ids = BTreeSet::new();
    for text in typed {
        let error: ParseError = loket::command::parse(text, &catalog).unwrap_err();
        ids.insert(error.message_id());
        for lang in [Lang::Id, Lang::En] {
            if let Err(e) = locales.try_text(lang, error.message_id(), &error.args()) {
                panic!("{text:?}: {e}");
            }
        }
    }
    assert_eq!(ids.len(), 15, "every kind of parse error: {ids:?}");
}
