//! The pictures loket sends: a receipt for 58 mm thermal printers and a
//! month recap's chart. Each test is one rule of `loket::picture`, checked
//! on the decoded PNG (size, where the ink is), never on timing.

use loket::picture::{
    month_chart_png, receipt_png, ChartDay, MonthChart, StrukLine, CHART_HEIGHT, CHART_WIDTH,
    RECEIPT_WIDTH,
};

/// A decoded picture: one "is there ink here" flag a pixel.
struct Decoded {
    width: u32,
    height: u32,
    ink: Vec<bool>,
}

impl Decoded {
    fn at(&self, x: u32, y: u32) -> bool {
        self.ink[(y * self.width + x) as usize]
    }

    fn ink_count(&self) -> usize {
        self.ink.iter().filter(|i| **i).count()
    }

    /// The leftmost and rightmost columns with ink, if any.
    fn ink_columns(&self) -> Option<(u32, u32)> {
        let columns: Vec<u32> = (0..self.width)
            .filter(|x| (0..self.height).any(|y| self.at(*x, y)))
            .collect();
        Some((*columns.first()?, *columns.last()?))
    }

    /// The topmost and bottommost rows with ink, if any.
    fn ink_rows(&self) -> Option<(u32, u32)> {
        let rows: Vec<u32> = (0..self.height)
            .filter(|y| (0..self.width).any(|x| self.at(x, *y)))
            .collect();
        Some((*rows.first()?, *rows.last()?))
    }

    fn ink_width(&self) -> u32 {
        self.ink_columns()
            .map_or(0, |(left, right)| right - left + 1)
    }

    fn ink_height(&self) -> u32 {
        self.ink_rows().map_or(0, |(top, bottom)| bottom - top + 1)
    }
}

/// Decodes a PNG (panicking if it is not one); ink is any pixel not white.
fn decode(png_bytes: &[u8]) -> Decoded {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).expect("PNG pixel data");
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "expanded to 8 bits");
    let ink = buf[..info.buffer_size()]
        .chunks_exact(info.line_size)
        .flat_map(|row| row[..info.width as usize * channels].chunks_exact(channels))
        .map(|pixel| pixel.iter().take(3).any(|sample| *sample != 255))
        .collect();
    Decoded {
        width: info.width,
        height: info.height,
        ink,
    }
}

fn receipt(lines: &[StrukLine]) -> Decoded {
    decode(&receipt_png(lines))
}

/// A kind of line, made from its text.
type LineOf = fn(&str) -> StrukLine;

fn s(text: &str) -> String {
    text.to_string()
}

/// A PLN token receipt as the engine would word it.
fn pln_token_receipt() -> Vec<StrukLine> {
    vec![
        StrukLine::Title(s("KONTER BERKAH JAYA")),
        StrukLine::Centered(s("Jl. Merdeka No. 12, Bandung")),
        StrukLine::Rule,
        StrukLine::Pair(s("Tanggal"), s("14/11/2026 09:41 WIB")),
        StrukLine::Pair(s("Produk"), s("PLN Prabayar 100.000")),
        StrukLine::Pair(s("No. Meter"), s("14234567890")),
        StrukLine::Pair(s("Nama"), s("SITI AMINAH")),
        StrukLine::Pair(s("Tarif/Daya"), s("R1/1300 VA")),
        StrukLine::Pair(s("Ref"), s("LMWX8I4ZO0001Y2")),
        StrukLine::Rule,
        StrukLine::Centered(s("TOKEN")),
        StrukLine::Big(s("5316 4718 0234 5578 9910")),
        StrukLine::Rule,
        StrukLine::Pair(s("Total bayar"), s("Rp102.500")),
        StrukLine::Blank,
        StrukLine::Text(s("Simpan struk ini sebagai bukti pembayaran yang sah.")),
        StrukLine::Centered(s("Terima kasih")),
    ]
}

/// One line of every kind, each with `text` where it has text.
fn one_of_each(text: &str) -> Vec<StrukLine> {
    vec![
        StrukLine::Title(s(text)),
        StrukLine::Centered(s(text)),
        StrukLine::Text(s(text)),
        StrukLine::Pair(s(text), s(text)),
        StrukLine::Pair(s("Label"), s(text)),
        StrukLine::Pair(s(text), s("Nilai")),
        StrukLine::Big(s(text)),
        StrukLine::Rule,
        StrukLine::Blank,
    ]
}

