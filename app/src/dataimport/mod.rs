//! Data administration (C14): HQ imports and exports the catalog, fitment, prices and
//! stock counts as CSV files.
//!
//! An import goes in steps so that a large file shows its progress and nothing is
//! applied before the whole file is known: the browser uploads the file in pieces
//! ([`import_piece`], staged by the server), the server checks it whole
//! ([`check_import`], every refused row with its line and reason, by
//! [`domain::dataimport::check`]), and only then applies it in one transaction
//! ([`apply_import`]): all rows when all are valid, or the valid rows when the person
//! asks for that. [`export_csv`] gives each kind back in the import's own format.
//!
//! - Server functions: [`import_piece`], [`check_import`], [`apply_import`],
//!   [`export_csv`]; HQ administration only ([`domain::Principal::may_administer_data`]).
//! - Storage: [`ImportStorage`].
//! - CSV: [`read_csv`] and [`write_csv`] (the `csv` crate), shared with the command line.
//! - Component: [`page::HqData`] (`/hq/data`).

pub mod page;

use domain::dataimport::{ImportKind, Report, RowError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::storage::{use_storage, StorageError};

/// The largest file an import stages, in bytes: 100,000 rows of a few hundred
/// characters each.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// Errors shown on the page at most; the count says how many more there are.
pub const ERRORS_SHOWN: usize = 500;

/// A checked file as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub kind: ImportKind,
    pub rows: usize,
    pub valid: usize,
    /// The first [`ERRORS_SHOWN`] refused rows.
    pub errors: Vec<RowError>,
    /// How many refused rows there are in all.
    pub error_count: usize,
}

impl ReportView {
    pub fn of(report: &Report) -> ReportView {
        ReportView {
            kind: report.kind,
            rows: report.rows,
            valid: report.valid.len(),
            errors: report.errors.iter().take(ERRORS_SHOWN).cloned().collect(),
            error_count: report.errors.len(),
        }
    }
}

/// What an import changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// Rows applied.
    pub rows: usize,
    /// The price list's new version, for a price file.
    pub price_version: Option<u32>,
}

/// Data administration's storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ImportStorage: Send + Sync + 'static {
    /// What rows may name, as the database holds it now.
    async fn known(&self) -> Result<domain::dataimport::Known, StorageError>;

    /// Adds a piece of a file to the upload `upload` (a new one when `None`) of `kind`
    /// by `by`; returns the upload's id. An upload is its staff member's alone; one
    /// growing past [`MAX_BYTES`] is refused. Uploads older than a day are dropped.
    async fn stage(
        &self,
        upload: Option<uuid::Uuid>,
        kind: ImportKind,
        by: domain::StaffId,
        text: &str,
        now: time::OffsetDateTime,
    ) -> Result<uuid::Uuid, StorageError>;

    /// The staged file of `upload`, whole: its kind and text.
    async fn staged(
        &self,
        upload: uuid::Uuid,
        by: domain::StaffId,
    ) -> Result<(ImportKind, String), StorageError>;

    /// Drops a staged upload.
    async fn discard(&self, upload: uuid::Uuid) -> Result<(), StorageError>;

    /// Applies checked rows in one transaction: all or none. `published_by` names who
    /// publishes a price file; `progress` hears how many rows are done so far.
    async fn apply(
        &self,
        kind: ImportKind,
        rows: &[(u64, domain::dataimport::Row)],
        published_by: &str,
        now: time::OffsetDateTime,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Applied, StorageError>;

    /// Every row of `kind` as its import file has it, the header not included.
    async fn export(&self, kind: ImportKind) -> Result<Vec<Vec<String>>, StorageError>;
}

