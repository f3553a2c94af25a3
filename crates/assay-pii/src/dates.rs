//! Calendar dates as written in text: finding, parsing (keeping the written form), shifting by
//! days and re-formatting in the same form. Day arithmetic is Howard Hinnant's
//! `days_from_civil` / `civil_from_days` on the proleptic Gregorian calendar.

use std::sync::LazyLock;

use regex::Regex;

pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTH_ALT: &str = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";

/// How a date was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `YYYY-MM-DD` (also with `/`).
    Iso(u8),
    /// `MM/DD/YYYY` with the separator; `two_digit_year` for `MM/DD/YY`.
    Mdy { sep: u8, two_digit_year: bool },
    /// `DD.MM.YYYY` (a day above 12 first, or dots).
    Dmy { sep: u8, two_digit_year: bool },
    /// `January 5, 1980` (`abbrev`: `Jan 5, 1980`; `comma`).
    LongMdy { abbrev: bool, comma: bool },
    /// `5 January 1980`.
    LongDmy { abbrev: bool },
}

/// A parsed date with its written form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub form: Form,
}

static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})([-/])(\d{1,2})[-/](\d{1,2})\b").unwrap());
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})\b").unwrap());
static LONG_MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b({MONTH_ALT})\.? (\d{{1,2}})(?:st|nd|rd|th)?(,?) (\d{{4}})\b"
    ))
    .unwrap()
});
static LONG_DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MONTH_ALT})\.?,? (\d{{4}})\b"
    ))
    .unwrap()
});

fn month_of(name: &str) -> Option<u32> {
    let l = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| m.to_ascii_lowercase().starts_with(&l[..3.min(l.len())]))
        .map(|i| i as u32 + 1)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn ok(y: i32, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) && (1000..=2999).contains(&y)
}

fn full_year(y: &str) -> i32 {
    let v: i32 = y.parse().unwrap_or(0);
    if y.len() == 2 {
        // Python's strptime pivot: 69-99 are 1900s, 00-68 are 2000s.
        if v >= 69 {
            1900 + v
        } else {
            2000 + v
        }
    } else {
        v
    }
}

/// All dates in `text` as `(start, end, date)` byte spans, left to right, non-overlapping.
pub fn find_dates(text: &str) -> Vec<(usize, usize, Date)> {
    let mut out: Vec<(usize, usize, Date)> = Vec::new();
    let b = text.as_bytes();
    for c in ISO.captures_iter(text) {
        let m = c.get(0).unwrap();
        let (y, mo, d) = (
            c[1].parse().unwrap_or(0),
            c[3].parse().unwrap_or(0),
            c[4].parse().unwrap_or(0),
        );
        if ok(y, mo, d) {
            out.push((
                m.start(),
                m.end(),
                Date {
                    year: y,
                    month: mo,
                    day: d,
                    form: Form::Iso(c[2].as_bytes()[0]),
                },
            ));
        }
    }
    for c in NUMERIC.captures_iter(text) {
        let m = c.get(0).unwrap();
        if c[2] != c[4] {
            continue;
        }
        // Not a part of a longer number such as a phone number or an IP address.
        let before = m.start().checked_sub(1).map(|i| b[i]);
        let after = b.get(m.end()).copied();
        if matches!(before, Some(b'.' | b'-' | b'/'))
            || matches!(after, Some(b'.' | b'-' | b'/'))
                && b.get(m.end() + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        let sep = c[2].as_bytes()[0];
        let (a, bb): (u32, u32) = (c[1].parse().unwrap_or(0), c[3].parse().unwrap_or(0));
        let two = c[5].len() == 2;
        if two && sep != b'/' {
            continue;
        }
        let y = full_year(&c[5]);
        let date = if sep != b'.' && ok(y, a, bb) {
            Date {
                year: y,
                month: a,
                day: bb,
                form: Form::Mdy {
                    sep,
                    two_digit_year: two,
                },
            }
        } else if ok(y, bb, a) {
            Date {
                year: y,
                month: bb,
                day: a,
                form: Form::Dmy {
                    sep,
                    two_digit_year: two,
                },
            }
        } else {
            continue;
        };
        out.push((m.start(), m.end(), date));
    }
    for c in LONG_MDY.captures_iter(text) {
        let m = c.get(0).unwrap();
        let (Some(mo), Ok(d), Ok(y)) = (month_of(&c[1]), c[2].parse(), c[4].parse()) else {
            continue;
        };
        if ok(y, mo, d) {
            let abbrev = c[1].len() <= 4 && !MONTHS.iter().any(|n| n.eq_ignore_ascii_case(&c[1]));
            out.push((
                m.start(),
                m.end(),
                Date {
                    year: y,
                    month: mo,
                    day: d,
                    form: Form::LongMdy {
                        abbrev,
                        comma: !c[3].is_empty(),
                    },
                },
            ));
        }
    }
    for c in LONG_DMY.captures_iter(text) {
        let m = c.get(0).unwrap();
        let (Some(mo), Ok(d), Ok(y)) = (month_of(&c[2]), c[1].parse(), c[3].parse()) else {
            continue;
        };
        if ok(y, mo, d) {
            let abbrev = c[2].len() <= 4 && !MONTHS.iter().any(|n| n.eq_ignore_ascii_case(&c[2]));
            out.push((
                m.start(),
                m.end(),
                Date {
                    year: y,
                    month: mo,
                    day: d,
                    form: Form::LongDmy { abbrev },
                },
            ));
        }
    }
    out.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut kept: Vec<(usize, usize, Date)> = Vec::with_capacity(out.len());
    for x in out {
        if kept.last().is_none_or(|l| x.0 >= l.1) {
            kept.push(x);
        }
    }
    kept
}

/// Parses one date written in a form [`find_dates`] knows (the whole string).
pub fn parse(s: &str) -> Option<Date> {
    find_dates(s)
        .into_iter()
        .find(|&(a, b, _)| a == 0 && b == s.len())
        .map(|x| x.2)
}

/// Days since 1970-01-01.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((yoe + era * 400 + i64::from(m <= 2)) as i32, m, d)
}