fn month(days_in_month: u32, days: Vec<ChartDay>) -> MonthChart {
    MonthChart {
        title: s("Rekap November 2026"),
        sold_label: s("Penjualan"),
        profit_label: s("Laba"),
        max_label: s("Rp1.250.000"),
        days_in_month,
        days,
    }
}

fn thirty_days() -> Vec<ChartDay> {
    (1..=30)
        .map(|day| ChartDay {
            day,
            sold: i64::from(day) * 41_000,
            profit: i64::from(day % 7) * 2_500 - 2_500,
        })
        .collect()
}

#[test]
fn every_receipt_is_384_dots_wide_and_decodes() {
    let mut cases: Vec<(&str, Vec<StrukLine>)> = vec![
        ("no lines", vec![]),
        ("a PLN token receipt", pln_token_receipt()),
        ("one of each kind", one_of_each("Pulsa Telkomsel 10.000")),
        ("empty strings", one_of_each("")),
    ];
    for line in one_of_each("Rp102.500") {
        cases.push(("a single line", vec![line]));
    }
    for (name, lines) in cases {
        let picture = receipt(&lines);
        assert_eq!(picture.width, RECEIPT_WIDTH, "{name}: {lines:?}");
        assert_eq!(RECEIPT_WIDTH, 384);
        assert!(picture.height > 0, "{name}");
    }
}

#[test]
fn a_receipt_grows_with_its_lines() {
    for line in one_of_each("Token listrik") {
        let heights: Vec<u32> = (0..5)
            .map(|n| receipt(&vec![line.clone(); n]).height)
            .collect();
        assert!(
            heights.windows(2).all(|w| w[0] < w[1]),
            "{line:?}: heights for 0..5 lines are {heights:?}"
        );
    }
}

#[test]
fn a_long_line_wraps_onto_more_lines() {
    let short = "Terima kasih";
    let long = "Terima kasih sudah berbelanja di konter kami, simpan struk ini sebagai bukti";
    let cases: Vec<(&str, LineOf)> = vec![
        ("Title", |t| StrukLine::Title(s(t))),
        ("Centered", |t| StrukLine::Centered(s(t))),
        ("Text", |t| StrukLine::Text(s(t))),
        ("Big", |t| StrukLine::Big(s(t))),
        ("Pair label", |t| StrukLine::Pair(s(t), s("Rp5.000"))),
        ("Pair value", |t| StrukLine::Pair(s("Catatan"), s(t))),
    ];
    for (name, line) in cases {
        let one = receipt(&[line(short)]).height;
        let wrapped = receipt(&[line(long)]);
        assert!(wrapped.height > one, "{name}: {} vs {one}", wrapped.height);
        let (left, right) = wrapped.ink_columns().expect("ink");
        assert!(
            left >= 12 && right < RECEIPT_WIDTH - 12,
            "{name}: {left}..{right}"
        );
    }
}

#[test]
fn a_pair_too_wide_for_one_line_puts_its_value_on_the_next() {
    let fits = receipt(&[StrukLine::Pair(s("Total"), s("Rp102.500"))]);
    let label = "Biaya admin loket";
    let value = "Rp1.250.000 termasuk PPN"; // 17 + 1 + 24 > 36 columns
    let too_wide = receipt(&[StrukLine::Pair(s(label), s(value))]);
    assert!(too_wide.height > fits.height);
}

#[test]
fn a_word_longer_than_a_line_is_split_inside_the_margins() {
    let word = "7".repeat(500);
    let kinds: [(&str, LineOf); 4] = [
        ("Text", |t| StrukLine::Text(s(t))),
        ("Title", |t| StrukLine::Title(s(t))),
        ("Big", |t| StrukLine::Big(s(t))),
        ("Pair", |t| StrukLine::Pair(s(t), s(t))),
    ];
    for (name, line) in kinds {
        let split = receipt(&[line(&word)]);
        let one = receipt(&[line("7")]);
        assert!(split.height > 5 * one.height, "{name}");
        let (left, right) = split.ink_columns().expect("ink");
        assert!(
            left >= 12 && right < RECEIPT_WIDTH - 12,
            "{name}: {left}..{right}"
        );
    }
}

