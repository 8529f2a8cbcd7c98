//! Data administration (C14): the CSV files HQ imports, checked row by row.
//!
//! - [`ImportKind`]: catalog, fitment, prices (a new price-list version) and stock
//!   counts, each with the header its file must start with.
//! - [`Known`]: what rows may name (parts, categories, models, services, locations),
//!   read by the server before a check.
//! - [`check`]: every row parsed into a typed [`Row`] or refused with its line and
//!   reason ([`RowError`]); a key given twice in one file is refused too. A wrong header,
//!   an empty file or one of more than [`MAX_ROWS`] rows refuse the whole file.
//! - [`Report::applicable`]: a file is applied whole only when every row is valid, or
//!   its valid rows when the person asks for exactly that.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::money::parse_price;
use crate::text::bounded_text;
use crate::{Error, Money};

/// The most rows one file may hold: the whole catalog many times over, and small
/// enough to check and apply in one transaction.
pub const MAX_ROWS: usize = 100_000;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ImportKind {
    /// Parts: SKU, category, names.
    Catalog,
    /// Which part fits a model for a category.
    Fitment,
    /// Prices of services and parts, published as a new price-list version.
    Prices,
    /// What a count found on a location's shelf.
    StockCounts,
}

impl ImportKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Catalog,
        ImportKind::Fitment,
        ImportKind::Prices,
        ImportKind::StockCounts,
    ];

    /// The stable code used in forms, URLs and the command line.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Catalog => "catalog",
            ImportKind::Fitment => "fitment",
            ImportKind::Prices => "prices",
            ImportKind::StockCounts => "stock_counts",
        }
    }

    /// Parses a code; anything else is [`Error::ImportKindUnknown`].
    pub fn parse(code: &str) -> Result<ImportKind, Error> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or(Error::ImportKindUnknown)
    }

    /// The header a file of this kind starts with, column by column.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            ImportKind::Catalog => &["sku", "category", "name_zh", "name_en"],
            ImportKind::Fitment => &["model", "category", "sku"],
            ImportKind::Prices => &["kind", "code", "price"],
            ImportKind::StockCounts => &["location", "sku", "counted"],
        }
    }
}

/// A part's stock-keeping unit: 1 to 40 letters, digits, `-`, `_` or `.`, kept in
/// capitals.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Sku(String);

impl Sku {
    /// Trims and capitalises; anything else is [`Error::SkuInvalid`].
    pub fn parse(input: &str) -> Result<Sku, Error> {
        let text = input.trim().to_ascii_uppercase();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if text.is_empty() || text.len() > 40 || !text.chars().all(allowed) {
            return Err(Error::SkuInvalid);
        }
        Ok(Sku(text))
    }

    /// The SKU.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

bounded_text!(
    /// A part's name in one language, as the catalog shows it.
    PartName,
    1,
    80,
    lines: false,
    Error::PartNameInvalid
);

/// What the rows of a file may name, as the database holds it now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    /// Part categories by code.
    pub categories: BTreeSet<String>,
    /// Parts by SKU, with their category's code.
    pub parts: BTreeMap<String, String>,
    /// Vehicle models by code.
    pub models: BTreeSet<String>,
    /// Services by code.
    pub services: BTreeSet<String>,
    /// Locations (stores and the warehouse) by code.
    pub locations: BTreeSet<String>,
    /// What bookings hold now, by location code and SKU, where they hold anything: a
    /// count cannot find less on the shelf than is promised from it.
    pub held_milli: BTreeMap<(String, String), u64>,
}

/// What a price row prices.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PriceItem {
    /// A service, by code.
    Service(String),
    /// A part, by SKU.
    Part(Sku),
}

/// One valid row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row {
    /// A part added to the catalog, or its category and names changed.
    Part {
        /// The part's SKU.
        sku: Sku,
        /// Its category's code.
        category: String,
        /// Its name in Chinese.
        name_zh: PartName,
        /// Its name in English.
        name_en: PartName,
    },
    /// `sku` is the part of `category` that fits `model`.
    Fitment {
        /// The model's code.
        model: String,
        /// The category's code.
        category: String,
        /// The part that fits.
        sku: Sku,
    },
    /// The item's price in the new version.
    Price {
        /// What is priced.
        item: PriceItem,
        /// Its price.
        price: Money,
    },
    /// What the count found on the shelf, in thousandths.
    Count {
        /// The location's code.
        location: String,
        /// The part counted.
        sku: Sku,
        /// What the count found, in thousandths.
        counted_milli: u64,
    },
}

impl Row {
    /// What a file may give only once: the same key twice is a mistake, not an update.
    fn key(&self) -> String {
        match self {
            Row::Part { sku, .. } => sku.0.clone(),
            Row::Fitment {
                model, category, ..
            } => format!("{model}\u{1f}{category}"),
            Row::Price {
                item: PriceItem::Service(code),
                ..
            } => format!("service\u{1f}{code}"),
            Row::Price {
                item: PriceItem::Part(sku),
                ..
            } => format!("part\u{1f}{}", sku.0),
            Row::Count { location, sku, .. } => format!("{location}\u{1f}{}", sku.0),
        }
    }
}

/// A row refused: its line in the file (the header is line 1), the column at fault
/// where there is one, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row's first line in the file.
    pub line: u64,
    /// The header's name of the column at fault, if one is.
    pub column: Option<String>,
    /// Why the row was refused.
    pub error: Error,
}

