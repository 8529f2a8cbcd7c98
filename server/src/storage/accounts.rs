//! [`AccountStorage`]: customers' and staff's credentials, sessions, membership tiers.

use app::account::{AccountStorage, Me, Realm};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::discount::Tier;
use domain::{CustomerId, DeviceId, PersonName, Phone, Principal, StaffId, StaffRole, StoreId};
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::Conn;
use super::{Backend, LOCK_ROWS};
use crate::storage::{db_err, now, transaction, DbTime, Serial};

#[async_trait]
impl AccountStorage for Backend {
    async fn create_customer(
        &self,
        phone: &Phone,
        name: &PersonName,
        password_hash: &str,
    ) -> Result<CustomerId, StorageError> {
        let id =
            create_customer(&mut *self.write_conn().await?, phone, name, password_hash, now())
                .await?;
        self.synced().await?;
        Ok(id)
    }

    async fn credentials(
        &self,
        realm: Realm,
        phone: &Phone,
    ) -> Result<Option<(Principal, Option<String>)>, StorageError> {
        credentials(&mut *self.conn().await?, realm, phone).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        principal: &Principal,
        expires_at: OffsetDateTime,
        device: Option<DeviceId>,
    ) -> Result<(), StorageError> {
        let Some(device) = device else {
            create_session(
                &mut *self.write_conn().await?,
                token_hash,
                principal,
                now(),
                expires_at,
                None,
            )
            .await?;
            return self.synced().await;
        };
        // The device's row is locked first, so a revoke that commits meanwhile either
        // deletes this session with the others or finds it never made.
        transaction!(self, Serial::Rows, |tx| {
            let paired = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT 1 AS one FROM devices WHERE id = $1 AND revoked_at IS NULL{LOCK_ROWS}"
            )))
            .bind(device.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            if paired.is_none() {
                return Err(StorageError::Rule(domain::Error::DeviceNotPaired));
            }
            create_session(tx, token_hash, principal, now(), expires_at, Some(device)).await?;
            Ok(((), Vec::new()))
        })
    }

    async fn session(
        &self,
        token_hash: &str,
        device_hash: Option<&str>,
    ) -> Result<Option<Me>, StorageError> {
        session(&mut *self.conn().await?, token_hash, device_hash, now()).await
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StorageError> {
        end_session(&mut *self.write_conn().await?, token_hash, now()).await?;
        self.synced().await
    }

    async fn tier(&self, customer: CustomerId) -> Result<Tier, StorageError> {
        let tier: String = sqlx::query_scalar("SELECT tier FROM customers WHERE id = $1")
            .bind(customer.as_uuid())
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_err)?;
        Tier::parse(&tier).ok_or_else(|| StorageError::corrupt(format!("tier {tier:?}")))
    }
}

