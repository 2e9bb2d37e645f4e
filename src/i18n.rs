//! User-visible text: the Fluent bundles built from `locales/<lang>/*.ftl`,
//! embedded at compile time. Indonesian is the default; English mirrors it.
//!
//! Owns: message lookup and argument formatting. Must not: build text by
//! hand anywhere else; every user-visible string lives in `locales/`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::command::Lang;

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

impl Locales {
    pub fn load() -> Locales {
        Locales {
            id: bundle(Lang::Id),
            en: bundle(Lang::En),
        }
    }

    /// The message `id` in `lang` with `args`. A missing message falls back
    /// to Indonesian, then to the id itself (never panics).
    pub fn text(&self, lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
        let bundle = match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        };
        format_in(bundle, id, args)
            .or_else(|| format_in(&self.id, id, args))
            .unwrap_or_else(|| id.to_string())
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

fn format_in(bundle: &FluentBundle<FluentResource>, id: &str, args: &[Arg<'_>]) -> Option<String> {
    let message = bundle.get_message(id)?;
    let pattern = message.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, FluentValue::from(value.as_str()));
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    Some(text.into_owned())
}
