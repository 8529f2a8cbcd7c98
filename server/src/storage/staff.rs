//! [`StaffStorage`]: the stores' staff as HQ manages them.

use app::staff::{StaffMember, StaffRoster, StaffStorage};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::{PersonName, Phone, Skills, StaffId, StaffRole, StoreId};
use uuid::Uuid;

use super::rows::{append_event, get, Conn};
use app::live::LiveEvent;
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl StaffStorage for Backend {
    async fn roster(&self) -> Result<StaffRoster, StorageError> {
        let mut conn = self.conn().await?;
        let stores = super::devices::stores(&mut conn).await?;
        let staff = sqlx::query(
            "SELECT s.id, s.name_zh, s.name_en, s.phone, s.role, s.location_id, s.skills,
                    s.pin_hash IS NOT NULL AS has_pin
             FROM staff s JOIN locations l ON l.id = s.location_id
             WHERE l.kind = 'store' AND s.deactivated_at IS NULL
             ORDER BY l.code,
                      CASE s.role WHEN 'store_manager' THEN 0 WHEN 'service_advisor' THEN 1 ELSE 2 END,
                      s.name_en, s.id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            let role: String = get(r, "role")?;
            let skills: String = get(r, "skills")?;
            Ok(StaffMember {
                id: get::<Uuid>(r, "id")?.into(),
                name_zh: get(r, "name_zh")?,
                name_en: get(r, "name_en")?,
                phone: get(r, "phone")?,
                role: StaffRole::parse(&role)
                    .ok_or_else(|| StorageError::corrupt(format!("staff role {role:?}")))?,
                store: get::<Uuid>(r, "location_id")?.into(),
                skills: Skills::parse_codes(&skills)
                    .map_err(|_| StorageError::corrupt(format!("skills {skills:?}")))?,
                has_pin: get(r, "has_pin")?,
            })
        })
        .collect::<Result<_, StorageError>>()?;
        Ok(StaffRoster { stores, staff })
    }

    async fn add_staff(
        &self,
        store: StoreId,
        role: StaffRole,
        phone: &Phone,
        name: &PersonName,
    ) -> Result<StaffId, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            require_store(tx, store).await?;
            let id = StaffId::new();
            // A name is written as HQ typed it; both columns hold it.
            sqlx::query(
                "INSERT INTO staff (id, location_id, phone, name_zh, name_en, role, skills)
                 VALUES ($1, $2, $3, $4, $4, $5, '')",
            )
            .bind(id.as_uuid())
            .bind(store.as_uuid())
            .bind(phone.as_str())
            .bind(name.as_str())
            .bind(role.code())
            .execute(&mut *tx)
            .await
            .map_err(|e| match db_err(e) {
                StorageError::Conflict(_) => StorageError::Rule(domain::Error::PhoneTaken),
                other => other,
            })?;
            Ok((id, staff_changed(tx, &[store]).await?))
        })
    }

    async fn move_staff(&self, staff: StaffId, store: StoreId) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            require_store(tx, store).await?;
            let from = lock_kiosk(tx, staff).await?;
            sqlx::query("UPDATE staff SET location_id = $1 WHERE id = $2")
                .bind(store.as_uuid())
                .bind(staff.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            end_sessions(tx, staff).await?;
            Ok(((), staff_changed(tx, &[from, store]).await?))
        })
    }

    async fn set_skills(&self, staff: StaffId, skills: &Skills) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            lock_kiosk(tx, staff).await?;
            sqlx::query("UPDATE staff SET skills = $1 WHERE id = $2")
                .bind(skills.codes())
                .bind(staff.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok(((), Vec::new()))
        })
    }

    async fn deactivate(&self, staff: StaffId) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let store = match lock_kiosk(tx, staff).await {
                // Already gone: nothing to do, and nothing they could still use.
                Err(StorageError::Rule(domain::Error::StaffLeft)) => return Ok(((), Vec::new())),
                other => other?,
            };
            sqlx::query("UPDATE staff SET deactivated_at = $1 WHERE id = $2")
                .bind(DbTime(now()))
                .bind(staff.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            end_sessions(tx, staff).await?;
            Ok(((), staff_changed(tx, &[store]).await?))
        })
    }
}

/// [`domain::Error::StoreUnknown`] unless `store` is a store.
async fn require_store(conn: &mut Conn, store: StoreId) -> Result<(), StorageError> {
    let found = sqlx::query("SELECT 1 AS one FROM locations WHERE id = $1 AND kind = 'store'")
        .bind(store.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    found
        .map(|_| ())
        .ok_or(StorageError::Rule(domain::Error::StoreUnknown))
}

/// Locks a store staff member's row and returns their store: not found unless they work
/// at a store (HQ and warehouse staff are not managed here),
/// [`domain::Error::StaffLeft`] if deactivated.
async fn lock_kiosk(conn: &mut Conn, staff: StaffId) -> Result<StoreId, StorageError> {
    // The staff row alone is locked (a join would lock the store's row too).
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT deactivated_at, location_id, role FROM staff WHERE id = $1{LOCK_ROWS}"
    )))
    .bind(staff.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StorageError::NotFound)?;
    let role: String = get(&row, "role")?;
    let store: Option<Uuid> = get(&row, "location_id")?;
    let (true, Some(store)) = (
        StaffRole::parse(&role).is_some_and(|r| StaffRole::STORE.contains(&r)),
        store,
    ) else {
        return Err(StorageError::NotFound);
    };
    match get::<Option<DbTime>>(&row, "deactivated_at")? {
        Some(_) => Err(StorageError::Rule(domain::Error::StaffLeft)),
        None => Ok(store.into()),
    }
}

/// Announces to each store (once) that its staff changed, in the outbox of this
/// transaction; returns the events to publish after commit.
async fn staff_changed(
    conn: &mut Conn,
    stores: &[StoreId],
) -> Result<Vec<LiveEvent>, StorageError> {
    let mut events = Vec::new();
    for store in stores {
        let event = LiveEvent::KioskChanged { store: *store };
        if !events.contains(&event) {
            append_event(conn, &event, now()).await?;
            events.push(event);
        }
    }
    Ok(events)
}

/// Ends every session of a staff member: what they may see or do just changed.
async fn end_sessions(conn: &mut Conn, staff: StaffId) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
