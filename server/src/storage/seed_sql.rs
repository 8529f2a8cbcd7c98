//! PLACEHOLDER: replaced by the demo data generator being written.
use super::Db;
pub async fn insert_demo(
    _conn: &mut <Db as sqlx::Database>::Connection,
    _d: &crate::demo::DemoData,
) -> Result<(), sqlx::Error> {
    Ok(())
}
