//! Time as loket's users read it: WIB (Asia/Jakarta, UTC+7, no daylight
//! saving), so a fixed offset is exact.
//!
//! Owns: the offset, WIB day boundaries and the formats users see. Must
//! not: read the clock — callers pass the instant.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

/// WIB's offset from UTC, in seconds.
const WIB_OFFSET_SECS: i32 = 7 * 3600;

/// The WIB offset.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(WIB_OFFSET_SECS).expect("UTC+7 is a valid offset")
}

/// `at` on a WIB wall clock.
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&offset())
}

/// The instant the WIB day holding `at` began (00:00 WIB).
pub fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    local(at)
        .with_time(NaiveTime::MIN)
        .single()
        .map(|start| start.with_timezone(&Utc))
        .unwrap_or(at)
}

/// The WIB calendar day holding `at`.
pub fn date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date_naive()
}

/// The instant a WIB calendar day begins (00:00 WIB is 17:00 UTC the day
/// before).
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(offset())
        .single()
        .map(|start| start.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Minutes after 00:00 WIB.
pub fn minute_of_day(at: DateTime<Utc>) -> u16 {
    let local = local(at);
    u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0)
}

/// `02/12/2026 14:05` in WIB, as a receipt prints it.
pub fn date_and_time(at: DateTime<Utc>) -> String {
    local(at).format("%d/%m/%Y %H:%M").to_string()
}

/// `2026-12-02 14:05:09` in WIB, as an export lists it.
pub fn export_time(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `14:05` in WIB.
pub fn clock_time(at: DateTime<Utc>) -> String {
    local(at).format("%H:%M").to_string()
}

/// `01/12 14:05` in WIB, as `riwayat` lists it.
pub fn day_and_time(at: DateTime<Utc>) -> String {
    local(at).format("%d/%m %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test time")
            .with_timezone(&Utc)
    }

    #[test]
    fn wib_days_start_at_midnight_jakarta() {
        let cases = [
            // 23:30 WIB on the 1st is 16:30 UTC.
            ("2026-12-01T16:30:00Z", "2026-11-30T17:00:00Z"),
            // 00:10 WIB on the 2nd is 17:10 UTC on the 1st.
            ("2026-12-01T17:10:00Z", "2026-12-01T17:00:00Z"),
            ("2026-12-01T00:00:00Z", "2026-11-30T17:00:00Z"),
        ];
        for (at, start) in cases {
            assert_eq!(day_start(utc(at)), utc(start), "{at}");
        }
    }

    #[test]
    fn users_read_wib_times() {
        assert_eq!(clock_time(utc("2026-12-01T16:30:00Z")), "23:30");
        assert_eq!(day_and_time(utc("2026-12-01T17:10:00Z")), "02/12 00:10");
    }
}
