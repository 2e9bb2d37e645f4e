//! The command language of SPEC §2, as a table: what a reseller types →
//! the command loket understands, or the error it answers with.

use loket::catalog::{Catalog, FAMILIES};
use loket::command::{
    bill_example, command_named, help_lines, menu, parse, Audience, ButtonAction, Command, Intent,
    Lang, Login, Member, ParseError, COMMANDS,
};
use loket::i18n::Locales;

/// A compact picture of a parse result, so the table stays readable.
/// Parses every input of a (input, what it must read as) table and
/// reports every row that differs, not only the first.
fn assert_table(catalog: &Catalog, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (input, want) in cases {
        let got = show(parse(input, catalog));
        if got != *want {
            failures.push(format!("{input:?}: got `{got}`, want `{want}`"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn show(result: Result<Command, ParseError>) -> String {
    match result {
        Ok(Command::Topup(t)) => format!("topup {} {}", t.product, t.dest),
        Ok(Command::Inquiry(b)) => format!(
            "cek {} {} [{}]",
            b.target.product, b.target.dest, b.family.key
        ),
        Ok(Command::Pay(b)) => format!(
            "bayar {} {} [{}]",
            b.target.product, b.target.dest, b.family.key
        ),
        Ok(Command::Balance) => "saldo".into(),
        Ok(Command::Status { ref_id }) => format!("status {ref_id}"),
        Ok(Command::History) => "riwayat".into(),
        Ok(Command::Help) => "help".into(),
        Ok(Command::Language(None)) => "bahasa ?".into(),
        Ok(Command::Language(Some(Lang::Id))) => "bahasa id".into(),
        Ok(Command::Language(Some(Lang::En))) => "bahasa en".into(),
        Ok(Command::Login(Login::StepByStep)) => "login steps".into(),
        Ok(Command::Login(Login::Full {
            member_id,
            pin,
            api_key,
            base_url,
        })) => {
            format!(
                "login {member_id} {} {} {}",
                pin.expose(),
                api_key.expose(),
                base_url.unwrap_or_else(|| "-".into())
            )
        }
        Ok(Command::Logout) => "logout".into(),
        Ok(Command::Account) => "akun".into(),
        Ok(Command::Link) => "hubungkan".into(),
        Ok(Command::Unlink) => "putus".into(),
        Ok(Command::Allow(Member::RepliedTo)) => "izinkan reply".into(),
        Ok(Command::Allow(Member::Id(id))) => format!("izinkan {id}"),
        Ok(Command::Revoke(Member::RepliedTo)) => "cabut reply".into(),
        Ok(Command::Revoke(Member::Id(id))) => format!("cabut {id}"),
        Ok(Command::Cancel) => "batal".into(),
        Ok(Command::Prices(prices)) => format!("jual {prices:?}"),
        Ok(Command::Shop(shop)) => format!("toko {shop:?}"),
        Ok(Command::Receipt { ref_id }) => format!("struk {ref_id}"),
        Ok(Command::Recap(recap)) => format!("rekap {recap:?}"),
        Ok(Command::Export { month }) => format!("ekspor {month:?}"),
        Ok(Command::BalanceAlert(alert)) => format!("saldo minimal {alert:?}"),
        Ok(Command::Repeat) => "ulang".into(),
        Ok(Command::CheckAll) => "cek semua".into(),
        Ok(Command::PriceList) => "harga".into(),
        Ok(Command::SaveCustomer { target, name }) => {
            format!("simpan {} {} {name}", target.product, target.dest)
        }
        Ok(Command::Customers(query)) => format!("pelanggan {query:?}"),
        Ok(Command::ForgetCustomer(n)) => format!("hapus pelanggan {n}"),
        Err(e) => match e.example() {
            Some(example) => format!("error {} ({example})", e.message_id()),
            None => format!("error {}", e.message_id()),
        },
    }
}

#[test]
fn the_command_table() {
    let catalog = Catalog::builtin();
    let cases: &[(&str, &str)] = &[
        // prepaid topup
        ("T10 087712345678", "topup T10 087712345678"),
        ("t10 087712345678", "topup T10 087712345678"),
        ("T10.087712345678", "topup T10 087712345678"),
        ("  T10   087712345678  ", "topup T10 087712345678"),
        ("/beli T10 087712345678", "topup T10 087712345678"),
        ("/beli@loket_bot T10 087712345678", "topup T10 087712345678"),
        ("beli T10 087712345678", "topup T10 087712345678"),
        ("T10 +6287712345678", "topup T10 087712345678"),
        ("PLN20 12345678901", "topup PLN20 12345678901"),
        ("T10", "error err-missing-dest (T10 087712345678)"),
        ("/beli T10", "error err-missing-dest (T10 087712345678)"),
        ("T10 0877 1234 5678", "topup T10 087712345678"),
        (
            "T10 087712345678 2",
            "error err-too-many-words (T10 087712345678)",
        ),
        ("T10 08-77", "error err-bad-dest (T10 087712345678)"),
        ("T10 087", "error err-bad-dest (T10 087712345678)"),
        (
            "T10 087712345678 cek",
            "error err-not-a-bill (T10 087712345678)",
        ),
        (
            "T10 087712345678 bayar",
            "error err-not-a-bill (T10 087712345678)",
        ),
        (
            "/beli PLNPASC 546302215889",
            "error err-not-prepaid (PLNPASC 546302215889 cek)",
        ),
        // bill inquiry, action last, first, slash, dotted
        ("PLNPASC 546302215889 cek", "cek PLNPASC 546302215889 [pln]"),
        ("plnpasc 546302215889 CEK", "cek PLNPASC 546302215889 [pln]"),
        ("cek PLNPASC 546302215889", "cek PLNPASC 546302215889 [pln]"),
        (
            "/cek PLNPASC 546302215889",
            "cek PLNPASC 546302215889 [pln]",
        ),
        (
            "/CEK@loket_bot PLNPASC 546302215889",
            "cek PLNPASC 546302215889 [pln]",
        ),
        ("PLNPASC.546302215889.cek", "cek PLNPASC 546302215889 [pln]"),
        ("PLNPASC 546302215889", "cek PLNPASC 546302215889 [pln]"),
        (
            "PLNNONTGL 5392110012345 cek",
            "cek PLNNONTGL 5392110012345 [plnnontaglis]",
        ),
        ("PDAMKLT 0012345678 cek", "cek PDAMKLT 0012345678 [pdam]"),
        (
            "BPJSTKPU 12345678901 cek",
            "cek BPJSTKPU 12345678901 [bpjstk]",
        ),
        (
            "BPJSTKBPU 12345678901 cek",
            "cek BPJSTKBPU 12345678901 [bpjstk]",
        ),
        (
            "INDIHOME 121234567890 cek",
            "cek INDIHOME 121234567890 [telkom]",
        ),
        ("HALO 081234567890 cek", "cek HALO 081234567890 [hppasca]"),
        (
            "MATRIX 081512345678 cek",
            "cek MATRIX 081512345678 [hppasca]",
        ),
        (
            "TVINDOVISION 401234567890 cek",
            "cek TVINDOVISION 401234567890 [tv]",
        ),
        (
            "FNADIRA 2010123456789 cek",
            "cek FNADIRA 2010123456789 [finance]",
        ),
        ("PGN 0110012345 cek", "cek PGN 0110012345 [pgn]"),
        (
            "PERTAGAS 3200123456 cek",
            "cek PERTAGAS 3200123456 [pertagas]",
        ),
        // BPJS months
        (
            "BPJSKS 0001234567890 cek",
            "cek BPJSKS 0001234567890@1 [bpjsks]",
        ),
        (
            "BPJSKS 0001234567890 3 cek",
            "cek BPJSKS 0001234567890@3 [bpjsks]",
        ),
        (
            "/cek BPJSKS 0001234567890 12",
            "cek BPJSKS 0001234567890@12 [bpjsks]",
        ),
        (
            "BPJSKS 0001234567890@2 cek",
            "cek BPJSKS 0001234567890@2 [bpjsks]",
        ),
        (
            "BPJSKS 0001234567890 13 cek",
            "error err-bad-months (BPJSKS 0001234567890 3 cek)",
        ),
        (
            "BPJSKS 0001234567890 0 cek",
            "error err-bad-months (BPJSKS 0001234567890 3 cek)",
        ),
        (
            "BPJSKS 0001234567890 tiga cek",
            "error err-bad-months (BPJSKS 0001234567890 3 cek)",
        ),
        // PKB / PBB years
        (
            "PKBJABAR B1234XYZ 2025 cek",
            "cek PKBJABAR B1234XYZ@2025 [pkb]",
        ),
        (
            "pkbjabar b1234xyz 2025 cek",
            "cek PKBJABAR B1234XYZ@2025 [pkb]",
        ),
        (
            "PKBJABAR B1234XYZ cek",
            "error err-need-year (PKBJABAR B1234XYZ 2025 cek)",
        ),
        (
            "PKBJABAR B1234XYZ 25 cek",
            "error err-need-year (PKBJABAR B1234XYZ 2025 cek)",
        ),
        (
            "PBBBDG 327301000100100010 2024 cek",
            "cek PBBBDG@2024 327301000100100010 [pbb]",
        ),
        (
            "/cek PBBBDG 327301000100100010 2024",
            "cek PBBBDG@2024 327301000100100010 [pbb]",
        ),
        (
            "PBBBDG@2023 327301000100100010 cek",
            "cek PBBBDG@2023 327301000100100010 [pbb]",
        ),
        (
            "PBBBDG 327301000100100010 cek",
            "error err-need-year (PBBBDG 327301000100100010 2024 cek)",
        ),
        // credit card amounts
        (
            "CCBCA 4111111111111111 1500000 cek",
            "cek CCBCA@1500000 4111111111111111 [cc]",
        ),
        (
            "CCBCA 4111111111111111 1.500.000 cek",
            "cek CCBCA@1500000 4111111111111111 [cc]",
        ),
        (
            "CCBCA 4111111111111111 1,5jt cek",
            "cek CCBCA@1500000 4111111111111111 [cc]",
        ),
        (
            "CCBCA 4111111111111111 150rb cek",
            "cek CCBCA@150000 4111111111111111 [cc]",
        ),
        (
            "ccbca@250000 4111111111111111 cek",
            "cek CCBCA@250000 4111111111111111 [cc]",
        ),
        (
            "CCBCA 4111111111111111 cek",
            "error err-need-amount (CCBCA 4111111111111111 1500000 cek)",
        ),
        (
            "CCBCA 4111111111111111 banyak cek",
            "error err-need-amount (CCBCA 4111111111111111 1500000 cek)",
        ),
        // payment
        (
            "PLNPASC 546302215889 bayar",
            "bayar PLNPASC 546302215889 [pln]",
        ),
        (
            "bayar PLNPASC 546302215889",
            "bayar PLNPASC 546302215889 [pln]",
        ),
        (
            "/bayar PLNPASC 546302215889",
            "bayar PLNPASC 546302215889 [pln]",
        ),
        (
            "PLNPASC.546302215889.bayar",
            "bayar PLNPASC 546302215889 [pln]",
        ),
        (
            "BPJSKS 0001234567890 3 bayar",
            "bayar BPJSKS 0001234567890@3 [bpjsks]",
        ),
        (
            "PLNPASC 546302215889 extra bayar",
            "error err-too-many-words (PLNPASC 546302215889 cek)",
        ),
        (
            "PLNPASC bayar",
            "error err-missing-dest (PLNPASC 546302215889 cek)",
        ),
        // balance, status, history, help, language
        ("saldo", "saldo"),
        ("SALDO", "saldo"),
        ("sal", "saldo"),
        ("/saldo", "saldo"),
        ("/saldo@loket_bot", "saldo"),
        ("status LABC123", "status LABC123"),
        ("/status LABC123", "status LABC123"),
        ("status", "error err-need-refid"),
        ("status a b", "error err-need-refid"),
        ("riwayat", "riwayat"),
        ("/riwayat", "riwayat"),
        ("bantuan", "help"),
        ("help", "help"),
        ("/start", "help"),
        ("/bantuan", "help"),
        ("/help", "help"),
        ("/bahasa en", "bahasa en"),
        ("/bahasa ID", "bahasa id"),
        ("/bahasa", "bahasa ?"),
        ("/bahasa fr", "error err-bad-language"),
        ("bahasa en", "bahasa en"),
        ("bahasa xx", "error err-bad-language"),
        ("language xx", "error err-bad-language"),
        ("lang en", "bahasa en"),
        // a keyword with words it does not take answers with its own usage
        ("saldo x1", "error err-too-many-words (saldo)"),
        ("balance x1", "error err-too-many-words (saldo)"),
        ("/balance x1", "error err-too-many-words (/saldo)"),
        ("history 087712345678", "error err-too-many-words (riwayat)"),
        ("account 1", "error err-too-many-words (akun)"),
        (
            "/hubungkan sekarang",
            "error err-too-many-words (/hubungkan)",
        ),
        // account
        ("/login", "login steps"),
        ("/login AG001 1234 k3y", "login AG001 1234 k3y -"),
        (
            "/login AG001 1234 k3y https://h2h.example.co.id",
            "login AG001 1234 k3y https://h2h.example.co.id",
        ),
        ("/login AG001 1234", "error err-login-usage"),
        ("/logout", "logout"),
        ("/akun", "akun"),
        ("/batal", "batal"),
        // groups
        ("/hubungkan", "hubungkan"),
        ("/putus", "putus"),
        ("/izinkan", "izinkan reply"),
        ("/izinkan 123456789", "izinkan 123456789"),
        ("/izinkan budi", "error err-bad-user-id"),
        ("/cabut", "cabut reply"),
        ("/cabut 42", "cabut 42"),
        ("hubungkan", "error err-not-understood"),
        // a bare menu command asks for the rest, with an example
        ("/cek", "error err-missing-dest (/cek PLNPASC 546302215889)"),
        ("/beli", "error err-missing-dest (/beli T10 087712345678)"),
        (
            "/bayar@loket_bot",
            "error err-missing-dest (/bayar PLNPASC 546302215889)",
        ),
        // chatter and nonsense
        ("", "error err-not-understood"),
        ("   ", "error err-not-understood"),
        ("halo", "error err-not-understood"),
        ("apa kabar semua", "error err-not-understood"),
        ("/unknown", "error err-not-understood"),
        ("!!! ???", "error err-not-understood"),
        ("<b>T10</b> 0877", "error err-not-understood"),
    ];
    assert!(cases.len() >= 60, "the table must keep at least 60 cases");
    assert_table(&catalog, cases);
}

/// The intent a parsed command belongs to, to compare with its row.
fn intent_of(command: &Command) -> Intent {
    match command {
        Command::Topup(_) => Intent::Buy,
        Command::Inquiry(_) => Intent::Check,
        Command::Pay(_) => Intent::Pay,
        Command::Balance => Intent::Balance,
        Command::Status { .. } => Intent::Status,
        Command::History => Intent::History,
        Command::Help => Intent::Help,
        Command::Language(_) => Intent::Language,
        Command::Login(_) => Intent::Login,
        Command::Logout => Intent::Logout,
        Command::Account => Intent::Account,
        Command::Link => Intent::Link,
        Command::Unlink => Intent::Unlink,
        Command::Allow(_) => Intent::Allow,
        Command::Revoke(_) => Intent::Revoke,
        Command::Cancel => Intent::Cancel,
        Command::Prices(_) => Intent::Prices,
        Command::Shop(_) => Intent::Shop,
        Command::Receipt { .. } => Intent::Receipt,
        Command::Recap(_) => Intent::Recap,
        Command::Export { .. } => Intent::Export,
        Command::BalanceAlert(_) => Intent::Balance,
        Command::Repeat => Intent::Repeat,
        Command::SaveCustomer { .. } => Intent::SaveCustomer,
        Command::Customers(_) => Intent::Customers,
        Command::ForgetCustomer(_) => Intent::ForgetCustomer,
        Command::CheckAll => Intent::CheckAll,
        Command::PriceList => Intent::PriceList,
    }
}

/// Words each intent takes (`good`) and words it refuses (`bad`).
fn sample_args(intent: Intent) -> (&'static str, &'static str) {
    match intent {
        Intent::Buy => ("T10 087712345678", "T10 anto1"),
        Intent::Check | Intent::Pay => ("PLNPASC 546302215889", "PLNPASC 546"),
        Intent::Status => ("LABC123", "a b"),
        Intent::Language => ("en", "xx"),
        Intent::Login => ("AG001 1234 k3y", "AG001 1234"),
        Intent::Allow | Intent::Revoke => ("42", "budi"),
        Intent::Help => ("", ""),
        Intent::Receipt => ("LABC123", "a b"),
        Intent::Export | Intent::Recap => ("2026-11", "x1"),
        Intent::SaveCustomer => ("PLNPASC 546302215889 Pak Anto", "x1"),
        Intent::Customers => ("2", "x1"),
        Intent::ForgetCustomer => ("pelanggan 3", "x1"),
        Intent::Prices => ("T10 12000", "x1"),
        // A shop name longer than a receipt line.
        Intent::Shop => (
            "Konter Berkah, Jl. Mawar 5",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ),
        _ => ("", "x1"),
    }
}

fn typed(slash: bool, keyword: &str, args: &str) -> String {
    let keyword = if slash {
        format!("/{keyword}")
    } else {
        keyword.to_string()
    };
    if args.is_empty() {
        keyword
    } else {
        format!("{keyword} {args}")
    }
}

/// Issue 10, item 5: one table names every command. Each keyword of a row,
/// in each form the row has, parses to the row's command, and its aliases
/// mean exactly what its first keyword means, errors included: `language
/// xx` is `bahasa xx`, and `balance x1` answers with the keyword's own
/// usage, not a topup example.
#[test]
fn every_keyword_of_the_table_parses_and_its_aliases_agree() {
    let catalog = Catalog::builtin();
    let mut seen: Vec<&str> = Vec::new();
    let mut failures = Vec::new();
    for row in COMMANDS {
        assert!(row.plain || row.slash, "{:?} cannot be typed", row.intent);
        let (good, bad) = sample_args(row.intent);
        for keyword in row.keywords {
            assert!(!seen.contains(keyword), "`{keyword}` names two commands");
            seen.push(keyword);
            assert_eq!(*keyword, keyword.to_ascii_lowercase());
            for slash in [false, true] {
                let offered = if slash { row.slash } else { row.plain };
                assert_eq!(
                    command_named(keyword, slash).map(|r| r.intent),
                    offered.then_some(row.intent),
                    "{keyword} slash={slash}"
                );
                let input = typed(slash, keyword, good);
                let parsed = parse(&input, &catalog);
                if !offered {
                    if parsed.as_ref().is_ok_and(|c| intent_of(c) == row.intent) {
                        failures.push(format!("{input:?} parses but has no such form"));
                    }
                    continue;
                }
                match &parsed {
                    Ok(command) if intent_of(command) == row.intent => {}
                    other => failures.push(format!("{input:?}: {other:?}")),
                }
                let upper = input.to_ascii_uppercase();
                if !matches!(
                    row.intent,
                    Intent::Login
                        | Intent::Allow
                        | Intent::Revoke
                        | Intent::Shop
                        | Intent::SaveCustomer
                ) {
                    // (a PIN, a key, a user id and a shop's name are not upper-cased)
                    let same = show(parse(&upper, &catalog)) == show(parsed.clone());
                    if !same {
                        failures.push(format!("{upper:?} differs from {input:?}"));
                    }
                }
                let primary = typed(slash, row.name(), good);
                if show(parsed) != show(parse(&primary, &catalog)) {
                    failures.push(format!("{input:?} differs from {primary:?}"));
                }
                if matches!(row.intent, Intent::Help | Intent::PriceList) {
                    // Any words are its words (`harga pulsa`).
                    continue;
                }
                // Words the command does not take: the command's own error,
                // the same for every alias, never "not understood".
                let wrong = typed(slash, keyword, bad);
                let error = parse(&wrong, &catalog);
                let primary_error = parse(&typed(slash, row.name(), bad), &catalog);
                match &error {
                    Err(ParseError::NotUnderstood) | Ok(_) => {
                        failures.push(format!("{wrong:?}: {error:?}"));
                    }
                    Err(_) if error != primary_error => {
                        failures.push(format!("{wrong:?}: {error:?}, not {primary_error:?}"));
                    }
                    Err(_) => {}
                }
                if good.is_empty() {
                    let usage = typed(slash, row.name(), "");
                    if error
                        != Err(ParseError::TooManyWords {
                            example: usage.clone(),
                        })
                    {
                        failures.push(format!("{wrong:?}: {error:?}, not the usage {usage}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The Telegram menu and the help are read from the same rows: every
/// menu entry is a slash command that parses, every row has a help line
/// that names it, and the help shows every row's line.
#[test]
fn the_menu_and_help_come_from_the_command_table() {
    let catalog = Catalog::builtin();
    let locales = Locales::load();
    let telegram_name = |name: &str| {
        (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    for audience in [None, Some(Audience::Private), Some(Audience::Group)] {
        let entries = menu(audience);
        assert!(entries.len() >= 8, "{audience:?}: {entries:?}");
        for (name, text) in &entries {
            assert!(telegram_name(name), "{name}");
            let row = command_named(name, true).unwrap_or_else(|| panic!("/{name}"));
            assert_eq!(row.name(), *name);
            let (_, chats) = row.menu.expect("a menu row");
            if let Some(audience) = audience {
                assert!(chats.has(audience), "{name} in {audience:?}");
                assert!(
                    row.help_for(audience).is_some(),
                    "/{name} is in the {audience:?} menu but not in its help"
                );
            }
            let (args, _) = sample_args(row.intent);
            let input = typed(true, name, args);
            assert!(
                parse(&input, &catalog).is_ok_and(|c| intent_of(&c) == row.intent),
                "{input}: {:?}",
                parse(&input, &catalog)
            );
            for lang in [Lang::Id, Lang::En] {
                let description = locales.try_text(lang, text, &[]).unwrap();
                assert!(
                    (1..=256).contains(&description.chars().count()),
                    "{text}: {description}"
                );
            }
        }
    }
    let names = |entries: Vec<(&'static str, &'static str)>| {
        entries.into_iter().map(|(n, _)| n).collect::<Vec<_>>()
    };
    let everywhere = names(menu(None));
    let (private, group) = (
        names(menu(Some(Audience::Private))),
        names(menu(Some(Audience::Group))),
    );
    assert!(private.contains(&"login") && !group.contains(&"login"));
    assert!(group.contains(&"hubungkan") && !private.contains(&"hubungkan"));
    assert!(everywhere
        .iter()
        .all(|n| private.contains(n) || group.contains(n)));
    assert!(private.iter().chain(&group).all(|n| everywhere.contains(n)));

    for row in COMMANDS {
        let named = [Audience::Private, Audience::Group]
            .into_iter()
            .any(|audience| {
                row.help_for(audience).is_some_and(|id| {
                    locales
                        .try_text(Lang::Id, id, &[])
                        .unwrap()
                        .contains(row.name())
                })
            });
        assert!(named, "no help line names `{}`", row.name());
    }
    for lang in [Lang::Id, Lang::En] {
        for audience in [Audience::Private, Audience::Group] {
            let help = locales.help(lang, audience);
            let lines = help_lines(audience);
            for row in COMMANDS {
                if let Some(id) = row.help_for(audience) {
                    assert!(lines.contains(&id), "{id}");
                    let line = locales.try_text(lang, id, &[]).unwrap();
                    assert!(
                        help.contains(&line),
                        "{lang:?} {audience:?} help lacks {id}"
                    );
                }
            }
            let shown = lines
                .iter()
                .map(|id| locales.text(lang, id, &[]).lines().count());
            assert_eq!(
                help.lines().filter(|l| !l.is_empty()).count(),
                1 + shown.sum::<usize>(),
                "the help is its intro and the table's lines: {help}"
            );
        }
    }
    let private_help = locales.help(Lang::Id, Audience::Private);
    assert!(private_help.starts_with("loket — transaksi PPOB lewat chat."));
    assert!(private_help.contains("/login") && private_help.contains("saldo"));
    assert!(locales
        .help(Lang::Id, Audience::Group)
        .starts_with("loket di grup"));
    assert!(locales
        .help(Lang::En, Audience::Private)
        .starts_with("loket — PPOB transactions by chat."));
}

/// Issue 9, item 11: only text that looks like a transaction is ever sent.
/// A destination has the shape the catalogue gives its code's family
/// (digits of that family's length, a mobile number, a plate; letters only
/// where the family allows them); a product is letters then digits or a
/// code the catalogue names. Everything else is an error with an example.
#[test]
fn only_text_shaped_like_a_transaction_parses() {
    let catalog = Catalog::builtin();
    let cases: &[(&str, &str)] = &[
        // the two reports: a receipt request and a name are not transactions
        // (`struk` became the receipt command: still never a transaction)
        ("struk LMX584QEO0000ZC", "struk LMX584QEO0000ZC"),
        (
            "PLNPASC anto cek",
            "error err-bad-dest (PLNPASC 546302215889 cek)",
        ),
        // prepaid: a mobile number (+62 / 62 read as 0, dashes dropped) ...
        ("T10 087712345678", "topup T10 087712345678"),
        ("T10 +6287712345678", "topup T10 087712345678"),
        ("T10 6287712345678", "topup T10 087712345678"),
        ("T10 0877-1234-5678", "topup T10 087712345678"),
        ("T10 +62 877 1234 5678", "topup T10 087712345678"),
        ("T10 +62 877-1234-5678", "topup T10 087712345678"),
        (
            "T10 0812345678 90",
            "error err-too-many-words (T10 087712345678)",
        ),
        ("T10 0877 1234 5678", "topup T10 087712345678"),
        ("T10.0877.1234.5678", "topup T10 087712345678"),
        ("TSEL10 081234567890", "topup TSEL10 081234567890"),
        ("XL5 087812345678", "topup XL5 087812345678"),
        ("S25 085212345678", "topup S25 085212345678"),
        ("DANA20 +6281234567890", "topup DANA20 081234567890"),
        // ... or a digit ID of 5–20 digits (game ids, vouchers)
        ("FF70 123456789", "topup FF70 123456789"),
        ("T10 62123456789", "topup T10 62123456789"),
        ("T10 1234", "error err-bad-dest (T10 087712345678)"),
        (
            "T10 123456789012345678901",
            "error err-bad-dest (T10 087712345678)",
        ),
        ("T10 +62877", "error err-bad-dest (T10 087712345678)"),
        (
            "T10 +1 555 0100",
            "error err-too-many-words (T10 087712345678)",
        ),
        ("T10 0877abc12345", "error err-bad-dest (T10 087712345678)"),
        ("T10 anto", "error err-not-understood"),
        ("T10 anto1", "error err-bad-dest (T10 087712345678)"),
        // PLN tokens go to an 11-digit meter or a 12-digit IDPEL, never a phone
        ("PLN20 12345678901", "topup PLN20 12345678901"),
        ("PLN20 546302215889", "topup PLN20 546302215889"),
        (
            "PLN20 +6281234567890",
            "error err-bad-dest (PLN20 123456789012)",
        ),
        ("PLN20 5463", "error err-bad-dest (PLN20 123456789012)"),
        // PLN postpaid: 11–12 digits
        ("PLNPASC 546302215889 cek", "cek PLNPASC 546302215889 [pln]"),
        ("PLNPASC 54630221588 cek", "cek PLNPASC 54630221588 [pln]"),
        (
            "PLNPASC 5463-0221-5889 cek",
            "cek PLNPASC 546302215889 [pln]",
        ),
        (
            "PLNPASC 5463022158AB cek",
            "error err-bad-dest (PLNPASC 546302215889 cek)",
        ),
        (
            "PLNPASC 546 cek",
            "error err-bad-dest (PLNPASC 546302215889 cek)",
        ),
        (
            "PLNPASC 5463022158890 bayar",
            "error err-bad-dest (PLNPASC 546302215889 cek)",
        ),
        (
            "/cek PLNPASC anto",
            "error err-bad-dest (PLNPASC 546302215889 cek)",
        ),
        // HP postpaid: a mobile number
        ("HALO +6281234567890 cek", "cek HALO 081234567890 [hppasca]"),
        ("HALO 0812 3456 7890 cek", "cek HALO 081234567890 [hppasca]"),
        (
            "HALO 1234567890 cek",
            "error err-bad-dest (HALO 081234567890 cek)",
        ),
        // PKB: a plate, typed whole or in its three parts
        (
            "PKBJABAR B1234XYZ 2025 cek",
            "cek PKBJABAR B1234XYZ@2025 [pkb]",
        ),
        (
            "PKBJABAR B 1234 XYZ 2025 cek",
            "cek PKBJABAR B1234XYZ@2025 [pkb]",
        ),
        ("PKBJABAR D1 2024 cek", "cek PKBJABAR D1@2024 [pkb]"),
        (
            "pkbjabar b1234xyz@2025 cek",
            "cek PKBJABAR B1234XYZ@2025 [pkb]",
        ),
        (
            "PKBJABAR 1234 2025 cek",
            "error err-bad-dest (PKBJABAR B1234XYZ 2025 cek)",
        ),
        (
            "PKBJABAR BXYZ 2025 cek",
            "error err-bad-dest (PKBJABAR B1234XYZ 2025 cek)",
        ),
        (
            "PKBJABAR B12345XYZ 2025 cek",
            "error err-bad-dest (PKBJABAR B1234XYZ 2025 cek)",
        ),
        // BPJS Kesehatan: card (13) or VA (16) digits, months or a raw `@`
        (
            "BPJSKS 0001234567890 3 cek",
            "cek BPJSKS 0001234567890@3 [bpjsks]",
        ),
        (
            "BPJSKS 0001234567890@2 cek",
            "cek BPJSKS 0001234567890@2 [bpjsks]",
        ),
        (
            "BPJSKS 8888801234567890 cek",
            "cek BPJSKS 8888801234567890@1 [bpjsks]",
        ),
        (
            "BPJSKS 000123@2 cek",
            "error err-bad-dest (BPJSKS 0001234567890 3 cek)",
        ),
        (
            "BPJSKS anto@2 cek",
            "error err-bad-dest (BPJSKS 0001234567890 3 cek)",
        ),
        // PBB: an 18-digit NOP, dots and dashes as printed on the SPPT
        (
            "PBBBDG 327301000100100010 2024 cek",
            "cek PBBBDG@2024 327301000100100010 [pbb]",
        ),
        (
            "PBBBDG 32.73.010.001.001-0001.0 2024 cek",
            "cek PBBBDG@2024 327301000100100010 [pbb]",
        ),
        (
            "PBBBDG@2023 327301000100100010 cek",
            "cek PBBBDG@2023 327301000100100010 [pbb]",
        ),
        (
            "PBBBDG 3273010001 2024 cek",
            "error err-bad-dest (PBBBDG 327301000100100010 2024 cek)",
        ),
        // credit card: 13–19 digits
        (
            "CCBCA 4111111111111111 1500000 cek",
            "cek CCBCA@1500000 4111111111111111 [cc]",
        ),
        (
            "CCBCA@250000 4111111111111111 cek",
            "cek CCBCA@250000 4111111111111111 [cc]",
        ),
        (
            "CCBCA 4111 1500000 cek",
            "error err-bad-dest (CCBCA 4111111111111111 1500000 cek)",
        ),
        // letters only where the family allows them (finance contracts)
        (
            "FNADIRA AB123456789 cek",
            "cek FNADIRA AB123456789 [finance]",
        ),
        (
            "fnadira ab123456789 cek",
            "cek FNADIRA AB123456789 [finance]",
        ),
        (
            "FNADIRA ANTOSAJA cek",
            "error err-bad-dest (FNADIRA 2010123456789 cek)",
        ),
        (
            "PGN AB12345678 cek",
            "error err-bad-dest (PGN 0110012345 cek)",
        ),
        (
            "PDAMKLT AB12345678 cek",
            "error err-bad-dest (PDAMKLT 0012345678 cek)",
        ),
        // an all-letter word is a product only when the catalogue names it
        (
            "PULSA 087712345678",
            "error err-not-a-product (T10 087712345678)",
        ),
        ("STRUK 087712345678", "struk 087712345678"),
        (
            "PLN 546302215889",
            "error err-not-a-product (T10 087712345678)",
        ),
        (
            "beli PULSA 087712345678",
            "error err-not-a-product (T10 087712345678)",
        ),
        (
            "/beli PULSA 087712345678",
            "error err-not-a-product (T10 087712345678)",
        ),
        (
            "cek TAGIHAN 546302215889",
            "error err-not-a-product (PLNPASC 546302215889 cek)",
        ),
        ("jam 10", "error err-not-a-product (T10 087712345678)"),
        ("HALO 081234567890", "cek HALO 081234567890 [hppasca]"),
        ("PDAMKLT 0012345678", "cek PDAMKLT 0012345678 [pdam]"),
        ("halo semua", "error err-not-understood"),
    ];
    assert_table(&catalog, cases);
}

#[test]
fn every_family_example_has_its_own_shape() {
    let catalog = Catalog::builtin();
    for family in FAMILIES {
        let typed = bill_example(family, "cek");
        assert!(
            matches!(parse(&typed, &catalog), Ok(Command::Inquiry(_))),
            "{typed}: {:?}",
            parse(&typed, &catalog)
        );
    }
}

#[test]
fn catalogue_rules_set_destination_shapes() {
    let mut catalog = Catalog::builtin();
    catalog
        .add_rules(
            "FNMEGA finance digits:10-12  # this lender's contracts are digits\n\
             KOPKU finance                # inherits finance: letters allowed\n\
             ML* prepaid digits:8-16      # game id + zone, no phones\n\
             TSELPROMO prepaid            # an all-letter code, named here\n",
            "test",
        )
        .unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "FNMEGA AB12345678 cek",
            "error err-bad-dest (FNMEGA 123456789012 cek)",
        ),
        ("FNMEGA 1234567890 cek", "cek FNMEGA 1234567890 [finance]"),
        ("KOPKU AB12345678 cek", "cek KOPKU AB12345678 [finance]"),
        ("ML86 1234567812345", "topup ML86 1234567812345"),
        (
            "ML86 +6281234567890",
            "error err-bad-dest (ML86 123456789012)",
        ),
        ("TSELPROMO 081234567890", "topup TSELPROMO 081234567890"),
    ];
    for (input, want) in cases {
        assert_eq!(show(parse(input, &catalog)), *want, "{input}");
    }
    let mut digits_only = Catalog::builtin();
    digits_only
        .add_rules("* prepaid digits:10-13", "test")
        .unwrap();
    assert_eq!(
        show(parse("T10 +6287712345678", &digits_only)),
        "error err-bad-dest (T10 123456789012)",
        "the `*` rule sets every other prepaid code's shape"
    );
    for bad in [
        "X1 pln circle",
        "X1 pln digits:12-11",
        "X1 pln digits:0-5",
        "X1 pln digits:5-99",
        "* pln",
        "X1 pln digits extra",
    ] {
        assert!(Catalog::builtin().add_rules(bad, "x").is_err(), "{bad}");
    }
}

#[test]
fn overlong_messages_are_not_commands() {
    let catalog = Catalog::builtin();
    let long = format!("T10 {}", "1".repeat(600));
    assert_eq!(parse(&long, &catalog), Err(ParseError::NotUnderstood));
}

#[test]
fn operator_catalogue_file_extends_codes() {
    let dir = std::env::temp_dir().join(format!("loket-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("catalog.txt");
    std::fs::write(&path, "# local codes\nKABELKU tv\nSAMSATJKT pkb\n").unwrap();
    let catalog = Catalog::with_file(&path).unwrap();
    assert_eq!(
        show(parse("KABELKU 12345678 cek", &catalog)),
        "cek KABELKU 12345678 [tv]"
    );
    assert_eq!(
        show(parse("SAMSATJKT 1234XYZ 2024 cek", &catalog)),
        "error err-bad-dest (PKBJABAR B1234XYZ 2025 cek)",
        "a new code takes its family's destination shape"
    );
    assert_eq!(
        show(parse("SAMSATJKT B1XYZ 2024 cek", &catalog)),
        "cek SAMSATJKT B1XYZ@2024 [pkb]"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn button_data_round_trips_and_fits_telegram() {
    for action in [
        ButtonAction::Pay("L0123456789ABCDEF".into()),
        ButtonAction::CancelBill("L1".into()),
        ButtonAction::SendAgain("LZZZZZZZZZZZZZZZZZZZ".into()),
        ButtonAction::DontSend("L2".into()),
    ] {
        let data = action.encode();
        assert!(
            data.len() <= 64,
            "{data} is longer than Telegram's 64 bytes"
        );
        assert_eq!(ButtonAction::decode(&data), Some(action));
    }
    for junk in ["", "pay", "pay:", "pay:a b", "steal:L1", "pay:L1:x"] {
        assert_eq!(ButtonAction::decode(junk), None, "{junk:?}");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn on_any_text(text in "\\PC{0,80}") {
            let _ = parse(&text, &Catalog::builtin());
        }

        #[test]
        fn on_command_like_text(
            code in "[A-Za-z@/.]{0,12}",
            dest in "[0-9A-Za-z@.,+-]{0,20}",
            extra in "[0-9a-z.,]{0,10}",
            action in prop::sample::select(vec!["", "cek", "bayar", "beli", "/cek", "/bayar"]),
        ) {
            let catalog = Catalog::builtin();
            let _ = parse(&format!("{code} {dest} {extra} {action}"), &catalog);
            let _ = parse(&format!("{action} {code} {dest} {extra}"), &catalog);
            let _ = parse(&format!("{code}.{dest}.{action}"), &catalog);
        }

        /// Whatever is typed, a topup that parses goes to digits (5–20) and
        /// its product is letters then digits or a code the catalogue names.
        #[test]
        fn a_topup_that_parses_has_the_shape_of_one(
            code in "[A-Za-z]{1,6}[0-9]{0,3}",
            dest in "[0-9A-Za-z+@.-]{0,22}",
            action in prop::sample::select(vec!["", "beli", "/beli"]),
        ) {
            let catalog = Catalog::builtin();
            if let Ok(Command::Topup(t)) = parse(&format!("{action} {code} {dest}"), &catalog) {
                let base = t.dest.split('@').next().unwrap_or("");
                prop_assert!(
                    (5..=20).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_digit()),
                    "{code} {dest} → {}", t.dest
                );
                let product = t.product.split('@').next().unwrap_or("");
                prop_assert!(
                    product.bytes().any(|b| b.is_ascii_digit()) || catalog.knows(product),
                    "{code} {dest} → product {}", t.product
                );
            }
        }

        #[test]
        fn button_decoding_on_any_text(text in "\\PC{0,80}") {
            let _ = ButtonAction::decode(&text);
        }
    }
}
