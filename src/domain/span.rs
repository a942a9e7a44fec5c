//! Lengths of time as people write them in settings: a whole number and a
//! unit, such as `10s`, `500ms`, `4h` or `3d`. Each setting names the units
//! it takes, so `2m` can be minutes in one place and refused in another.

/// The length `text` names, in the unit of size 1 in `units`, or `None`.
///
/// `units` pairs each suffix with its size; longer suffixes are tried
/// first, so `500ms` is never read as `500m` and an `s`. `bare` is the size
/// of a number written without a unit, where that is allowed. Suffixes are
/// matched as text, so a multi-byte character at the end is simply no unit.
pub fn parse_span(text: &str, units: &[(&str, u64)], bare: Option<u64>) -> Option<u64> {
    let text = text.trim();
    let mut by_length: Vec<&(&str, u64)> = units.iter().collect();
    by_length.sort_by_key(|(suffix, _)| std::cmp::Reverse(suffix.len()));
    let (number, size) = by_length
        .into_iter()
        .find_map(|(suffix, size)| text.strip_suffix(suffix).map(|n| (n, *size)))
        .or_else(|| bare.map(|size| (text, size)))?;
    number.trim().parse::<u64>().ok()?.checked_mul(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MILLIS: &[(&str, u64)] = &[("ms", 1), ("s", 1_000)];

    #[test]
    fn reads_a_number_and_one_of_the_units_given() {
        assert_eq!(parse_span("500ms", MILLIS, None), Some(500));
        assert_eq!(parse_span(" 10s ", MILLIS, None), Some(10_000));
        assert_eq!(parse_span("7", MILLIS, Some(1_000)), Some(7_000));
        assert_eq!(parse_span("7", MILLIS, None), None);
        assert_eq!(parse_span("2m", MILLIS, Some(1_000)), None);
        assert_eq!(parse_span("1.5s", MILLIS, None), None);
        assert_eq!(parse_span("-1s", MILLIS, None), None);
        assert_eq!(parse_span("1é", MILLIS, Some(1)), None);
        assert_eq!(parse_span("99999999999999999999s", MILLIS, None), None);
        assert_eq!(parse_span("18446744073709551615s", MILLIS, None), None);
    }
}
