use proptest::prelude::*;

use super::*;

fn known() -> Known {
    Known {
        categories: ["ENGINE_OIL", "OIL_FILTER"].map(String::from).into(),
        parts: [
            ("OIL-5W30-4L".to_owned(), "ENGINE_OIL".to_owned()),
            ("FLT-TOY-01".to_owned(), "OIL_FILTER".to_owned()),
        ]
        .into(),
        models: ["TOY-COROLLA"].map(String::from).into(),
        services: ["OIL_CHANGE"].map(String::from).into(),
        locations: ["HZ-XH", "WH-QT"].map(String::from).into(),
        held_milli: [(("HZ-XH".to_owned(), "FLT-TOY-01".to_owned()), 2_000)].into(),
    }
}

fn strings(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| (*f).to_owned()).collect()
}

/// Checks rows given as lines of fields, numbered from line 2.
fn run(kind: ImportKind, rows: &[&[&str]]) -> Result<Report, Error> {
    let header = strings(kind.header());
    let records = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 2, strings(r)));
    check(kind, &header, records, &known())
}

fn errors(report: &Report) -> Vec<(u64, Option<&str>, Error)> {
    report
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.error.clone()))
        .collect()
}

#[test]
fn kinds_read_back_from_their_codes() {
    for kind in ImportKind::ALL {
        assert_eq!(ImportKind::parse(kind.code()), Ok(kind));
    }
    assert_eq!(ImportKind::parse("vehicles"), Err(Error::ImportKindUnknown));
}

#[test]
fn a_wrong_header_refuses_the_whole_file() {
    let header = strings(&["sku", "price"]);
    let rows = vec![(2, strings(&["OIL-5W30-4L", "1"]))];
    assert_eq!(
        check(ImportKind::Prices, &header, rows, &known()),
        Err(Error::ImportHeaderInvalid)
    );
    // Case, spaces and a byte-order mark are forgiven.
    let header = strings(&["\u{feff}Kind", " CODE ", "price"]);
    let rows = vec![(2, strings(&["service", "OIL_CHANGE", "199"]))];
    assert!(check(ImportKind::Prices, &header, rows, &known()).is_ok());
}

#[test]
fn every_bad_row_is_reported_with_its_line_column_and_reason() {
    let report = run(
        ImportKind::Prices,
        &[
            &["service", "OIL_CHANGE", "199.00"],
            &["part", "NO-SUCH-SKU", "10"],
            &["part", "OIL-5W30-4L", "12.345"],
            &["gift", "X", "1"],
            &["part", "FLT-TOY-01"],
            &["service", "OIL_CHANGE", "201"],
            &["part", "FLT-TOY-01", "-3"],
        ],
    )
    .expect("checked");
    assert_eq!(report.rows, 7);
    assert_eq!(report.valid.len(), 1);
    assert_eq!(
        errors(&report),
        vec![
            (3, Some("code"), Error::SkuUnknown),
            (4, Some("price"), Error::AmountTooPrecise),
            (5, Some("kind"), Error::PriceItemKindUnknown),
            (6, None, Error::ImportColumnsWrong),
            (7, Some("kind"), Error::ImportRowDuplicate),
            (8, Some("price"), Error::PriceNotPositive),
        ]
    );
}

#[test]
fn catalog_rows_parse_into_parts() {
    let report = run(
        ImportKind::Catalog,
        &[
            &[
                "flt-hon-02",
                "oil_filter",
                "本田机油滤清器",
                "Honda oil filter",
            ],
            &["BAD SKU", "OIL_FILTER", "名", "Name"],
            &["FLT-X", "WIPERS", "名", "Name"],
            &["FLT-Y", "OIL_FILTER", "", "Name"],
            &["FLT-TOY-01", "ENGINE_OIL", "名", "Name"],
        ],
    )
    .expect("checked");
    assert_eq!(
        report.valid[0].1,
        Row::Part {
            sku: Sku::parse("FLT-HON-02").expect("sku"),
            category: "OIL_FILTER".into(),
            name_zh: PartName::parse("本田机油滤清器").expect("name"),
            name_en: PartName::parse("Honda oil filter").expect("name"),
        }
    );
    assert_eq!(
        errors(&report),
        vec![
            (3, Some("sku"), Error::SkuInvalid),
            (4, Some("category"), Error::CategoryUnknown),
            (5, Some("name_zh"), Error::PartNameInvalid),
            (6, Some("category"), Error::PartCategoryFixed),
        ]
    );
}