/// A checked file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What the file holds.
    pub kind: ImportKind,
    /// Rows in the file, the header not counted.
    pub rows: usize,
    /// The valid rows with their lines, in file order.
    pub valid: Vec<(u64, Row)>,
    /// The refused rows, in file order.
    pub errors: Vec<RowError>,
}

impl Report {
    /// The rows to apply: all of them when every row is valid; with errors, the valid
    /// ones only when `valid_only` was asked for, otherwise
    /// [`Error::ImportHasErrors`] and nothing.
    pub fn applicable(&self, valid_only: bool) -> Result<&[(u64, Row)], Error> {
        if !self.errors.is_empty() && !valid_only {
            return Err(Error::ImportHasErrors);
        }
        if self.valid.is_empty() {
            return Err(Error::ImportEmpty);
        }
        Ok(&self.valid)
    }
}

/// Checks a file: `header` its first record, `records` the rest with their lines.
/// Refuses the whole file (`Err`) for a wrong header, no rows, or more than
/// [`MAX_ROWS`]; otherwise reports each row.
pub fn check<I>(
    kind: ImportKind,
    header: &[String],
    records: I,
    known: &Known,
) -> Result<Report, Error>
where
    I: IntoIterator<Item = (u64, Vec<String>)>,
{
    let expected = kind.header();
    let matches = header.len() == expected.len()
        && header.iter().zip(expected).all(|(h, e)| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(e)
        });
    if !matches {
        return Err(Error::ImportHeaderInvalid);
    }
    let mut report = Report {
        kind,
        rows: 0,
        valid: Vec::new(),
        errors: Vec::new(),
    };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (line, fields) in records {
        // A blank line ends nothing and means nothing.
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        if report.rows > MAX_ROWS {
            return Err(Error::ImportTooLarge);
        }
        let refuse = |column: Option<&str>, error: Error| RowError {
            line,
            column: column.map(str::to_owned),
            error,
        };
        if fields.len() != expected.len() {
            report.errors.push(refuse(None, Error::ImportColumnsWrong));
            continue;
        }
        match parse_row(kind, &fields, known) {
            Err((column, error)) => report.errors.push(refuse(Some(column), error)),
            Ok(row) => match seen.insert(row.key(), line) {
                Some(_) => report
                    .errors
                    .push(refuse(Some(expected[0]), Error::ImportRowDuplicate)),
                None => report.valid.push((line, row)),
            },
        }
    }
    if report.rows == 0 {
        return Err(Error::ImportEmpty);
    }
    Ok(report)
}

/// One row's fields (as many as the header) into a [`Row`], or the column at fault.
fn parse_row(
    kind: ImportKind,
    fields: &[String],
    known: &Known,
) -> Result<Row, (&'static str, Error)> {
    let col = kind.header();
    let field = |i: usize| fields[i].trim();
    let code = |i: usize| field(i).to_ascii_uppercase();
    let known_sku = |i: usize| -> Result<(Sku, &String), (&'static str, Error)> {
        let sku = Sku::parse(field(i)).map_err(|e| (col[i], e))?;
        let category = known
            .parts
            .get(sku.as_str())
            .ok_or((col[i], Error::SkuUnknown))?;
        Ok((sku, category))
    };
    let known_code = |i: usize, set: &BTreeSet<String>, error: Error| {
        let c = code(i);
        if set.contains(&c) {
            Ok(c)
        } else {
            Err((col[i], error))
        }
    };
    match kind {
        ImportKind::Catalog => {
            let sku = Sku::parse(field(0)).map_err(|e| (col[0], e))?;
            let category = known_code(1, &known.categories, Error::CategoryUnknown)?;
            if known
                .parts
                .get(sku.as_str())
                .is_some_and(|c| *c != category)
            {
                return Err((col[1], Error::PartCategoryFixed));
            }
            let name_zh = PartName::parse(field(2)).map_err(|e| (col[2], e))?;
            let name_en = PartName::parse(field(3)).map_err(|e| (col[3], e))?;
            Ok(Row::Part {
                sku,
                category,
                name_zh,
                name_en,
            })
        }
        ImportKind::Fitment => {
            let model = known_code(0, &known.models, Error::ModelUnknown)?;
            let category = known_code(1, &known.categories, Error::CategoryUnknown)?;
            let (sku, of) = known_sku(2)?;
            if *of != category {
                return Err((col[2], Error::FitmentCategoryMismatch));
            }
            Ok(Row::Fitment {
                model,
                category,
                sku,
            })
        }
        ImportKind::Prices => {
            let item = match field(0).to_ascii_lowercase().as_str() {
                "service" => {
                    PriceItem::Service(known_code(1, &known.services, Error::ServiceUnknown)?)
                }
                "part" => PriceItem::Part(known_sku(1)?.0),
                _ => return Err((col[0], Error::PriceItemKindUnknown)),
            };
            let price = parse_price(field(2)).map_err(|e| (col[2], e))?;
            Ok(Row::Price { item, price })
        }
        ImportKind::StockCounts => {
            let location = known_code(0, &known.locations, Error::LocationUnknown)?;
            let (sku, _) = known_sku(1)?;
            let counted_milli = crate::supply::parse_received(field(2)).map_err(|e| (col[2], e))?;
            let held = known
                .held_milli
                .get(&(location.clone(), sku.as_str().to_owned()))
                .copied()
                .unwrap_or(0);
            if counted_milli < held {
                return Err((col[2], Error::CountBelowHeld));
            }
            Ok(Row::Count {
                location,
                sku,
                counted_milli,
            })
        }
    }
}

#[cfg(test)]
mod tests;
