//! [`MapStorage`]: customers counted by the district they said they live in, the
//! stores' places, and a customer's own district.

use app::customer_map::MapStorage;
use app::reception::Named;
use app::storage::StorageError;
use async_trait::async_trait;
use domain::districts::District;
use domain::geo::GeoPoint;
use domain::{CustomerId, StoreId};
use uuid::Uuid;

use super::rows::{get, named};
use super::Backend;
use crate::storage::{db_err, transaction, Serial};

#[async_trait]
impl MapStorage for Backend {
    async fn customer_districts(&self) -> Result<Vec<(Option<String>, u32)>, StorageError> {
        let mut conn = self.conn().await?;
        sqlx::query("SELECT district, COUNT(*) AS n FROM customers GROUP BY district")
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                let n: i64 = get(r, "n")?;
                Ok((get(r, "district")?, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect()
    }

    async fn store_places(&self) -> Result<Vec<(StoreId, Named, GeoPoint)>, StorageError> {
        let mut conn = self.conn().await?;
        sqlx::query(
            "SELECT id, name_zh, name_en, lat_e6, lng_e6 FROM locations WHERE kind = 'store' ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            let (lat, lng): (i64, i64) = (get(r, "lat_e6")?, get(r, "lng_e6")?);
            let at = i32::try_from(lat)
                .ok()
                .zip(i32::try_from(lng).ok())
                .and_then(|(lat, lng)| GeoPoint::new(lat, lng).ok())
                .ok_or_else(|| StorageError::corrupt("a store's place"))?;
            Ok((StoreId::from(get::<Uuid>(r, "id")?), named(r, "name_zh", "name_en")?, at))
        })
        .collect()
    }

    async fn home_district(&self, customer: CustomerId) -> Result<Option<String>, StorageError> {
        let mut conn = self.conn().await?;
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT district FROM customers WHERE id = $1")
                .bind(customer.as_uuid())
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
        row.ok_or(StorageError::NotFound)
    }

    async fn set_home_district(
        &self,
        customer: CustomerId,
        district: Option<District>,
    ) -> Result<(), StorageError> {
        transaction!(self, Serial::Rows, |tx| {
            let set = sqlx::query("UPDATE customers SET district = $1 WHERE id = $2")
                .bind(district.map(|d| d.code))
                .bind(customer.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            if set.rows_affected() != 1 {
                return Err(StorageError::NotFound);
            }
            Ok(((), Vec::new()))
        })
    }
}