/// Reads a CSV file of `kind` and checks it against `known`: the file's first record is
/// its header; lines are counted as an editor counts them.
#[cfg(feature = "ssr")]
pub fn read_csv(
    kind: ImportKind,
    text: &str,
    known: &domain::dataimport::Known,
) -> Result<Report, domain::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(str::to_owned).collect(),
        _ => return Err(domain::Error::ImportHeaderInvalid),
    };
    let rows = records.map(|r| match r {
        Ok(r) => (
            r.position().map_or(0, |p| p.line()),
            r.iter().map(str::to_owned).collect(),
        ),
        // A record the reader cannot make out is a row of the wrong shape.
        Err(e) => (
            e.position().map_or(0, |p| p.line()),
            vec![String::from("?")],
        ),
    });
    domain::dataimport::check(kind, &header, rows, known)
}

/// A file of `kind` with `rows`, header first.
#[cfg(feature = "ssr")]
pub fn write_csv(kind: ImportKind, rows: &[Vec<String>]) -> Result<String, StorageError> {
    let fail = |e: &dyn std::fmt::Display| StorageError::corrupt(format!("CSV export: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(kind.header()).map_err(|e| fail(&e))?;
    for row in rows {
        writer.write_record(row).map_err(|e| fail(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

#[cfg(feature = "ssr")]
async fn administrator() -> Result<(domain::StaffId, String), AppError> {
    let me = crate::account::session::require(domain::Principal::may_administer_data).await?;
    match me.principal {
        domain::Principal::Staff { id, .. } => Ok((id, me.name_en.clone())),
        domain::Principal::Customer { .. } => Err(AppError::Forbidden),
    }
}

#[cfg(feature = "ssr")]
fn upload_id(input: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(input.trim()).map_err(|_| AppError::Invalid(domain::Error::IdInvalid))
}

/// Stages a piece of a file (`upload` empty for the first); returns the upload's id.
#[server(prefix = "/api", endpoint = "import_piece", output = crate::codec::JsonText)]
pub async fn import_piece(upload: String, kind: String, text: String) -> Result<String, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, _) = administrator().await?;
    let kind = ImportKind::parse(&kind)?;
    let upload = match upload.trim() {
        "" => None,
        id => Some(upload_id(id)?),
    };
    let id = use_storage::<dyn ImportStorage>()?
        .stage(upload, kind, by, &text, crate::clock::now())
        .await?;
    Ok(id.to_string())
}

/// Checks a staged file whole.
#[server(prefix = "/api", endpoint = "check_import", output = crate::codec::JsonText)]
pub async fn check_import(upload: String) -> Result<ReportView, AppError> {
    let (by, _) = administrator().await?;
    let upload = upload_id(&upload)?;
    let storage = use_storage::<dyn ImportStorage>()?;
    let (kind, text) = storage.staged(upload, by).await?;
    let known = storage.known().await?;
    Ok(ReportView::of(&read_csv(kind, &text, &known)?))
}

/// Applies a staged file: every row when all are valid, or only the valid ones when
/// `valid_only` is `"true"`. Checked again here: what was checked before may have
/// changed since.
#[server(prefix = "/api", endpoint = "apply_import", output = crate::codec::JsonText)]
pub async fn apply_import(upload: String, valid_only: String) -> Result<Applied, AppError> {
    crate::account::session::require_same_origin()?;
    let (by, name) = administrator().await?;
    let upload = upload_id(&upload)?;
    let valid_only = valid_only.trim() == "true";
    let storage = use_storage::<dyn ImportStorage>()?;
    let (kind, text) = storage.staged(upload, by).await?;
    let report = read_csv(kind, &text, &storage.known().await?)?;
    let rows = report.applicable(valid_only)?;
    let applied = storage
        .apply(kind, rows, &name, crate::clock::now(), &|_| {})
        .await?;
    storage.discard(upload).await?;
    tracing::info!(kind = kind.code(), rows = applied.rows, %by, "import applied");
    Ok(applied)
}

/// Every row of a kind as a CSV file in the import's format.
#[server(prefix = "/api", endpoint = "export_csv", output = crate::codec::JsonText)]
pub async fn export_csv(kind: String) -> Result<String, AppError> {
    administrator().await?;
    let kind = ImportKind::parse(&kind)?;
    let rows = use_storage::<dyn ImportStorage>()?.export(kind).await?;
    Ok(write_csv(kind, &rows)?)
}
