//! Products (the lake's `products/product_{id}.json`) and their page URLs.

use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use serde::Serialize;

use crate::locale::{Gender, Locale, LocaleData};
use crate::rng::{Entity, stream};
use crate::text;

/// One product. `pages` are the URLs pageviews point at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// `0..products_count`.
    pub id: u64,
    /// Adjective, material and noun in grammatical agreement ("Elegantní dřevěná židle").
    pub name: String,
    /// One to three sentences.
    pub description: String,
    /// The product's detail, reviews and specification pages.
    pub pages: [String; 3],
    /// Unit price in the locale's currency (added field; not in the Python version).
    pub price: f64,
}

/// The three page kinds of every product, in `pages` order.
pub const PAGE_KINDS: [&str; 3] = ["", "/reviews", "/specification"];

/// URL of page `kind` (0..3) of product `id`: arithmetic, so pageviews need no product lookup.
pub fn page_url(locale: Locale, id: u64, kind: usize) -> String {
    format!(
        "https://{}/products/{id}{}",
        locale.data().shop_host,
        PAGE_KINDS[kind % PAGE_KINDS.len()]
    )
}

/// What products look like for a given seed.
#[derive(Debug, Clone)]
pub struct ProductGenerator {
    seed: u64,
    locale: Locale,
    price: LogNormal<f64>,
}

impl ProductGenerator {
    /// Products for `seed` in `locale`.
    pub fn new(seed: u64, locale: Locale) -> ProductGenerator {
        let median: f64 = match locale {
            Locale::CsCz => 690.0,
            Locale::EnUs => 29.0,
        };
        ProductGenerator {
            seed,
            locale,
            price: LogNormal::new(median.ln(), 0.9).unwrap_or_else(|_| unreachable!("constant parameters")),
        }
    }

    /// Product `id`: a pure function of `(seed, locale, id)`.
    pub fn product(&self, id: u64) -> Product {
        let d = self.locale.data();
        let mut rng = stream(self.seed, Entity::Product, &[id]);
        let name = product_name(&mut rng, d);
        let mut description = String::with_capacity(200);
        let n = rng.random_range(1..=3);
        text::sentences(&mut rng, d.words, n, &mut description);
        let price = (self.price.sample(&mut rng) * 100.0).round() / 100.0;
        Product {
            id,
            name,
            description,
            pages: [0, 1, 2].map(|k| page_url(self.locale, id, k)),
            price: price.max(1.0),
        }
    }

    /// Iterator over products `range`, in id order.
    pub fn products(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = Product> + '_ {
        range.map(|id| self.product(id))
    }
}

fn product_name<R: Rng + ?Sized>(rng: &mut R, d: &LocaleData) -> String {
    let adjective = d.product_adjectives[rng.random_range(0..d.product_adjectives.len())];
    let material = d.product_materials[rng.random_range(0..d.product_materials.len())];
    let (noun, gender) = d.product_nouns[rng.random_range(0..d.product_nouns.len())];
    let mut name = String::with_capacity(48);
    text::push_capitalised(&agree(adjective, gender), &mut name);
    name.push(' ');
    name.push_str(&agree(material, gender));
    name.push(' ');
    name.push_str(noun);
    name
}

/// Czech adjective agreement: hard `-ý` becomes `-á` (feminine) or `-é` (neuter); soft `-í`
/// and English words stay as they are.
fn agree(adjective: &str, gender: Gender) -> String {
    match (adjective.strip_suffix('ý'), gender) {
        (Some(stem), Gender::F) => format!("{stem}á"),
        (Some(stem), Gender::N) => format!("{stem}é"),
        _ => adjective.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn czech_agreement() {
        assert_eq!(agree("dřevěný", Gender::F), "dřevěná");
        assert_eq!(agree("dřevěný", Gender::N), "dřevěné");
        assert_eq!(agree("dřevěný", Gender::M), "dřevěný");
        assert_eq!(agree("moderní", Gender::F), "moderní");
    }

    #[test]
    fn pages_are_arithmetic() {
        let p = ProductGenerator::new(5, Locale::CsCz).product(12);
        assert_eq!(p.pages[0], page_url(Locale::CsCz, 12, 0));
        assert!(p.pages[2].ends_with("/products/12/specification"));
        assert!(p.price >= 1.0);
    }
}
