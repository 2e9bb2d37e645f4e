//! Pictures: a receipt (struk) for 58 mm thermal printers and a month
//! recap's bar chart, drawn in memory and encoded as PNG.
//!
//! Owns: laying out lines that are already worded (wrapping at word
//! boundaries, alignment, which font and size each kind of line gets),
//! drawing them with embedded-graphics' built-in bitmap fonts (ISO 8859-1,
//! so Indonesian and other Latin text; a character they lack is drawn as
//! `?`), drawing the chart's bars and axes, and encoding the pixels as PNG.
//! Same input, same bytes.
//!
//! Must not: do I/O, look up locale text, or format money or dates. The
//! caller words every line from `locales/` and formats amounts with
//! `money`; this module only draws the finished strings (the day numbers
//! under the chart are the one thing it writes itself).

use std::convert::Infallible;

use embedded_graphics::mono_font::iso_8859_1::{FONT_10X20, FONT_7X13, FONT_9X18_BOLD};
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::PixelColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};

/// One line of a receipt, already worded (the caller formats Rupiah, dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrukLine {
    /// The shop's name: large, bold, centred.
    Title(String),
    /// Centred normal text (address, footer).
    Centered(String),
    /// Left-aligned text, wrapped at the paper's width.
    Text(String),
    /// A label on the left and its value right-aligned on the same line
    /// (wrapped onto the next line when both do not fit).
    Pair(String, String),
    /// Large bold text, centred (a PLN token, the amount to pay).
    Big(String),
    /// A dashed rule across the paper.
    Rule,
    /// Empty space of one line.
    Blank,
}

/// Width of every receipt: 58 mm thermal printers print 384 dots at 203 dpi.
pub const RECEIPT_WIDTH: u32 = 384;

/// Width of every month chart, in pixels.
pub const CHART_WIDTH: u32 = 800;

/// Height of every month chart, in pixels.
pub const CHART_HEIGHT: u32 = 400;

/// One day of a month recap chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartDay {
    pub day: u32,
    pub sold: i64,
    pub profit: i64,
}

/// A month's bar chart: per day, a bar for what was sold and one for the
/// profit (Rupiah, whole numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthChart {
    /// e.g. "Rekap November 2026".
    pub title: String,
    /// Legend text, e.g. "Penjualan".
    pub sold_label: String,
    /// Legend text, e.g. "Laba".
    pub profit_label: String,
    /// The y axis' top value, already formatted by the caller, e.g.
    /// "Rp1.250.000". The top of the axis is the largest `sold` or `profit`
    /// among the drawn days, so this should be that value.
    pub max_label: String,
    /// 28..=31; every day gets a slot, days without sales show no bar.
    pub days_in_month: u32,
    pub days: Vec<ChartDay>,
}

// ---------------------------------------------------------------------------
// The receipt

/// Dots left blank at each side of the paper.
const MARGIN_X: u32 = 12;
/// Dots left blank above the first line and below the last.
const MARGIN_Y: u32 = 16;
/// Width the lines are laid out in.
const CONTENT_WIDTH: u32 = RECEIPT_WIDTH - 2 * MARGIN_X;
/// Space under each line of text, per unit of vertical magnification.
const LEADING: u32 = 4;
/// Height of the band a `Rule` takes, its dashes in the middle.
const RULE_BAND: u32 = 16;
/// Length of a dash and of the gap after it, in a receipt's rule and the
/// chart's gridline; a rule's thickness.
const DASH: u32 = 6;
const DASH_GAP: u32 = 4;
const RULE_THICKNESS: u32 = 2;
/// The tallest receipt drawn: 16 384 dots, about 2 m of paper. Lines that
/// would go past it are left off, so no input can ask for unbounded memory.
const MAX_RECEIPT_HEIGHT: u32 = 16_384;

/// A font at a magnification: how a kind of line looks.
#[derive(Clone, Copy)]
struct Face {
    font: &'static MonoFont<'static>,
    /// Each font pixel becomes `sx` × `sy` dots.
    sx: u32,
    sy: u32,
}

