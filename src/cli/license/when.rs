//! The dates `--expires` and `--not-before` take: a day (`2027-12-31`), an
//! RFC 3339 instant (`2027-12-31T12:00:00Z`), or days from today (`30d`,
//! `+30d`, `4w`).

use jiff::Timestamp;
use jiff::civil::Date;

/// A date as given on the command line, resolved against the clock when
/// the command runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// A day in UTC.
    Day(Date),
    /// An exact instant.
    Instant(Timestamp),
    /// A number of days from today (UTC).
    Days(i64),
}

/// What a date may look like, for error messages.
const FORMS: &str = "write a day (2027-12-31, through the end of that day in UTC), an RFC 3339 time \
                     (2027-12-31T12:00:00Z) or a number of days or weeks from today (30d, +30d, 52w)";

/// Parses `2027-12-31`, `2027-12-31T12:00:00Z` or `30d` / `+30d` / `4w`.
pub fn parse_when(s: &str) -> Result<When, String> {
    let text = s.trim();
    let relative = text.strip_prefix('+').unwrap_or(text);
    if let Some((number, per)) = relative
        .strip_suffix('d')
        .map(|n| (n, 1))
        .or_else(|| relative.strip_suffix('w').map(|n| (n, 7)))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        let days = number
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .filter(|n| *n <= MAX_DAYS)
            .ok_or_else(|| {
                format!(
                    "`{s}` is out of range: at most {MAX_DAYS} days (about 8,000 years) from today"
                )
            })?;
        return Ok(When::Days(days));
    }
    if text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') {
        return text
            .parse::<Date>()
            .map(When::Day)
            .map_err(|e| format!("`{s}` is not a date ({e}); {FORMS}"));
    }
    if text.len() > 10 && matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return text
            .parse::<Timestamp>()
            .map(When::Instant)
            .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e}); {FORMS}"));
    }
    Err(format!("`{s}` is not a date: {FORMS}"))
}

/// More days than any date caio can represent is from today.
const MAX_DAYS: i64 = 3_000_000;

impl When {
    /// The day this names, for day-based forms.
    fn day(self, now: Timestamp) -> Result<Option<Date>, String> {
        match self {
            When::Day(day) => Ok(Some(day)),
            When::Instant(_) => Ok(None),
            When::Days(n) => {
                let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
                today
                    .checked_add(jiff::Span::new().days(n))
                    .map(Some)
                    .map_err(|_| {
                        format!(
                            "{n} days from today is out of range: the latest expiry date caio \
                             can represent is 9999-12-29"
                        )
                    })
            }
        }
    }

    /// The first instant the license is no longer valid: the end of the
    /// day (UTC) for a day, the instant itself for an RFC 3339 time.
    pub fn expiry(self, now: Timestamp) -> Result<Timestamp, String> {
        match (self, self.day(now)?) {
            (When::Instant(t), _) => Ok(t),
            (_, Some(day)) => caio_core::license::expiry_of(day),
            (_, None) => Err("no date given".into()),
        }
    }

    /// The first instant the license is valid: the start of the day (UTC)
    /// for a day, the instant itself for an RFC 3339 time.
    pub fn start(self, now: Timestamp) -> Result<Timestamp, String> {
        match (self, self.day(now)?) {
            (When::Instant(t), _) => Ok(t),
            (_, Some(day)) => caio_core::license::start_of(day),
            (_, None) => Err("no date given".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_three_forms() {
        let now = t("2027-03-10T15:00:00Z");
        assert_eq!(
            parse_when("2027-12-31").unwrap().expiry(now).unwrap(),
            t("2028-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_when("2027-12-31T12:00:00+02:00")
                .unwrap()
                .expiry(now)
                .unwrap(),
            t("2027-12-31T10:00:00Z")
        );
        for relative in ["30d", "+30d"] {
            assert_eq!(
                parse_when(relative).unwrap().expiry(now).unwrap(),
                t("2027-04-10T00:00:00Z"),
                "{relative}"
            );
        }
        assert_eq!(
            parse_when("2w").unwrap().start(now).unwrap(),
            t("2027-03-24T00:00:00Z")
        );
        assert_eq!(
            parse_when("0d").unwrap().start(now).unwrap(),
            t("2027-03-10T00:00:00Z")
        );
    }

    #[test]
    fn out_of_range_and_malformed_dates_say_so() {
        let now = t("2027-03-10T15:00:00Z");
        let err = parse_when("9999-12-30").unwrap().expiry(now).unwrap_err();
        assert!(
            err.contains("out of range") && err.contains("9999-12-29"),
            "{err}"
        );
        let err = parse_when("2999999d").unwrap().expiry(now).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        let err = parse_when("99999999999999999999d").unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        for bad in [
            "2027-02-30",
            "tomorrow",
            "30",
            "30x",
            "d",
            "+d",
            "2027-12-31T25:00:00Z",
        ] {
            let err = parse_when(bad).unwrap_err();
            assert!(
                err.contains(&format!("`{bad}`")) && !err.contains("overflow"),
                "{err}"
            );
        }
    }
}