async fn create_customer(
    conn: &mut Conn,
    phone: &Phone,
    name: &PersonName,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<CustomerId, StorageError> {
    let id = CustomerId::new();
    // A name is written as the person gave it; both columns hold it.
    sqlx::query(
        "INSERT INTO customers (id, phone, name_zh, name_en, tier, marketing_opt_out, created_at, password_hash)
         VALUES ($1, $2, $3, $3, 'standard', FALSE, $4, $5)",
    )
    .bind(id.as_uuid())
    .bind(phone.as_str())
    .bind(name.as_str())
    .bind(DbTime(now))
    .bind(password_hash)
    .execute(&mut *conn)
    .await
    .map_err(|e| match db_err(e) {
        StorageError::Conflict(_) => StorageError::Rule(domain::Error::PhoneTaken),
        other => other,
    })?;
    Ok(id)
}

async fn credentials(
    conn: &mut Conn,
    realm: Realm,
    phone: &Phone,
) -> Result<Option<(Principal, Option<String>)>, StorageError> {
    match realm {
        Realm::Customer => {
            let row = sqlx::query("SELECT id, password_hash FROM customers WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
            row.map(|r| {
                Ok((
                    Principal::Customer {
                        id: r.try_get::<Uuid, _>("id").map_err(db_err)?.into(),
                    },
                    r.try_get("password_hash").map_err(db_err)?,
                ))
            })
            .transpose()
        }
        Realm::Staff => {
            let row = sqlx::query(
                "SELECT id, role, location_id, password_hash FROM staff
                 WHERE phone = $1 AND deactivated_at IS NULL",
            )
            .bind(phone.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
            row.map(|r| {
                let role: String = r.try_get("role").map_err(db_err)?;
                Ok((
                    staff_principal(
                        r.try_get("id").map_err(db_err)?,
                        &role,
                        r.try_get("location_id").map_err(db_err)?,
                    )?,
                    r.try_get("password_hash").map_err(db_err)?,
                ))
            })
            .transpose()
        }
    }
}

pub(super) fn staff_principal(
    id: Uuid,
    role: &str,
    location: Option<Uuid>,
) -> Result<Principal, StorageError> {
    Ok(Principal::Staff {
        id: StaffId::from(id),
        role: StaffRole::parse(role)
            .ok_or_else(|| StorageError::corrupt(format!("staff role {role:?}")))?,
        location: location.map(StoreId::from),
    })
}

async fn create_session(
    conn: &mut Conn,
    token_hash: &str,
    principal: &Principal,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
    device: Option<DeviceId>,
) -> Result<(), StorageError> {
    let (customer, staff) = match principal {
        Principal::Customer { id } => (Some(id.as_uuid()), None),
        Principal::Staff { id, .. } => (None, Some(id.as_uuid())),
    };
    // The device's last unlock, for HQ's list of devices (in the unlock's transaction).
    sqlx::query(
        "INSERT INTO sessions (token_hash, customer_id, staff_id, created_at, expires_at, device_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(customer)
    .bind(staff)
    .bind(DbTime(now))
    .bind(DbTime(expires_at))
    .bind(device.map(|d| d.as_uuid()))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(device) = device {
        sqlx::query("UPDATE devices SET last_unlock_at = $1 WHERE id = $2")
            .bind(DbTime(now))
            .bind(device.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

async fn session(
    conn: &mut Conn,
    token_hash: &str,
    device_hash: Option<&str>,
    now: OffsetDateTime,
) -> Result<Option<Me>, StorageError> {
    let row = sqlx::query(
        "SELECT s.customer_id, s.staff_id, s.device_id,
                c.name_zh AS c_zh, c.name_en AS c_en,
                st.name_zh AS s_zh, st.name_en AS s_en, st.role, st.location_id
         FROM sessions s
         LEFT JOIN customers c ON c.id = s.customer_id
         LEFT JOIN staff st ON st.id = s.staff_id
         LEFT JOIN devices d ON d.id = s.device_id
         WHERE s.token_hash = $1 AND s.expires_at > $2
           AND (st.id IS NULL OR st.deactivated_at IS NULL)
           AND (s.device_id IS NULL OR (d.revoked_at IS NULL AND d.token_hash = $3))",
    )
    .bind(token_hash)
    .bind(DbTime(now))
    .bind(device_hash)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(r) = row else {
        return Ok(None);
    };
    let customer: Option<Uuid> = r.try_get("customer_id").map_err(db_err)?;
    let staff: Option<Uuid> = r.try_get("staff_id").map_err(db_err)?;
    let device: Option<Uuid> = r.try_get("device_id").map_err(db_err)?;
    let device = device.map(DeviceId::from);
    let me = match (customer, staff) {
        (Some(id), _) => Me {
            principal: Principal::Customer { id: id.into() },
            name_zh: r.try_get("c_zh").map_err(db_err)?,
            name_en: r.try_get("c_en").map_err(db_err)?,
            device,
        },
        (None, Some(id)) => {
            let role: String = r.try_get("role").map_err(db_err)?;
            Me {
                principal: staff_principal(id, &role, r.try_get("location_id").map_err(db_err)?)?,
                name_zh: r.try_get("s_zh").map_err(db_err)?,
                name_en: r.try_get("s_en").map_err(db_err)?,
                device,
            }
        }
        (None, None) => return Err(StorageError::corrupt("a session without a person")),
    };
    Ok(Some(me))
}

async fn end_session(
    conn: &mut Conn,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash)
        .bind(DbTime(now))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
