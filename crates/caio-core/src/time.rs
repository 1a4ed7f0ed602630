//! Times as caio writes them: RFC 3339 UTC to the second.

/// `2026-11-21T20:12:15Z`: UTC, rounded to the second.
pub fn timestamp(t: jiff::Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_the_second_in_utc() {
        let t: jiff::Timestamp = "2026-11-21T20:12:14.6Z".parse().unwrap();
        assert_eq!(timestamp(t), "2026-11-21T20:12:15Z");
    }
}
