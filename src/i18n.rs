//! User-visible text: the Fluent bundles built from `locales/<lang>/*.ftl`,
//! embedded at compile time. Indonesian is the default; English mirrors it.
//!
//! Owns: message lookup, argument formatting and its errors (never dropped:
//! see [`Locales::text`]), and the help, put together from the lines the
//! command table names. Must not: build text by hand anywhere else; every
//! user-visible string lives in `locales/`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::command::{self, Audience, Lang};

/// The Fluent sources of each language, in load order.
pub const SOURCES: &[(Lang, &str, &str)] = &[
    (
        Lang::Id,
        "locales/id/loket.ftl",
        include_str!("../locales/id/loket.ftl"),
    ),
    (
        Lang::En,
        "locales/en/loket.ftl",
        include_str!("../locales/en/loket.ftl"),
    ),
];

pub struct Locales {
    id: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Locales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locales")
    }
}

/// One message argument; numbers are passed pre-formatted as text so that
/// money formatting stays in `money`.
pub type Arg<'a> = (&'a str, String);

/// A message that could not be formatted as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    /// No message (or one without a value) of that id in that language.
    #[error("no message `{id}` in {lang:?}")]
    Unknown { lang: Lang, id: String },
    /// Formatted with problems, such as a variable the caller did not
    /// give; `text` is Fluent's best effort (`{$name}` in its place).
    #[error("message `{id}` in {lang:?}: {problems}")]
    Format {
        lang: Lang,
        id: String,
        problems: String,
        text: String,
    },
}

impl Locales {
    pub fn load() -> Locales {
        Locales {
            id: bundle(Lang::Id),
            en: bundle(Lang::En),
        }
    }

    /// The message `id` in `lang` with `args`, or what is wrong with it:
    /// no fallback, every problem Fluent finds is an error.
    pub fn try_text(&self, lang: Lang, id: &str, args: &[Arg<'_>]) -> Result<String, LocaleError> {
        let bundle = match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        };
        let unknown = || LocaleError::Unknown {
            lang,
            id: id.to_string(),
        };
        let pattern = bundle
            .get_message(id)
            .and_then(|message| message.value())
            .ok_or_else(unknown)?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(value.as_str()));
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned();
        if errors.is_empty() {
            return Ok(text);
        }
        let problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
        Err(LocaleError::Format {
            lang,
            id: id.to_string(),
            problems: problems.join("; "),
            text,
        })
    }

    /// The message `id` in `lang` with `args`, for showing.
    ///
    /// A problem (an unknown id, a variable not given) is a bug in the
    /// code that asked: it is logged, and in a debug build (every test)
    /// it panics so that the test which reached it fails. A release build
    /// shows the best text it has: Fluent's, else the Indonesian message,
    /// else the id itself.
    pub fn text(&self, lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
        let error = match self.try_text(lang, id, args) {
            Ok(text) => return text,
            Err(error) => error,
        };
        tracing::error!(%error, "a locale message was asked for wrongly");
        if cfg!(debug_assertions) {
            panic!("{error}");
        }
        match error {
            LocaleError::Format { text, .. } => text,
            LocaleError::Unknown { .. } => match self.try_text(Lang::Id, id, args) {
                Ok(text) | Err(LocaleError::Format { text, .. }) => text,
                Err(LocaleError::Unknown { .. }) => id.to_string(),
            },
        }
    }

    /// The help of this kind of chat: its intro, then the help line of
    /// each command [`COMMANDS`](crate::command::COMMANDS) offers there.
    pub fn help(&self, lang: Lang, audience: Audience) -> String {
        let intro = match audience {
            Audience::Private => "help-intro",
            Audience::Group => "help-group-intro",
        };
        let mut help = self.text(lang, intro, &[]);
        help.push('\n');
        for line in command::help_lines(audience) {
            help.push('\n');
            help.push_str(&self.text(lang, line, &[]));
        }
        help
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let langid: LanguageIdentifier = lang.code().parse().expect("language code");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Telegram shows the Unicode isolation marks Fluent adds around
    // arguments as stray characters; loket's text is never bidirectional.
    bundle.set_use_isolating(false);
    for (source_lang, path, source) in SOURCES {
        if *source_lang != lang {
            continue;
        }
        let resource = FluentResource::try_new((*source).to_string())
            .unwrap_or_else(|(_, errors)| panic!("{path} does not parse: {errors:?}"));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("{path} repeats a message: {errors:?}"));
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_reported() {
        let locales = Locales::load();
        let error = locales
            .try_text(Lang::Id, "balance", &[("member", "DEMO".into())])
            .unwrap_err();
        let LocaleError::Format { problems, text, .. } = &error else {
            panic!("{error:?}");
        };
        assert!(
            problems.contains("amount") && problems.contains("at"),
            "{problems}"
        );
        assert!(
            text.contains("DEMO") && text.contains("{$amount}"),
            "{text}"
        );
        let given = [
            ("member", "DEMO".into()),
            ("amount", "Rp1.000".into()),
            ("at", "10:00".into()),
        ];
        assert!(locales.try_text(Lang::En, "balance", &given).is_ok());
    }

    #[test]
    fn an_unknown_message_is_reported() {
        let locales = Locales::load();
        assert_eq!(
            locales.try_text(Lang::En, "no such message", &[]),
            Err(LocaleError::Unknown {
                lang: Lang::En,
                id: "no such message".into()
            })
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "amount")]
    fn text_with_a_missing_variable_fails_the_test_that_asked() {
        Locales::load().text(Lang::Id, "balance", &[("member", "DEMO".into())]);
    }

    #[test]
    fn help_is_the_intro_and_the_table_lines() {
        let locales = Locales::load();
        for lang in [Lang::Id, Lang::En] {
            for audience in [Audience::Private, Audience::Group] {
                let help = locales.help(lang, audience);
                for line in command::help_lines(audience) {
                    assert!(help.contains(&locales.text(lang, line, &[])), "{line}");
                }
            }
        }
    }
}