#[test]
fn characters_the_font_lacks_are_drawn_as_question_marks() {
    let cases = [
        ("🙂", "?"),
        ("Токен", "?????"),
        ("支付 OK", "?? OK"),
        ("Rp5.000 — lunas", "Rp5.000 ? lunas"),
        ("a\u{7f}b", "a?b"),
    ];
    for (text, drawn) in cases {
        for line in [StrukLine::Text, StrukLine::Title, StrukLine::Big] {
            assert_eq!(
                receipt_png(&[line(s(text))]),
                receipt_png(&[line(s(drawn))]),
                "{text:?} should look like {drawn:?}"
            );
        }
    }
    // Latin-1 letters are in the font: not question marks.
    assert_ne!(
        receipt_png(&[StrukLine::Text(s("Café ñ ü"))]),
        receipt_png(&[StrukLine::Text(s("Caf? ? ?"))])
    );
}

#[test]
fn any_text_renders_without_panic() {
    let texts = [
        "",
        " ",
        "\n",
        "\n\n\n",
        "\t\r\n\u{0}\u{1b}[31m",
        "👨‍👩‍👧‍👦 🇮🇩 🙂🙂🙂",
        "مرحبا بالعالم",
        "e\u{301}\u{301}\u{301}",
        "\u{200b}\u{feff}\u{a0}\u{ad}",
        "Сумма: 10 000 ₽ · 支付成功 · ✓",
        "\u{10ffff}\u{fffd}",
    ];
    for text in texts {
        for line in one_of_each(text) {
            let picture = receipt(std::slice::from_ref(&line));
            assert_eq!(picture.width, RECEIPT_WIDTH, "{line:?}");
        }
        let long = text.repeat(10);
        assert_eq!(receipt(&one_of_each(&long)).width, RECEIPT_WIDTH);
    }
}

#[test]
fn a_receipt_has_ink_and_an_empty_one_none() {
    assert!(receipt(&pln_token_receipt()).ink_count() > 1_000);
    assert!(receipt(&[StrukLine::Rule]).ink_count() > 0);
    let empty = vec![
        StrukLine::Title(s("")),
        StrukLine::Centered(s("")),
        StrukLine::Text(s(" ")),
        StrukLine::Pair(s(""), s("")),
        StrukLine::Big(s("\n")),
        StrukLine::Blank,
    ];
    for lines in [vec![], empty] {
        assert_eq!(receipt(&lines).ink_count(), 0, "{lines:?}");
    }
}

#[test]
fn each_kind_of_line_has_its_own_look() {
    let text = "TOKO";
    let plain = receipt(&[StrukLine::Text(s(text))]);
    let title = receipt(&[StrukLine::Title(s(text))]);
    let big = receipt(&[StrukLine::Big(s(text))]);
    let centred = receipt(&[StrukLine::Centered(s(text))]);
    let pair = receipt(&[StrukLine::Pair(s(text), s(text))]);

    // Title and Big are larger than Text: wider and taller in ink.
    for (name, large) in [("Title", &title), ("Big", &big)] {
        assert!(
            large.ink_width() > plain.ink_width(),
            "{name} wider than Text"
        );
        assert!(
            large.ink_height() > plain.ink_height(),
            "{name} taller than Text"
        );
    }
    // Text starts at the left margin; the centred kinds sit in the middle.
    let (left, _) = plain.ink_columns().expect("ink");
    assert!(left <= 14, "Text starts at the margin, not at {left}");
    for (name, picture) in [("Title", &title), ("Big", &big), ("Centered", &centred)] {
        let (left, right) = picture.ink_columns().expect("ink");
        let gap_left = i64::from(left);
        let gap_right = i64::from(RECEIPT_WIDTH - 1 - right);
        assert!(
            (gap_left - gap_right).abs() <= 20,
            "{name}: {left}..{right}"
        );
    }
    // A Pair's value ends at the right margin, on the label's line.
    let (left, right) = pair.ink_columns().expect("ink");
    assert!(
        left <= 14 && right >= RECEIPT_WIDTH - 16,
        "Pair: {left}..{right}"
    );
    assert_eq!(pair.height, plain.height);
}

#[test]
fn a_big_line_too_long_for_double_size_stays_on_one_line() {
    let token = receipt(&[StrukLine::Big(s("5316 4718 0234 5578 9910"))]);
    let amount = receipt(&[StrukLine::Big(s("Rp102.500"))]);
    assert_eq!(token.height, amount.height, "the token is not wrapped");
    assert!(token.ink_height() > receipt(&[StrukLine::Text(s("5316"))]).ink_height());
}

