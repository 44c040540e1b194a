//! Word lists for the supported locales.
//!
//! The `fake` crate has no Czech locale, so the playground ships its own lists. They are
//! plain `'static` slices: picking from them is an index, never an allocation, and the order of
//! every list is part of the determinism contract (reordering a list changes the output for a
//! seed, so the golden tests pin it).

mod cs;
mod en;

use std::fmt;
use std::str::FromStr;

/// Grammatical gender of a product noun; Czech adjectives agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// masculine (ten)
    M,
    /// feminine (ta)
    F,
    /// neuter (to)
    N,
}

/// Every list a locale provides. Lists are never empty (a unit test checks it).
#[derive(Debug)]
pub struct LocaleData {
    /// Short code, e.g. `cs_CZ`.
    pub code: &'static str,
    /// Male first names.
    pub male_first: &'static [&'static str],
    /// Female first names.
    pub female_first: &'static [&'static str],
    /// Surnames as (male form, female form); in en_US both forms are equal.
    pub surnames: &'static [(&'static str, &'static str)],
    /// Real cities with the administrative unit (Czech kraj, US state) they lie in.
    pub cities: &'static [(&'static str, &'static str)],
    /// Street names (without the house number).
    pub streets: &'static [&'static str],
    /// All administrative units (the 14 Czech regions; US states).
    pub administrative_units: &'static [&'static str],
    /// Phone number patterns; every `#` becomes a random digit.
    pub phone_formats: &'static [&'static str],
    /// Real job titles.
    pub jobs: &'static [&'static str],
    /// Common words of the language, used to build description sentences.
    pub words: &'static [&'static str],
    /// Product adjectives in masculine singular (Czech: hard `-ý` or soft `-í` endings).
    pub product_adjectives: &'static [&'static str],
    /// Product materials as masculine adjectives (Czech) or nouns used attributively (English).
    pub product_materials: &'static [&'static str],
    /// Product nouns with their gender.
    pub product_nouns: &'static [(&'static str, Gender)],
    /// Web shop host used in product page URLs.
    pub shop_host: &'static str,
}

/// Which language and country the generated people, places and products come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
pub enum Locale {
    /// Czech, as the Python version: the default.
    #[default]
    #[serde(rename = "cs_CZ")]
    CsCz,
    /// American English.
    #[serde(rename = "en_US")]
    EnUs,
}

impl Locale {
    /// The locale's word lists.
    pub fn data(self) -> &'static LocaleData {
        match self {
            Locale::CsCz => &cs::DATA,
            Locale::EnUs => &en::DATA,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.data().code)
    }
}

/// A locale code that is not supported.
#[derive(Debug, thiserror::Error)]
#[error("unknown locale {0:?}: expected cs_CZ or en_US")]
pub struct UnknownLocale(String);

impl FromStr for Locale {
    type Err = UnknownLocale;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.replace('-', "_").to_ascii_lowercase().as_str() {
            "cs_cz" | "cs" => Ok(Locale::CsCz),
            "en_us" | "en" => Ok(Locale::EnUs),
            _ => Err(UnknownLocale(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_list_is_empty_and_cities_name_known_units() {
        for locale in [Locale::CsCz, Locale::EnUs] {
            let d = locale.data();
            assert!(!d.male_first.is_empty(), "{locale} male_first");
            assert!(!d.female_first.is_empty(), "{locale} female_first");
            assert!(!d.surnames.is_empty(), "{locale} surnames");
            assert!(!d.cities.is_empty(), "{locale} cities");
            assert!(!d.streets.is_empty(), "{locale} streets");
            assert!(!d.phone_formats.is_empty(), "{locale} phone_formats");
            assert!(d.jobs.len() >= 50, "{locale} jobs");
            assert!(d.words.len() >= 100, "{locale} words");
            assert!(!d.product_adjectives.is_empty(), "{locale} product_adjectives");
            assert!(!d.product_materials.is_empty(), "{locale} product_materials");
            assert!(!d.product_nouns.is_empty(), "{locale} product_nouns");
            for (city, unit) in d.cities {
                assert!(
                    d.administrative_units.contains(unit),
                    "{locale}: {city} lies in unknown unit {unit}"
                );
            }
        }
        assert_eq!(Locale::CsCz.data().administrative_units.len(), 14);
    }
}