impl Face {
    fn cell_width(self) -> u32 {
        (self.font.character_size.width + self.font.character_spacing) * self.sx
    }

    fn height(self) -> u32 {
        self.font.character_size.height * self.sy
    }

    /// Characters that fit in `width` dots (at least one).
    fn columns(self, width: u32) -> usize {
        (width / self.cell_width()).max(1) as usize
    }

    fn width_of(self, text: &str) -> u32 {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        chars.saturating_mul(self.cell_width())
    }

    /// Height of one line in this face, the space under it included.
    fn line_height(self) -> u32 {
        self.height() + LEADING * self.sy
    }
}

/// `Text`, `Centered` and `Pair`: 10×20, 36 characters a line.
const NORMAL: Face = Face {
    font: &FONT_10X20,
    sx: 1,
    sy: 1,
};
/// `Title`, and `Big` when it fits on one line: 9×18 bold at double width
/// and height, 20 characters a line.
const LARGE: Face = Face {
    font: &FONT_9X18_BOLD,
    sx: 2,
    sy: 2,
};
/// `Big` that does not fit on one `LARGE` line: 9×18 bold at double height
/// only, 40 characters a line, so a 20-digit PLN token in groups of four
/// stays on one line.
const TALL: Face = Face {
    font: &FONT_9X18_BOLD,
    sx: 1,
    sy: 2,
};

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// Something drawn on the receipt, placed.
enum Mark {
    Glyphs {
        x: u32,
        y: u32,
        face: Face,
        text: String,
    },
    Rule {
        y: u32,
    },
}

/// The receipt laid out top to bottom: what goes where, and how tall.
struct Sheet {
    marks: Vec<Mark>,
    /// Where the next line starts.
    y: u32,
    /// Set once a line did not fit under `MAX_RECEIPT_HEIGHT`: the rest are
    /// left off.
    full: bool,
}

impl Sheet {
    fn new() -> Sheet {
        Sheet {
            marks: Vec::new(),
            y: MARGIN_Y,
            full: false,
        }
    }

    /// Reserves a band of `height` dots; false (and the sheet full) when it
    /// would go past the tallest receipt.
    fn reserve(&mut self, height: u32) -> bool {
        if self.full || self.y + height + MARGIN_Y > MAX_RECEIPT_HEIGHT {
            self.full = true;
            return false;
        }
        true
    }

    /// One line of text in `face`, holding each part at its alignment.
    fn row(&mut self, face: Face, parts: &[(&str, Align)]) {
        let height = face.line_height();
        if !self.reserve(height) {
            return;
        }
        for &(text, align) in parts {
            let free = CONTENT_WIDTH.saturating_sub(face.width_of(text));
            let x = MARGIN_X
                + match align {
                    Align::Left => 0,
                    Align::Center => free / 2,
                    Align::Right => free,
                };
            self.marks.push(Mark::Glyphs {
                x,
                y: self.y,
                face,
                text: text.to_string(),
            });
        }
        self.y += height;
    }

    /// Text wrapped at the paper's width, every line at `align`.
    fn paragraph(&mut self, face: Face, text: &str, align: Align) {
        for line in wrap(&drawable(text), face.columns(CONTENT_WIDTH)) {
            self.row(face, &[(&line, align)]);
        }
    }

    /// A label on the left and its value on the right, on the label's last
    /// line when both fit there, otherwise right-aligned on lines of its own.
    fn pair(&mut self, label: &str, value: &str) {
        let columns = NORMAL.columns(CONTENT_WIDTH);
        let labels = wrap(&drawable(label), columns);
        let values = wrap(&drawable(value), columns);
        let (last, first_labels) = match labels.split_last() {
            Some(split) => split,
            None => return,
        };
        let last_len = last.chars().count();
        let value_len = values.first().map_or(0, |v| v.chars().count());
        let gap = usize::from(last_len > 0 && value_len > 0);
        let shared = values.len() == 1 && last_len + gap + value_len <= columns;
        for line in first_labels {
            self.row(NORMAL, &[(line, Align::Left)]);
        }
        if shared {
            self.row(NORMAL, &[(last, Align::Left), (&values[0], Align::Right)]);
        } else {
            self.row(NORMAL, &[(last, Align::Left)]);
            for line in &values {
                self.row(NORMAL, &[(line, Align::Right)]);
            }
        }
    }

