//! Czech birth numbers (rodné číslo): `YYMMDD/SSSC`, valid by the modulo-11 rule.
//!
//! Women have 50 added to the month. Numbers issued since 1954 have ten digits and the whole
//! number is divisible by 11; when the first nine digits leave remainder 10, the check digit is 0.

use chrono::{Datelike, NaiveDate};

/// The sex a birth number encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Male: the month is stored as is.
    Male,
    /// Female: the month is stored plus 50.
    Female,
}

/// Formats the birth number of a person born on `date` (1954–2053) with the given sex and
/// three-digit serial (`0..1000`). The check digit makes it valid.
pub fn encode(date: NaiveDate, sex: Sex, serial: u16) -> String {
    let yy = date.year().rem_euclid(100) as u64;
    let mm = date.month() as u64 + if sex == Sex::Female { 50 } else { 0 };
    let dd = date.day() as u64;
    let serial = u64::from(serial % 1000);
    let base = ((yy * 100 + mm) * 100 + dd) * 1000 + serial;
    let check = (base % 11) % 10;
    crate::text::format_sized(11, format_args!("{yy:02}{mm:02}{dd:02}/{serial:03}{check}"))
}

/// What a valid birth number says about its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// Date of birth (years `54..=99` read as 19xx, others as 20xx).
    pub date: NaiveDate,
    /// Sex from the month offset.
    pub sex: Sex,
}

/// Checks format, date and the modulo-11 rule of a ten-digit birth number.
pub fn decode(s: &str) -> Option<Decoded> {
    let (head, tail) = s.split_once('/')?;
    if head.len() != 6 || tail.len() != 4 || !(head.chars().chain(tail.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: u64 = format!("{head}{tail}").parse().ok()?;
    let first9 = n / 10;
    let check = n % 10;
    if !(n.is_multiple_of(11) || (first9 % 11 == 10 && check == 0)) {
        return None;
    }
    let yy: i32 = head[0..2].parse().ok()?;
    let mut mm: u32 = head[2..4].parse().ok()?;
    let dd: u32 = head[4..6].parse().ok()?;
    let sex = if mm > 50 {
        mm -= 50;
        Sex::Female
    } else {
        Sex::Male
    };
    let year = if yy >= 54 { 1900 + yy } else { 2000 + yy };
    let date = NaiveDate::from_ymd_opt(year, mm, dd)?;
    Some(Decoded { date, sex })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_numbers() {
        // 736028/5163: a woman born on 28 October 1973 (a common textbook example).
        let d = decode("736028/5163").expect("valid");
        assert_eq!(d.sex, Sex::Female);
        assert_eq!(d.date, NaiveDate::from_ymd_opt(1973, 10, 28).expect("date"));
        assert!(decode("736028/5164").is_none(), "bad check digit");
        assert!(decode("731328/5163").is_none(), "month 13");
    }

    #[test]
    fn encode_then_decode() {
        let date = NaiveDate::from_ymd_opt(1988, 2, 29).expect("date");
        for serial in 0..1000 {
            for sex in [Sex::Male, Sex::Female] {
                let s = encode(date, sex, serial);
                assert_eq!(decode(&s), Some(Decoded { date, sex }), "{s}");
            }
        }
    }
}