#[test]
fn a_fitment_names_a_part_of_its_category() {
    let report = run(
        ImportKind::Fitment,
        &[
            &["TOY-COROLLA", "OIL_FILTER", "FLT-TOY-01"],
            &["TOY-COROLLA", "ENGINE_OIL", "FLT-TOY-01"],
            &["TESLA-Y", "OIL_FILTER", "FLT-TOY-01"],
        ],
    )
    .expect("checked");
    assert_eq!(report.valid.len(), 1);
    assert_eq!(
        errors(&report),
        vec![
            (3, Some("sku"), Error::FitmentCategoryMismatch),
            (4, Some("model"), Error::ModelUnknown),
        ]
    );
}

#[test]
fn a_count_cannot_find_less_than_bookings_hold() {
    let report = run(
        ImportKind::StockCounts,
        &[
            &["HZ-XH", "FLT-TOY-01", "1"],
            &["HZ-XH", "OIL-5W30-4L", "12.5"],
            &["WH-QT", "FLT-TOY-01", "0"],
            &["HZ-ZZ", "FLT-TOY-01", "3"],
            &["HZ-XH", "FLT-TOY-01", "2"],
        ],
    )
    .expect("checked");
    assert_eq!(
        errors(&report),
        vec![
            (2, Some("counted"), Error::CountBelowHeld),
            (5, Some("location"), Error::LocationUnknown),
        ]
    );
    assert_eq!(
        report.valid.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        vec![3, 4, 6]
    );
    assert!(matches!(
        report.valid[0].1,
        Row::Count {
            counted_milli: 12_500,
            ..
        }
    ));
}

#[test]
fn too_many_rows_or_none_refuse_the_file() {
    let header = strings(ImportKind::StockCounts.header());
    let many = (0..=MAX_ROWS as u64).map(|i| (i + 2, strings(&["WH-QT", "FLT-TOY-01", "1"])));
    assert_eq!(
        check(ImportKind::StockCounts, &header, many, &known()),
        Err(Error::ImportTooLarge)
    );
    assert_eq!(
        run(ImportKind::StockCounts, &[&["", "", ""]]),
        Err(Error::ImportEmpty)
    );
}

#[test]
fn a_file_with_errors_applies_only_its_valid_rows_and_only_when_asked() {
    let report = run(
        ImportKind::Prices,
        &[&["service", "OIL_CHANGE", "199"], &["part", "NOPE", "10"]],
    )
    .expect("checked");
    assert_eq!(report.applicable(false), Err(Error::ImportHasErrors));
    assert_eq!(report.applicable(true).map(<[_]>::len), Ok(1));
    let all_bad = run(ImportKind::Prices, &[&["part", "NOPE", "10"]]).expect("checked");
    assert_eq!(all_bad.applicable(true), Err(Error::ImportEmpty));
}

proptest! {
    /// Every row is accounted for once: valid or refused, never both, never lost.
    #[test]
    fn every_row_is_valid_or_refused_once(
        rows in prop::collection::vec(
            (
                prop::sample::select(vec!["HZ-XH", "WH-QT", "HZ-ZZ", ""]),
                prop::sample::select(vec!["FLT-TOY-01", "OIL-5W30-4L", "NOPE", "bad sku"]),
                prop::sample::select(vec!["0", "1", "2.5", "3.0001", "-1", "x", "7"]),
            ),
            1..40,
        )
    ) {
        let rows: Vec<Vec<&str>> = rows.iter().map(|(a, b, c)| vec![*a, *b, *c]).collect();
        let slices: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let report = run(ImportKind::StockCounts, &slices).expect("checked");
        let mut lines: Vec<u64> = report
            .valid
            .iter()
            .map(|(l, _)| *l)
            .chain(report.errors.iter().map(|e| e.line))
            .collect();
        lines.sort_unstable();
        let expected: Vec<u64> = (2..rows.len() as u64 + 2).collect();
        prop_assert_eq!(lines, expected);
        prop_assert_eq!(report.rows, rows.len());
        // No key twice among the valid rows.
        let keys: BTreeSet<String> = report.valid.iter().map(|(_, r)| r.key()).collect();
        prop_assert_eq!(keys.len(), report.valid.len());
    }

    /// A price with three decimals or more is refused whatever the digits.
    #[test]
    fn a_price_with_three_decimals_is_refused(whole in 1u32..10_000, fraction in 0u32..1000) {
        let price = format!("{whole}.{fraction:03}");
        let report = run(ImportKind::Prices, &[&["service", "OIL_CHANGE", &price]]).expect("checked");
        prop_assert_eq!(errors(&report), vec![(2, Some("price"), Error::AmountTooPrecise)]);
    }
}
