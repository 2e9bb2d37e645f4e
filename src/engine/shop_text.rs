//! The shop's outcomes → words, from `locales/`: the price list, the
//! shop's identity, a receipt (one list of lines that is both the text to
//! forward and the PNG to print) and a recap (with a month's chart).
//!
//! Owns: wording and layout of the shop's texts. Must not: decide who
//! may, or touch the store.

use super::outcome::{RecapView, Struk, StrukKind, StrukPeriod};
use super::*;
use crate::command::RecapPeriod;
use crate::picture::{ChartDay, MonthChart, StrukLine};
use crate::shop::{PriceBook, PriceRule, ShopProfile};

impl Engine {
    /// `/jual` alone: every rule, or how to add one.
    pub(super) fn price_list_text(&self, lang: Lang, book: &PriceBook) -> String {
        if book.rules.is_empty() {
            return self.text(lang, "price-none", &[]);
        }
        let lines: Vec<String> = book
            .rules
            .iter()
            .map(|rule| format!("• {}", self.price_rule_text(lang, rule)))
            .collect();
        format!(
            "{}\n{}\n{}",
            self.text(lang, "price-title", &[]),
            lines.join("\n"),
            self.text(lang, "price-hint", &[])
        )
    }

    pub(super) fn price_rule_text(&self, lang: Lang, rule: &PriceRule) -> String {
        match rule {
            PriceRule::Fixed { code, price } => self.text(
                lang,
                "price-rule-fixed",
                &[("code", code.clone()), ("price", price.to_string())],
            ),
            PriceRule::Markup { pattern, add } => self.text(
                lang,
                "price-rule-markup",
                &[("code", pattern.clone()), ("add", add.to_string())],
            ),
            PriceRule::FamilyFee { family, fee } => self.text(
                lang,
                "price-rule-fee",
                &[
                    ("family", self.text(lang, &format!("family-{family}"), &[])),
                    ("key", family.clone()),
                    ("fee", fee.to_string()),
                ],
            ),
        }
    }

    /// `/toko` alone: what receipts print.
    pub(super) fn shop_text(&self, lang: Lang, shop: Option<&ShopProfile>) -> String {
        let Some(shop) = shop else {
            return self.text(lang, "shop-none", &[]);
        };
        let none = || self.text(lang, "shop-field-none", &[]);
        self.text(
            lang,
            "shop-show",
            &[
                ("name", shop.name.clone()),
                ("address", shop.address.clone().unwrap_or_else(none)),
                ("footer", shop.footer.clone().unwrap_or_else(none)),
            ],
        )
    }

    /// A receipt's lines, top to bottom.
    pub(super) fn struk_lines(&self, lang: Lang, struk: &Struk) -> Vec<StrukLine> {
        let t = |id: &str| self.text(lang, id, &[]);
        let mut lines = Vec::new();
        if let Some(shop) = &struk.shop {
            lines.push(StrukLine::Title(shop.name.clone()));
            if let Some(address) = &shop.address {
                lines.push(StrukLine::Centered(address.clone()));
            }
        }
        lines.push(StrukLine::Rule);
        let (heading, family_name) = match &struk.kind {
            StrukKind::PlnToken => (t("struk-heading-token"), t("struk-family-token")),
            StrukKind::Topup => (t("struk-heading-topup"), t("struk-family-topup")),
            StrukKind::Bill(family) => {
                let name = t(&format!("family-{family}"));
                (
                    self.text(lang, "struk-heading-bill", &[("family", name.clone())]),
                    name,
                )
            }
        };
        lines.push(StrukLine::Centered(heading));
        lines.push(StrukLine::Centered(self.text(
            lang,
            "struk-time",
            &[("time", crate::wib::date_and_time(struk.at))],
        )));
        lines.push(StrukLine::Rule);
        lines.push(StrukLine::Pair(
            t("struk-product"),
            format!("{family_name} ({})", struk.product),
        ));
        lines.push(StrukLine::Pair(t("struk-dest"), struk.dest.clone()));
        if let Some(name) = &struk.name {
            lines.push(StrukLine::Pair(t("struk-name"), name.clone()));
        }
        match struk.period {
            Some(StrukPeriod::Months(months)) => lines.push(StrukLine::Pair(
                t("struk-months"),
                self.text(
                    lang,
                    "struk-months-value",
                    &[("months", months.to_string())],
                ),
            )),
            Some(StrukPeriod::Year(year)) => {
                lines.push(StrukLine::Pair(t("struk-year"), year.to_string()))
            }
            Some(StrukPeriod::Amount(amount)) => {
                lines.push(StrukLine::Pair(t("struk-card-amount"), amount.to_string()))
            }
            None => {}
        }
        match &struk.token {
            Some(token) => {
                if let Some(tariff) = &token.tariff {
                    lines.push(StrukLine::Pair(t("struk-tariff"), tariff.clone()));
                }
                if let Some(kwh) = &token.kwh {
                    lines.push(StrukLine::Pair(
                        t("struk-kwh"),
                        self.text(lang, "struk-kwh-value", &[("kwh", kwh.clone())]),
                    ));
                }
                lines.push(StrukLine::Blank);
                lines.push(StrukLine::Centered(t("struk-token")));
                lines.push(StrukLine::Big(token.token.clone()));
                lines.push(StrukLine::Blank);
            }
            None => {
                if let Some(sn) = &struk.sn {
                    lines.push(StrukLine::Pair(t("struk-sn"), sn.clone()));
                }
            }
        }
        lines.push(StrukLine::Rule);
        let price = struk
            .price
            .map_or_else(|| t("struk-unknown"), |price| price.to_string());
        lines.push(StrukLine::Pair(t("struk-price"), price));
        lines.push(StrukLine::Pair(t("struk-ref"), struk.ref_id.clone()));
        lines.push(StrukLine::Rule);
        let footer = struk
            .shop
            .as_ref()
            .and_then(|shop| shop.footer.clone())
            .unwrap_or_else(|| t("struk-thanks"));
        lines.push(StrukLine::Centered(footer));
        lines
    }