#[test]
fn a_receipt_never_grows_past_two_metres() {
    let lines = vec![StrukLine::Text(s("baris")); 10_000];
    let picture = receipt(&lines);
    assert!(picture.height <= 16_384, "{}", picture.height);
    assert!(picture.height > 16_000, "{}", picture.height);
}

#[test]
fn a_receipt_is_the_same_bytes_every_time() {
    for lines in [pln_token_receipt(), one_of_each("Ω 🙂 ÿ"), vec![]] {
        assert_eq!(receipt_png(&lines), receipt_png(&lines.clone()));
    }
}

#[test]
fn every_chart_is_800_by_400_and_decodes() {
    let weird = |day, sold, profit| ChartDay { day, sold, profit };
    let cases = vec![
        ("a 30-day month", month(30, thirty_days())),
        ("no days", month(30, vec![])),
        ("February", month(28, thirty_days())),
        ("a 31-day month", month(31, thirty_days())),
        ("zero days in the month", month(0, thirty_days())),
        ("one day in the month", month(1, thirty_days())),
        ("too many days in the month", month(u32::MAX, thirty_days())),
        (
            "days outside the month",
            month(
                30,
                vec![weird(0, 5, 5), weird(31, 5, 5), weird(u32::MAX, 1, 1)],
            ),
        ),
        (
            "extreme amounts",
            month(
                30,
                vec![
                    weird(1, i64::MAX, i64::MIN),
                    weird(2, i64::MIN, i64::MAX),
                    weird(3, 1, -1),
                    weird(3, 0, 0),
                ],
            ),
        ),
        (
            "odd labels",
            MonthChart {
                title: "Rekap 🙂 ".repeat(100),
                sold_label: s(""),
                profit_label: "Laba\n".repeat(100),
                max_label: "Rp".repeat(300),
                ..month(30, thirty_days())
            },
        ),
    ];
    for (name, chart) in cases {
        let picture = decode(&month_chart_png(&chart));
        assert_eq!(
            (picture.width, picture.height),
            (CHART_WIDTH, CHART_HEIGHT),
            "{name}"
        );
        assert!(picture.ink_count() > 0, "{name}: title, legend and axes");
    }
    assert_eq!((CHART_WIDTH, CHART_HEIGHT), (800, 400));
}

#[test]
fn a_chart_with_no_days_still_has_its_title_and_axes() {
    let empty = decode(&month_chart_png(&month(30, vec![])));
    let untitled = decode(&month_chart_png(&MonthChart {
        title: s(""),
        ..month(30, vec![])
    }));
    assert!(untitled.ink_count() > 500, "axes, legend and day numbers");
    assert!(empty.ink_count() > untitled.ink_count(), "the title");
}

#[test]
fn bars_grow_with_the_amounts() {
    let chart = |profit| {
        let days = vec![ChartDay {
            day: 10,
            sold: 1_000_000,
            profit,
        }];
        decode(&month_chart_png(&month(30, days))).ink_count()
    };
    let nothing = decode(&month_chart_png(&month(30, vec![]))).ink_count();
    assert!(chart(0) > nothing, "a sale draws a bar");
    assert!(chart(10_000) > chart(0), "any profit draws a bar");
    assert!(
        chart(500_000) > chart(10_000),
        "a larger profit, a taller bar"
    );
}

#[test]
fn a_loss_draws_no_bar_above_the_axis() {
    let chart = |profit| {
        let days = vec![ChartDay {
            day: 10,
            sold: 1_000_000,
            profit,
        }];
        decode(&month_chart_png(&month(30, days)))
    };
    let (loss, even) = (chart(-400_000), chart(0));
    // The plot is above the bottom 32 rows (axis, ticks, day numbers).
    let plot_rows = (CHART_HEIGHT - 32) * CHART_WIDTH;
    assert_eq!(
        loss.ink[..plot_rows as usize],
        even.ink[..plot_rows as usize]
    );
    assert_ne!(loss.ink, even.ink, "a loss leaves a mark under the axis");
}

#[test]
fn a_chart_is_the_same_bytes_every_time() {
    for chart in [month(30, thirty_days()), month(28, vec![])] {
        assert_eq!(month_chart_png(&chart), month_chart_png(&chart.clone()));
    }
}