    fn rule(&mut self) {
        if self.reserve(RULE_BAND) {
            self.marks.push(Mark::Rule {
                y: self.y + (RULE_BAND - RULE_THICKNESS) / 2,
            });
            self.y += RULE_BAND;
        }
    }

    fn blank(&mut self) {
        let height = NORMAL.line_height();
        if self.reserve(height) {
            self.y += height;
        }
    }

    fn line(&mut self, line: &StrukLine) {
        match line {
            StrukLine::Title(text) => self.paragraph(LARGE, text, Align::Center),
            StrukLine::Centered(text) => self.paragraph(NORMAL, text, Align::Center),
            StrukLine::Text(text) => self.paragraph(NORMAL, text, Align::Left),
            StrukLine::Pair(label, value) => self.pair(label, value),
            StrukLine::Big(text) => {
                let text = drawable(text);
                let one_line =
                    !text.contains('\n') && text.chars().count() <= LARGE.columns(CONTENT_WIDTH);
                let face = if one_line { LARGE } else { TALL };
                self.paragraph(face, &text, Align::Center);
            }
            StrukLine::Rule => self.rule(),
            StrukLine::Blank => self.blank(),
        }
    }

    fn draw(&self) -> Canvas {
        let mut canvas = Canvas::new(RECEIPT_WIDTH, self.y + MARGIN_Y);
        for mark in &self.marks {
            match mark {
                Mark::Glyphs { x, y, face, text } => canvas.text(*x, *y, *face, text, Ink::Black),
                Mark::Rule { y } => {
                    let right = MARGIN_X + CONTENT_WIDTH;
                    canvas.dashes(MARGIN_X, right, *y, RULE_THICKNESS, Ink::Black);
                }
            }
        }
        canvas
    }
}

/// The receipt as a PNG, RECEIPT_WIDTH wide, black on white, as tall as its
/// lines need (with margins).
///
/// A 1-bit grayscale PNG marked 203 dpi. `Title` is 9×18 bold at double
/// size (20 characters a line); `Text`, `Centered` and `Pair` are 10×20 (36
/// a line); `Big` is like `Title` when it fits on one such line and double
/// height only (40 a line) when not. Text wraps at spaces, a word longer
/// than a line is split, `\n` breaks a line, and each line of text takes at
/// least one line on paper, an empty one too. Lines past about 2 m of paper
/// (16 384 dots) are left off.
pub fn receipt_png(lines: &[StrukLine]) -> Vec<u8> {
    let mut sheet = Sheet::new();
    for line in lines {
        sheet.line(line);
    }
    sheet.draw().encode_bilevel()
}

// ---------------------------------------------------------------------------
// The month chart

/// The chart's title: 9×18 bold, centred at the top.
const CHART_TITLE: Face = Face {
    font: &FONT_9X18_BOLD,
    sx: 1,
    sy: 1,
};
/// The legend, the axis label and the day numbers: 7×13.
const CHART_LABEL: Face = Face {
    font: &FONT_7X13,
    sx: 1,
    sy: 1,
};
/// Space kept blank at the chart's left and right edges.
const CHART_MARGIN: u32 = 16;
const CHART_TITLE_Y: u32 = 12;
const LEGEND_Y: u32 = 42;
/// Side of a legend's colour swatch, the space after it, and the space
/// between the two entries.
const SWATCH: u32 = 11;
const SWATCH_GAP: u32 = 6;
const LEGEND_GAP: u32 = 24;
/// The plot: from this line down to the x axis.
const PLOT_TOP: u32 = 76;
const AXIS_Y: u32 = CHART_HEIGHT - 32;
const PLOT_RIGHT: u32 = CHART_WIDTH - CHART_MARGIN;
/// The plot's left edge moves right to make room for `max_label`, within these.
const PLOT_LEFT_MIN: u32 = 48;
const PLOT_LEFT_MAX: u32 = 240;
/// Space between the end of `max_label` and the y axis.
const AXIS_LABEL_GAP: u32 = 12;
/// Length of an axis tick, and of the mark a loss leaves under the axis.
const TICK: u32 = 4;

