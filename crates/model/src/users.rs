//! Users (the lake's `users/users.json`) and the VIP list (`users/vip.json`).

use chrono::{Days, NaiveDate};
use rand::Rng;
use serde::Serialize;

use crate::birth_number::{self, Sex};
use crate::locale::Locale;
use crate::rng::{Entity, stream};
use crate::skew::ScatterPermutation;
use crate::text;

/// One user. Field names are what the downstream jobs read; never rename them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// `0..users_count`; every other dataset refers to users by this id.
    pub id: u64,
    /// First and last name; Czech women carry the female surname form.
    pub name: String,
    /// A real city of the locale.
    pub city: &'static str,
    /// Street, house number (Czech: `číslo popisné/orientační`).
    pub street_address: String,
    /// A phone number in one of the locale's formats.
    pub phone_number: String,
    /// cs_CZ: rodné číslo consistent with sex and age; en_US: an SSN-shaped number.
    pub birth_number: String,
    /// Derived from the name, ASCII, lower case.
    pub user_name: String,
    /// The region (kraj / state) the city lies in.
    pub administrative_unit: &'static str,
    /// One to five sentences.
    pub description: String,
    /// Three distinct jobs from the locale's job list.
    pub jobs: [&'static str; 3],
}

/// One line of `vip.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vip {
    /// An existing user id.
    pub id: u64,
}

/// What users look like for a given seed.
#[derive(Debug, Clone)]
pub struct UserGenerator {
    seed: u64,
    locale: Locale,
    vip: ScatterPermutation,
    count: u64,
}

/// Ages are computed against this fixed day, never the wall clock, so output does not drift.
const REFERENCE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};
/// Birth dates between 1954-01-01 (first ten-digit birth numbers) and age 18.
const OLDEST: NaiveDate = match NaiveDate::from_ymd_opt(1954, 1, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

impl UserGenerator {
    /// Users `0..count` for `seed` in `locale`.
    pub fn new(seed: u64, count: u64, locale: Locale) -> UserGenerator {
        UserGenerator {
            seed,
            locale,
            vip: ScatterPermutation::new(seed, 0x0056_4950, count),
            count,
        }
    }

    /// How many users exist.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// User `id`: a pure function of `(seed, locale, id)`.
    pub fn user(&self, id: u64) -> User {
        let d = self.locale.data();
        let mut rng = stream(self.seed, Entity::User, &[id]);
        let sex = if rng.random_bool(0.5) {
            Sex::Female
        } else {
            Sex::Male
        };
        let (first, last) = {
            let (firsts, idx) = match sex {
                Sex::Male => (d.male_first, 0),
                Sex::Female => (d.female_first, 1),
            };
            let first = firsts[rng.random_range(0..firsts.len())];
            let pair = d.surnames[rng.random_range(0..d.surnames.len())];
            (first, if idx == 0 { pair.0 } else { pair.1 })
        };
        let (city, unit) = d.cities[rng.random_range(0..d.cities.len())];
        let street = d.streets[rng.random_range(0..d.streets.len())];
        let street_address = match self.locale {
            Locale::CsCz => {
                let cp = rng.random_range(1..3000);
                if rng.random_bool(0.6) {
                    text::format_sized(48, format_args!("{street} {cp}/{}", rng.random_range(1..80)))
                } else {
                    text::format_sized(48, format_args!("{street} {cp}"))
                }
            }
            Locale::EnUs => {
                let no = rng.random_range(1..10_000);
                if rng.random_bool(0.2) {
                    text::format_sized(
                        48,
                        format_args!("{no} {street} Apt. {}", rng.random_range(1..400)),
                    )
                } else {
                    text::format_sized(48, format_args!("{no} {street}"))
                }
            }
        };
        let phone_format = d.phone_formats[rng.random_range(0..d.phone_formats.len())];
        let phone_number = text::digits(&mut rng, phone_format);
        let span = (REFERENCE_DAY - OLDEST).num_days() as u64 - 18 * 365 - 5;
        let born = OLDEST + Days::new(rng.random_range(0..span));
        let birth_number = match self.locale {
            Locale::CsCz => birth_number::encode(born, sex, rng.random_range(0..1000)),
            Locale::EnUs => {
                let mut area = rng.random_range(1..900u16);
                if area == 666 {
                    area = 667;
                }
                text::format_sized(
                    11,
                    format_args!(
                        "{area:03}-{:02}-{:04}",
                        rng.random_range(1..100u16),
                        rng.random_range(1..10_000u16)
                    ),
                )
            }
        };
        let user_name = user_name(&mut rng, first, last, born);
        let mut description = String::with_capacity(256);
        let n_sentences = rng.random_range(1..=5);
        text::sentences(&mut rng, d.words, n_sentences, &mut description);
        let jobs = three_distinct(&mut rng, d.jobs);
        User {
            id,
            name: text::format_sized(first.len() + 1 + last.len(), format_args!("{first} {last}")),
            city,
            street_address,
            phone_number,
            birth_number,
            user_name,
            administrative_unit: unit,
            description,
            jobs,
        }
    }

    /// Iterator over users `range`, in id order.
    pub fn users(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = User> + '_ {
        range.map(|id| self.user(id))
    }

    /// VIP number `k` (`k < count`): distinct for distinct `k`, always an existing user.
    pub fn vip(&self, k: u64) -> Vip {
        Vip {
            id: self.vip.apply(k),
        }
    }

    /// The VIPs `range` (of `0..vip_count`), in list order.
    pub fn vips(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = Vip> + '_ {
        range.map(|k| self.vip(k))
    }
}

fn user_name<R: Rng + ?Sized>(rng: &mut R, first: &str, last: &str, born: NaiveDate) -> String {
    let f = text::ascii_lower(first);
    let l = text::ascii_lower(last);
    let yy = chrono::Datelike::year(&born) % 100;
    let n = f.len() + l.len() + 3;
    match rng.random_range(0..6) {
        0 => text::format_sized(n, format_args!("{f}.{l}")),
        1 => text::format_sized(n, format_args!("{f}.{l}{yy:02}")),
        2 => text::format_sized(n, format_args!("{}{l}", f.get(..1).unwrap_or_default())),
        3 => text::format_sized(n, format_args!("{l}.{f}")),
        4 => text::format_sized(n, format_args!("{f}{l}{}", rng.random_range(1..100))),
        _ => text::format_sized(n, format_args!("{l}{}{yy:02}", f.get(..1).unwrap_or_default())),
    }
}

fn three_distinct<R: Rng + ?Sized>(rng: &mut R, list: &'static [&'static str]) -> [&'static str; 3] {
    let idx = rand::seq::index::sample(rng, list.len(), 3);
    [list[idx.index(0)], list[idx.index(1)], list[idx.index(2)]]
}