    /// A recap's text and, for a month, its chart.
    pub(super) fn recap_reply(&self, lang: Lang, view: &RecapView) -> Reply {
        let sums = &view.sums;
        let period = match view.period {
            RecapPeriod::Today | RecapPeriod::Yesterday | RecapPeriod::Day(_) => {
                let day = match view.period {
                    RecapPeriod::Day(day) => day,
                    _ => view.day,
                };
                self.text(
                    lang,
                    "recap-day",
                    &[("day", day.format("%d/%m/%Y").to_string())],
                )
            }
            RecapPeriod::Month(month) => self.text(
                lang,
                "recap-month",
                &[("month", self.month_name(lang, month))],
            ),
        };
        let mut text = self.text(
            lang,
            "recap",
            &[
                ("period", period.clone()),
                ("success", sums.success.to_string()),
                ("failed", sums.failed.to_string()),
                ("checking", sums.checking.to_string()),
                ("paid", sums.paid.to_string()),
                ("sold", sums.sold.to_string()),
                ("profit", sums.profit.to_string()),
            ],
        );
        if view.group_share {
            text.push('\n');
            text.push_str(&self.text(lang, "recap-group-share", &[]));
        }
        if !sums.top.is_empty() {
            text.push('\n');
            text.push_str(&self.text(lang, "recap-top", &[]));
            for (product, count, sold) in &sums.top {
                text.push('\n');
                text.push_str(&self.text(
                    lang,
                    "recap-top-line",
                    &[
                        ("product", product.clone()),
                        ("count", count.to_string()),
                        ("sold", sold.to_string()),
                    ],
                ));
            }
        }
        let RecapPeriod::Month(month) = view.period else {
            return Reply::text(text);
        };
        if sums.success == 0 {
            return Reply::text(text);
        }
        let max = sums
            .days
            .values()
            .map(|(sold, _)| *sold)
            .max()
            .unwrap_or_default();
        let chart = MonthChart {
            title: period,
            sold_label: self.text(lang, "recap-chart-sold", &[]),
            profit_label: self.text(lang, "recap-chart-profit", &[]),
            max_label: max.to_string(),
            days_in_month: month.days(),
            days: sums
                .days
                .iter()
                .map(|(day, (sold, profit))| ChartDay {
                    day: *day,
                    sold: sold.value(),
                    profit: profit.value(),
                })
                .collect(),
        };
        Reply {
            text,
            attachment: Some(Attachment::Photo {
                name: format!("rekap-{month}.png"),
                bytes: crate::picture::month_chart_png(&chart),
            }),
            ..Reply::default()
        }
    }

    /// `November 2026`.
    fn month_name(&self, lang: Lang, month: crate::command::Month) -> String {
        format!(
            "{} {}",
            self.text(lang, &format!("month-{}", month.month), &[]),
            month.year
        )
    }
}

/// A receipt's lines as text to forward: a label and its value on one
/// line, rules as dashes.
pub(super) fn struk_plain_text(lines: &[StrukLine]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for line in lines {
        out.push(match line {
            StrukLine::Title(text) => text.to_uppercase(),
            StrukLine::Centered(text) | StrukLine::Text(text) | StrukLine::Big(text) => {
                text.clone()
            }
            StrukLine::Pair(label, value) => format!("{label}: {value}"),
            StrukLine::Rule => "--------------------------------".to_string(),
            StrukLine::Blank => String::new(),
        });
    }
    out.join("\n")
}