/// The chart as a PNG (e.g. 800×400), title, legend, day numbers on the x
/// axis (every 5th is enough), y axis top labelled with max_label.
///
/// An 8-bit indexed PNG, CHART_WIDTH × CHART_HEIGHT. Day 1 and every 5th day
/// are numbered. The y axis runs from 0 to the largest `sold` or `profit`
/// among the drawn days; a bar for a value above 0 is at least one pixel
/// tall. A negative value draws no bar (it is clamped to 0); a negative
/// profit (a loss) leaves a short red mark under the axis below its slot,
/// not to scale, since the axis has no labelled range below 0.
/// `days_in_month` outside 1..=31 is clamped into it, and days outside
/// 1..=`days_in_month` are not drawn; two entries for one day draw over each
/// other, in order. Labels too long for their place are cut short.
pub fn month_chart_png(chart: &MonthChart) -> Vec<u8> {
    let mut canvas = Canvas::new(CHART_WIDTH, CHART_HEIGHT);
    let title = fitted(&chart.title, CHART_TITLE, CHART_WIDTH - 2 * CHART_MARGIN);
    let title_x = (CHART_WIDTH - CHART_TITLE.width_of(&title)) / 2;
    canvas.text(title_x, CHART_TITLE_Y, CHART_TITLE, &title, Ink::Black);
    legend(&mut canvas, &chart.sold_label, &chart.profit_label);
    let plot = Plot::new(chart);
    plot.bars(&mut canvas, chart);
    plot.axes(&mut canvas);
    canvas.encode_indexed()
}

/// The legend, centred under the title: a swatch and its label for what was
/// sold, then the same for profit.
fn legend(canvas: &mut Canvas, sold_label: &str, profit_label: &str) {
    let room = (CHART_WIDTH - 2 * CHART_MARGIN - LEGEND_GAP) / 2 - SWATCH - SWATCH_GAP;
    let entries = [
        (fitted(sold_label, CHART_LABEL, room), Ink::Sold),
        (fitted(profit_label, CHART_LABEL, room), Ink::Profit),
    ];
    let entry_width = |label: &str| SWATCH + SWATCH_GAP + CHART_LABEL.width_of(label);
    let width = entries.iter().map(|(l, _)| entry_width(l)).sum::<u32>() + LEGEND_GAP;
    let mut x = (CHART_WIDTH - width) / 2;
    for (label, ink) in &entries {
        canvas.fill(x, LEGEND_Y + 1, SWATCH, SWATCH, *ink);
        let label_x = x + SWATCH + SWATCH_GAP;
        canvas.text(label_x, LEGEND_Y, CHART_LABEL, label, Ink::Black);
        x += entry_width(label) + LEGEND_GAP;
    }
}

/// Where a month's days go: the plot's left edge (after `max_label`), one
/// slot a day with its two bars side by side, and the value at the top.
struct Plot {
    max_label: String,
    left: u32,
    slots: u32,
    slot_width: u32,
    first_slot: u32,
    bar_width: u32,
    /// The value a bar reaching `PLOT_TOP` stands for (0: no bars).
    top: i64,
}