impl Date {
    /// The date `days` later (earlier if negative), in the same written form.
    pub fn shifted(self, days: i64) -> Date {
        let (year, month, day) =
            civil_from_days(days_from_civil(self.year, self.month, self.day) + days);
        Date {
            year,
            month,
            day,
            form: self.form,
        }
    }

    /// Writes the date in its form.
    pub fn format(&self) -> String {
        let yy = |two: bool| {
            if two {
                format!("{:02}", self.year.rem_euclid(100))
            } else {
                format!("{}", self.year)
            }
        };
        let name = |abbrev: bool| {
            let n = MONTHS[self.month as usize - 1];
            if abbrev {
                n[..3].to_string()
            } else {
                n.to_string()
            }
        };
        match self.form {
            Form::Iso(sep) => format!(
                "{:04}{}{:02}{}{:02}",
                self.year, sep as char, self.month, sep as char, self.day
            ),
            Form::Mdy {
                sep,
                two_digit_year,
            } => format!(
                "{:02}{}{:02}{}{}",
                self.month,
                sep as char,
                self.day,
                sep as char,
                yy(two_digit_year)
            ),
            Form::Dmy {
                sep,
                two_digit_year,
            } => format!(
                "{:02}{}{:02}{}{}",
                self.day,
                sep as char,
                self.month,
                sep as char,
                yy(two_digit_year)
            ),
            Form::LongMdy { abbrev, comma } => format!(
                "{} {}{} {}",
                name(abbrev),
                self.day,
                if comma { "," } else { "" },
                self.year
            ),
            Form::LongDmy { abbrev } => format!("{} {} {}", self.day, name(abbrev), self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn civil_round_trip() {
        for z in [-800_000i64, -1, 0, 1, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
    #[test]
    fn find_parse_shift() {
        let t = "born 03/14/1985, seen 2021-02-28 and 5 March 2020; on Jan 31, 1999; not 13/13/2000 or 192.168.1.1";
        let got: Vec<String> = find_dates(t)
            .iter()
            .map(|x| t[x.0..x.1].to_string())
            .collect();
        assert_eq!(
            got,
            vec!["03/14/1985", "2021-02-28", "5 March 2020", "Jan 31, 1999"]
        );
        let d = parse("2021-02-28").unwrap().shifted(1);
        assert_eq!(d.format(), "2021-03-01");
        assert_eq!(
            parse("Jan 31, 1999").unwrap().shifted(29).format(),
            "Mar 1, 1999"
        );
        assert_eq!(
            parse("31.12.1999").unwrap().shifted(1).format(),
            "01.01.2000"
        );
    }
}
