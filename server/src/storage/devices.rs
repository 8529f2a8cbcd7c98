//! [`DeviceStorage`]: pairing codes, paired kiosk devices, staff PINs and each store's
//! idle-lock minutes.

use app::devices::{
    DeviceStorage, DeviceView, HqDevicesView, PairedDevice, PinHolder, StaffTile, StoreName,
};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::kiosk::{DeviceName, IdleLock};
use domain::{DeviceId, StaffId, StaffRole, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::accounts::staff_principal;
use super::rows::{append_event, get, small, Conn, DbRow};
use app::live::LiveEvent;
use super::Backend;
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl DeviceStorage for Backend {
    async fn hq_devices(&self) -> Result<HqDevicesView, StorageError> {
        let mut conn = self.conn().await?;
        let stores = stores(&mut conn).await?;
        let devices = sqlx::query(
            "SELECT d.id, d.name, d.paired_at, d.last_unlock_at, d.revoked_at,
                    l.id AS store_id, l.name_zh, l.name_en
             FROM devices d JOIN locations l ON l.id = d.store_id
             ORDER BY d.revoked_at IS NOT NULL, d.paired_at DESC",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(DeviceView {
                id: get::<Uuid>(r, "id")?.into(),
                name: get(r, "name")?,
                store: StoreName {
                    id: get::<Uuid>(r, "store_id")?.into(),
                    name_zh: get(r, "name_zh")?,
                    name_en: get(r, "name_en")?,
                },
                paired_at: get::<DbTime>(r, "paired_at")?.0,
                last_unlock_at: get::<Option<DbTime>>(r, "last_unlock_at")?.map(|t| t.0),
                revoked_at: get::<Option<DbTime>>(r, "revoked_at")?.map(|t| t.0),
            })
        })
        .collect::<Result<_, StorageError>>()?;
        Ok(HqDevicesView { stores, devices })
    }

    async fn create_pairing_code(
        &self,
        store: StoreId,
        device_name: &DeviceName,
        code_hash: &str,
        by: StaffId,
        expires_at: OffsetDateTime,
    ) -> Result<StoreName, StorageError> {
        let store = transaction!(self, Serial::Rows, |tx| {
            let row = sqlx::query(
                "SELECT id, name_zh, name_en FROM locations WHERE id = $1 AND kind = 'store'",
            )
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::Rule(domain::Error::StoreUnknown))?;
            sqlx::query(
                "INSERT INTO pairing_codes (code_hash, store_id, device_name, created_by, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(code_hash)
            .bind(store.as_uuid())
            .bind(device_name.as_str())
            .bind(by.as_uuid())
            .bind(DbTime(now()))
            .bind(DbTime(expires_at))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok((store_from(&row)?, Vec::new()))
        })?;
        Ok(store)
    }

    async fn pair(&self, code_hash: &str, token_hash: &str) -> Result<DeviceId, StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let at = now();
            // The guard: a code is spent by exactly one pairing, however many iPads type
            // it at once (the second finds `used_at` set and pairs nothing).
            let row = sqlx::query(
                "UPDATE pairing_codes SET used_at = $1
                 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
                 RETURNING store_id, device_name, created_by",
            )
            .bind(DbTime(at))
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::Rule(domain::Error::PairingCodeInvalid))?;
            let id = DeviceId::new();
            sqlx::query(
                "INSERT INTO devices (id, store_id, name, token_hash, paired_at, paired_by)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.as_uuid())
            .bind(get::<Uuid>(&row, "store_id")?)
            .bind(get::<String>(&row, "device_name")?)
            .bind(token_hash)
            .bind(DbTime(at))
            .bind(get::<Uuid>(&row, "created_by")?)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            Ok((id, Vec::new()))
        })
    }

    async fn device(&self, token_hash: &str) -> Result<Option<PairedDevice>, StorageError> {
        let mut conn = self.conn().await?;
        let Some(row) = sqlx::query(
            "SELECT d.id, d.name, l.id AS store_id, l.name_zh, l.name_en, l.idle_lock_min
             FROM devices d JOIN locations l ON l.id = d.store_id
             WHERE d.token_hash = $1 AND d.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        else {
            return Ok(None);
        };
        let store: StoreId = get::<Uuid>(&row, "store_id")?.into();
        let staff = kiosk(&mut conn, store).await?;
        let minutes: u8 = small(&row, "idle_lock_min")?;
        Ok(Some(PairedDevice {
            id: get::<Uuid>(&row, "id")?.into(),
            name: get(&row, "name")?,
            store: StoreName {
                id: store,
                name_zh: get(&row, "name_zh")?,
                name_en: get(&row, "name_en")?,
            },
            idle_lock: IdleLock::from_minutes(minutes)
                .map_err(|_| StorageError::corrupt(format!("idle_lock_min = {minutes}")))?,
            staff,
        }))
    }

    async fn revoke(&self, device: DeviceId, by: StaffId) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let at = now();
            let known = sqlx::query("SELECT store_id FROM devices WHERE id = $1")
                .bind(device.as_uuid())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?
                .ok_or(StorageError::NotFound)?;
            let store: StoreId = get::<Uuid>(&known, "store_id")?.into();
            let revoked = sqlx::query(
                "UPDATE devices SET revoked_at = $1, revoked_by = $2
                 WHERE id = $3 AND revoked_at IS NULL",
            )
            .bind(DbTime(at))
            .bind(by.as_uuid())
            .bind(device.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected()
                > 0;
            sqlx::query("DELETE FROM sessions WHERE device_id = $1")
                .bind(device.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            let mut events = Vec::new();
            if revoked {
                let event = LiveEvent::DeviceRevoked { device, store };
                append_event(tx, &event, at).await?;
                events.push(event);
            }
            Ok(((), events))
        })
    }

    async fn pin_holder(&self, staff: StaffId) -> Result<Option<PinHolder>, StorageError> {
        let row = sqlx::query(
            "SELECT id, role, location_id, pin_hash FROM staff
             WHERE id = $1 AND deactivated_at IS NULL",
        )
        .bind(staff.as_uuid())
        .fetch_optional(&mut *self.conn().await?)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            let role: String = get(&r, "role")?;
            Ok(PinHolder {
                principal: staff_principal(get(&r, "id")?, &role, get(&r, "location_id")?)?,
                pin_hash: get(&r, "pin_hash")?,
            })
        })
        .transpose()
    }

    async fn set_pin(
        &self,
        staff: StaffId,
        store: StoreId,
        pin_hash: &str,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let done = sqlx::query(
                "UPDATE staff SET pin_hash = $1
                 WHERE id = $2 AND location_id = $3 AND deactivated_at IS NULL",
            )
            .bind(pin_hash)
            .bind(staff.as_uuid())
            .bind(store.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            // The lock screen shows who has a PIN.
            Ok(((), kiosk_changed(tx, store).await?))
        })
    }

    async fn set_idle_lock(&self, store: StoreId, idle: IdleLock) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let done = sqlx::query(
                "UPDATE locations SET idle_lock_min = $1 WHERE id = $2 AND kind = 'store'",
            )
            .bind(i64::from(idle.minutes()))
            .bind(store.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if done.rows_affected() == 0 {
                return Err(StorageError::NotFound);
            }
            // Its devices lock after the new minutes at once.
            Ok(((), kiosk_changed(tx, store).await?))
        })
    }
}