impl Plot {
    fn new(chart: &MonthChart) -> Plot {
        let widest_label = PLOT_LEFT_MAX - CHART_MARGIN - AXIS_LABEL_GAP;
        let max_label = fitted(&chart.max_label, CHART_LABEL, widest_label);
        let left = (CHART_MARGIN + CHART_LABEL.width_of(&max_label) + AXIS_LABEL_GAP)
            .clamp(PLOT_LEFT_MIN, PLOT_LEFT_MAX);
        let slots = chart.days_in_month.clamp(1, 31);
        let width = PLOT_RIGHT - left;
        let slot_width = width / slots;
        let top = chart
            .days
            .iter()
            .filter(|d| (1..=slots).contains(&d.day))
            .map(|d| d.sold.max(d.profit).max(0))
            .max()
            .unwrap_or(0);
        Plot {
            max_label,
            left,
            slots,
            slot_width,
            first_slot: left + (width - slot_width * slots) / 2,
            // Two bars fill three quarters of the slot.
            bar_width: (slot_width - slot_width / 4).max(2) / 2,
            top,
        }
    }

    /// Left edge of `day`'s slot (1-based).
    fn slot_left(&self, day: u32) -> u32 {
        self.first_slot + (day - 1) * self.slot_width
    }

    /// Height of the bar for `value`: 0 for none, at least 1 for any above 0.
    fn bar_height(&self, value: i64) -> u32 {
        let room = AXIS_Y - PLOT_TOP;
        if value <= 0 || self.top <= 0 {
            return 0;
        }
        let scaled = i128::from(value) * i128::from(room) / i128::from(self.top);
        u32::try_from(scaled).unwrap_or(room).clamp(1, room)
    }

    fn bars(&self, canvas: &mut Canvas, chart: &MonthChart) {
        let bars_offset = (self.slot_width - 2 * self.bar_width) / 2;
        for day in chart
            .days
            .iter()
            .filter(|d| (1..=self.slots).contains(&d.day))
        {
            let sold_x = self.slot_left(day.day) + bars_offset;
            let profit_x = sold_x + self.bar_width;
            for (value, x, ink) in [
                (day.sold, sold_x, Ink::Sold),
                (day.profit, profit_x, Ink::Profit),
            ] {
                let height = self.bar_height(value);
                canvas.fill(x, AXIS_Y - height, self.bar_width, height, ink);
            }
            if day.profit < 0 {
                canvas.fill(profit_x, AXIS_Y + 1, self.bar_width, TICK, Ink::Loss);
            }
        }
    }

    /// The axes over the bars' feet, the top's gridline and `max_label`, and
    /// the day numbers under their slots.
    fn axes(&self, canvas: &mut Canvas) {
        let axis_x = self.left - 1;
        canvas.dashes(self.left, PLOT_RIGHT, PLOT_TOP, 1, Ink::Grid);
        canvas.fill(axis_x - TICK, PLOT_TOP, TICK, 1, Ink::Black);
        let label_x = self.left - AXIS_LABEL_GAP - CHART_LABEL.width_of(&self.max_label);
        let label_y = PLOT_TOP - CHART_LABEL.height() / 2;
        canvas.text(label_x, label_y, CHART_LABEL, &self.max_label, Ink::Black);
        canvas.fill(axis_x, PLOT_TOP, 1, AXIS_Y - PLOT_TOP + 1, Ink::Black);
        canvas.fill(axis_x, AXIS_Y, PLOT_RIGHT - axis_x, 1, Ink::Black);
        for day in (1..=self.slots).filter(|d| *d == 1 || d % 5 == 0) {
            let number = day.to_string();
            let centre = self.slot_left(day) + self.slot_width / 2;
            canvas.fill(centre, AXIS_Y + 1, 1, TICK, Ink::Black);
            let x = centre.saturating_sub(CHART_LABEL.width_of(&number) / 2);
            canvas.text(x, AXIS_Y + TICK + 4, CHART_LABEL, &number, Ink::Black);
        }
    }
}

// ---------------------------------------------------------------------------
// Text

