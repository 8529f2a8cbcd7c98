//! The demo data: everything [`crate::demo::DemoData`] holds (through `seed_sql.rs`),
//! demo passwords and PINs, discount policies and shipments on their way.

use app::storage::StorageError;
use domain::discount::{DiscountPolicy, Percent, PolicyRule, Tier};
use domain::{Money, PolicyId, ServiceId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::rows::{get, Conn};
use super::{policies, prices, seed_sql, Backend};
use crate::demo::DemoData;
use crate::storage::{db_err, now, transaction, DbTime, Serial};

impl Backend {
    /// Loads the demo data if the database holds no price list yet; returns whether it
    /// did. Instances starting together load it once.
    pub async fn seed_demo(&self, demo: &DemoData) -> Result<bool, StorageError> {
        let hash = crate::storage::demo_password_hash().await?;
        let pin_hash = crate::storage::demo_pin_hash().await?;
        transaction!(self, Serial::Seed, |tx| {
            if prices::has_price_list(tx).await? {
                return Ok((false, Vec::new()));
            }
            seed_sql::insert_demo(tx, demo).await.map_err(db_err)?;
            set_demo_passwords(tx, &hash, &pin_hash).await?;
            seed_demo_extras(tx, now()).await?;
            Ok((true, Vec::new()))
        })
    }
}

/// Gives every demo staff account, and the demo customers of
/// [`crate::demo::DEMO_ACCOUNTS`], the demo password's hash, and every store's staff the
/// demo PIN's.
async fn set_demo_passwords(
    conn: &mut Conn,
    hash: &str,
    pin_hash: &str,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE staff SET password_hash = $1")
        .bind(hash)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    sqlx::query(
        "UPDATE staff SET pin_hash = $1
         WHERE role IN ('store_manager', 'service_advisor', 'technician')",
    )
    .bind(pin_hash)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    for (phone, role) in crate::demo::DEMO_ACCOUNTS {
        if role == "customer" {
            sqlx::query("UPDATE customers SET password_hash = $1 WHERE phone = $2")
                .bind(hash)
                .bind(phone)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// The demo's discount policies and shipments on their way, loaded with the demo data.
/// Shipments get ETAs from `now`, so a fresh demo always has stock "arriving".
async fn seed_demo_extras(conn: &mut Conn, now: OffsetDateTime) -> Result<(), StorageError> {
    let at = crate::demo::SETUP_MS;
    let policy = |n: u64, name_zh: &str, name_en: &str, rule: PolicyRule| DiscountPolicy {
        id: PolicyId::from(domain::deterministic_v7(at, 9_000 + n)),
        name_zh: name_zh.to_owned(),
        name_en: name_en.to_owned(),
        rule,
    };
    let oil_change: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM services WHERE code = 'OIL_CHANGE'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    let mut policies = vec![
        policy(
            1,
            "金卡会员工时九折",
            "Gold members: 10% off labour",
            PolicyRule::tier_labour_percent(Tier::Gold, Percent::new(10)?),
        ),
        policy(
            2,
            "银卡会员工时九五折",
            "Silver members: 5% off labour",
            PolicyRule::tier_labour_percent(Tier::Silver, Percent::new(5)?),
        ),
    ];
    if let Some(oil) = oil_change {
        policies.push(policy(
            3,
            "冬季保养季 换机油立减 30 元",
            "Winter service season: ¥30 off an oil change",
            PolicyRule::campaign_amount_off(
                ServiceId::from(oil),
                Money::from_fen(3_000),
                time::macros::datetime!(2026-11-01 00:00 +8),
                time::macros::datetime!(2027-03-01 00:00 +8),
            )?,
        ));
    }
    for p in &policies {
        policies::insert_policy(conn, p, "demo", now).await?;
    }

    // Empty store shelves get a shipment on its way: 5, 10 or 15 hours out.
    let empty = sqlx::query(
        "SELECT s.location_id, s.part_id FROM stock s JOIN locations l ON l.id = s.location_id
         WHERE l.kind = 'store' AND s.on_hand_milli = 0 ORDER BY l.code, s.part_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for (i, r) in empty.iter().enumerate() {
        let hours = 5 * (i as i64 % 3 + 1);
        sqlx::query(
            "INSERT INTO inbound_shipments (id, location_id, part_id, quantity_milli, reserved_milli, eta)
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(domain::deterministic_v7(at, 10_000 + i as u64))
        .bind(get::<Uuid>(r, "location_id")?)
        .bind(get::<Uuid>(r, "part_id")?)
        .bind(20_000i64)
        .bind(DbTime(now + time::Duration::hours(hours)))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