/// Tells `store`'s devices, through the outbox of this transaction, that its kiosk
/// changed; returns the event to publish after commit.
async fn kiosk_changed(conn: &mut Conn, store: StoreId) -> Result<Vec<LiveEvent>, StorageError> {
    let event = LiveEvent::KioskChanged { store };
    append_event(conn, &event, now()).await?;
    Ok(vec![event])
}

/// Every store (not the warehouse), by code.
pub(super) async fn stores(conn: &mut Conn) -> Result<Vec<StoreName>, StorageError> {
    sqlx::query("SELECT id, name_zh, name_en FROM locations WHERE kind = 'store' ORDER BY code")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(store_from)
        .collect()
}

fn store_from(r: &DbRow) -> Result<StoreName, StorageError> {
    Ok(StoreName {
        id: get::<Uuid>(r, "id")?.into(),
        name_zh: get(r, "name_zh")?,
        name_en: get(r, "name_en")?,
    })
}

/// A store's active staff for its lock screen: managers, then advisors, then
/// technicians, each by name.
pub(super) async fn kiosk(conn: &mut Conn, store: StoreId) -> Result<Vec<StaffTile>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, name_zh, name_en, role, pin_hash IS NOT NULL AS has_pin FROM staff
         WHERE location_id = $1 AND deactivated_at IS NULL
         ORDER BY CASE role WHEN 'store_manager' THEN 0 WHEN 'service_advisor' THEN 1 ELSE 2 END,
                  name_en, id",
    )
    .bind(store.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let role: String = get(r, "role")?;
            Ok(StaffTile {
                id: get::<Uuid>(r, "id")?.into(),
                name_zh: get(r, "name_zh")?,
                name_en: get(r, "name_en")?,
                role: StaffRole::parse(&role)
                    .ok_or_else(|| StorageError::corrupt(format!("staff role {role:?}")))?,
                has_pin: get(r, "has_pin")?,
            })
        })
        .collect()
}