/// The text as the fonts can draw it, one character a cell: `\n` kept as a
/// line break, a no-break space kept, other whitespace a space, and any
/// character outside ISO 8859-1's printable ones a `?`.
fn drawable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\u{a0}' | ' '..='~' | '\u{a1}'..='\u{ff}' => c,
            c if c.is_whitespace() => ' ',
            _ => '?',
        })
        .collect()
}

/// `text` cut into lines of at most `columns` characters at spaces; a word
/// longer than a line is split. Every paragraph (between `\n`s) gives at
/// least one line, an empty one for an empty paragraph.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let len = word.chars().count();
            if used > 0 && used + 1 + len <= columns {
                line.push(' ');
                line.push_str(word);
                used += 1 + len;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while let Some((cut, _)) = rest.char_indices().nth(columns) {
                lines.push(rest[..cut].to_string());
                rest = &rest[cut..];
            }
            line.push_str(rest);
            used = rest.chars().count();
        }
        lines.push(line);
    }
    lines
}

/// `text` made drawable on one line and cut to what fits in `width` dots.
fn fitted(text: &str, face: Face, width: u32) -> String {
    let columns = (width / face.cell_width()) as usize;
    drawable(text)
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .take(columns)
        .collect()
}

// ---------------------------------------------------------------------------
// Pixels

/// A colour on a picture; its discriminant is its index in `PALETTE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Ink {
    Paper = 0,
    Black = 1,
    Sold = 2,
    Profit = 3,
    Loss = 4,
    Grid = 5,
}

impl PixelColor for Ink {
    type Raw = ();
}

/// The chart's colours as RGB, in `Ink`'s order.
const PALETTE: [u8; 18] = [
    0xff, 0xff, 0xff, // Paper
    0x1f, 0x1f, 0x1f, // Black: text and axes
    0x25, 0x63, 0xeb, // Sold: blue
    0x16, 0xa3, 0x4a, // Profit: green
    0xdc, 0x26, 0x26, // Loss: red
    0xc8, 0xc8, 0xc8, // Grid: light grey
];

/// An in-memory picture, one `Ink` a pixel, row by row; what is drawn
/// outside it is dropped.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<Ink>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![Ink::Paper; width as usize * height as usize],
        }
    }

    /// Fills the rectangle at (`x`, `y`), `w` × `h`, clipped to the canvas.
    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, ink: Ink) {
        let right = x.saturating_add(w).min(self.width);
        let bottom = y.saturating_add(h).min(self.height);
        if x >= right {
            return;
        }
        for row in y..bottom {
            let start = row as usize * self.width as usize;
            self.pixels[start + x as usize..start + right as usize].fill(ink);
        }
    }

    /// A dashed line from `left` to `right`, `thickness` thick, at `y`.
    fn dashes(&mut self, left: u32, right: u32, y: u32, thickness: u32, ink: Ink) {
        for x in (left..right).step_by((DASH + DASH_GAP) as usize) {
            self.fill(x, y, DASH.min(right - x), thickness, ink);
        }
    }

    /// Draws one line of drawable `text` with its top-left corner at
    /// (`x`, `y`).
    fn text(&mut self, x: u32, y: u32, face: Face, text: &str, ink: Ink) {
        let style = MonoTextStyle::new(face.font, ink);
        let origin = Point::new(
            i32::try_from(x).unwrap_or(i32::MAX),
            i32::try_from(y).unwrap_or(i32::MAX),
        );
        let mut target = Magnified {
            canvas: self,
            origin,
            sx: face.sx,
            sy: face.sy,
        };
        // Drawing on a canvas cannot fail: its error type is `Infallible`.
        let Ok(_) =
            Text::with_baseline(text, Point::zero(), style, Baseline::Top).draw(&mut target);
    }

    /// A 1-bit grayscale PNG, marked 203 dpi: paper is white, any ink black.
    fn encode_bilevel(&self) -> Vec<u8> {
        let row_bytes = self.width.div_ceil(8) as usize;
        let mut data = vec![0u8; row_bytes * self.height as usize];
        for (row, pixels) in data
            .chunks_exact_mut(row_bytes)
            .zip(self.pixels.chunks_exact(self.width as usize))
        {
            for (byte, eight) in row.iter_mut().zip(pixels.chunks(8)) {
                for (bit, ink) in eight.iter().enumerate() {
                    if *ink == Ink::Paper {
                        *byte |= 0x80 >> bit;
                    }
                }
            }
        }
        // 203 dots an inch is 7 992 a metre.
        let dpi_203 = png::PixelDimensions {
            xppu: 7_992,
            yppu: 7_992,
            unit: png::Unit::Meter,
        };
        png_bytes(
            self,
            &data,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            |e| {
                e.set_pixel_dims(Some(dpi_203));
            },
        )
    }

    /// An 8-bit indexed PNG with `PALETTE`.
    fn encode_indexed(&self) -> Vec<u8> {
        let data: Vec<u8> = self.pixels.iter().map(|ink| *ink as u8).collect();
        png_bytes(
            self,
            &data,
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            |e| {
                e.set_palette(&PALETTE[..]);
            },
        )
    }
}

/// `data`, the canvas's pixels packed as `color` at `depth`, as a PNG;
/// `chunks` adds what else its header says.
fn png_bytes(
    canvas: &Canvas,
    data: &[u8],
    color: png::ColorType,
    depth: png::BitDepth,
    chunks: impl FnOnce(&mut png::Encoder<'static, &mut Vec<u8>>),
) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, canvas.width, canvas.height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    chunks(&mut encoder);
    let written = encoder.write_header().and_then(|mut writer| {
        writer.write_image_data(data)?;
        writer.finish()
    });
    // Writing to memory fails only when the data does not match the
    // header, which the canvas's own sizes rule out.
    written.expect("a canvas's pixels match its PNG header");
    bytes
}

impl OriginDimensions for Canvas {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Canvas {
    type Color = Ink;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Ink>>,
    {
        for Pixel(at, ink) in pixels {
            if let (Ok(x), Ok(y)) = (u32::try_from(at.x), u32::try_from(at.y)) {
                self.fill(x, y, 1, 1, ink);
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, ink: Ink) -> Result<(), Infallible> {
        let area = area.intersection(&self.bounding_box());
        let (x, y) = (area.top_left.x.max(0) as u32, area.top_left.y.max(0) as u32);
        self.fill(x, y, area.size.width, area.size.height, ink);
        Ok(())
    }
}

/// The canvas as text sees it: a pixel at (x, y) fills the `sx` × `sy`
/// block at `origin` + (x·sx, y·sy).
struct Magnified<'a> {
    canvas: &'a mut Canvas,
    origin: Point,
    sx: u32,
    sy: u32,
}

impl Dimensions for Magnified<'_> {
    fn bounding_box(&self) -> Rectangle {
        let (sx, sy) = (self.sx.max(1) as i32, self.sy.max(1) as i32);
        Rectangle::new(
            Point::new(
                (-self.origin.x).div_euclid(sx),
                (-self.origin.y).div_euclid(sy),
            ),
            Size::new(
                self.canvas.width.div_ceil(sx as u32) + 1,
                self.canvas.height.div_ceil(sy as u32) + 1,
            ),
        )
    }
}

impl DrawTarget for Magnified<'_> {
    type Color = Ink;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Infallible>
    where
        I: IntoIterator<Item = Pixel<Ink>>,
    {
        let (sx, sy) = (self.sx as i32, self.sy as i32);
        for Pixel(at, ink) in pixels {
            let x = self.origin.x.saturating_add(at.x.saturating_mul(sx));
            let y = self.origin.y.saturating_add(at.y.saturating_mul(sy));
            if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) {
                self.canvas.fill(x, y, self.sx, self.sy, ink);
            }
        }
        Ok(())
    }
}
