//! [`PartsOrderStorage`]: the parts that fit a customer's car at their prices, the
//! store's list of accepted parts orders to hand over, and handing one over.
//!
//! Placing, routing and accepting a parts order are routing's ([`super::routing`]).
//! Handing over runs under the lock of the order's row, so two devices pressing at once
//! hand over once: the second finds the order handed over
//! ([`domain::parts_order::to_hand_over`]). The parts leave the shelf as a
//! technician's pick does ([`super::parts::take_from_shelf`]).

use std::collections::HashMap;

use app::live::LiveEvent;
use app::routing::parts::PartsOrderStorage;
use app::routing::{PartOffer, RoutedOrder, ToHandOver};
use app::storage::StorageError;
use async_trait::async_trait;
use domain::pricing::PricedItem;
use domain::{CustomerId, OrderId, PartId, RoutedOrderId, StaffId, StoreId, VehicleId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::booking::customer_and_vehicle;
use super::parts::{held, locked_order, of_orders, take_from_shelf};
use super::routing::{load, Filter};
use super::rows::{get, named, placeholders, push_event, Batch};
use super::{send_batch, Backend};
use crate::storage::{db_err, transaction, DbTime, Serial};

#[async_trait]
impl PartsOrderStorage for Backend {
    async fn parts_menu(
        &self,
        customer: CustomerId,
        vehicle: VehicleId,
    ) -> Result<Vec<PartOffer>, StorageError> {
        let mut conn = self.conn().await?;
        let who = customer_and_vehicle(&mut conn, customer, vehicle, "").await?;
        let revs = self.revisions(&mut conn).await?;
        let prices = self.prices_cached(&mut conn, &revs).await?;
        let rows = sqlx::query(
            "SELECT p.id, p.sku, p.name_zh, p.name_en, c.name_zh AS category_zh,
                    c.name_en AS category_en, c.unit_zh, c.unit_en
             FROM fitments f
             JOIN parts p ON p.id = f.part_id
             JOIN part_categories c ON c.id = p.category_id
             WHERE f.model_id = $1
             ORDER BY c.code, p.sku",
        )
        .bind(who.model.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut offers = Vec::with_capacity(rows.len());
        for r in &rows {
            let part = PartId::from(get::<Uuid>(r, "id")?);
            // A part the price list does not price is not on sale.
            let Ok(price) = prices.list.price_of(PricedItem::Part(part)) else {
                continue;
            };
            offers.push(PartOffer {
                part,
                sku: get(r, "sku")?,
                name: named(r, "name_zh", "name_en")?,
                category: named(r, "category_zh", "category_en")?,
                unit: named(r, "unit_zh", "unit_en")?,
                price,
            });
        }
        Ok(offers)
    }

    async fn to_hand_over(&self, store: StoreId) -> Result<Vec<ToHandOver>, StorageError> {
        let mut conn = self.conn().await?;
        let orders = load(&mut conn, Filter::ToHandOver(store)).await?;
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = orders.iter().map(|o| o.id.as_uuid()).collect();
        let sql = format!(
            "SELECT r.id, r.order_id, c.name_zh
             FROM routed_orders r JOIN customers c ON c.id = r.customer_id
             WHERE r.id IN ({})",
            placeholders(1, ids.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(*id);
        }
        let mut about: HashMap<Uuid, (Uuid, String)> = HashMap::new();
        for r in q.fetch_all(&mut *conn).await.map_err(db_err)? {
            about.insert(get(&r, "id")?, (get(&r, "order_id")?, get(&r, "name_zh")?));
        }
        let order_ids: Vec<Uuid> = about.values().map(|(o, _)| *o).collect();
        let mut held = of_orders(&mut conn, &order_ids).await?;
        orders
            .into_iter()
            .map(|order| {
                let (order_id, customer_name) = about
                    .remove(&order.id.as_uuid())
                    .ok_or_else(|| StorageError::corrupt("a parts order without its order"))?;
                Ok(ToHandOver {
                    order,
                    customer_name,
                    held: held.remove(&order_id).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn hand_over(
        &self,
        store: StoreId,
        by: StaffId,
        id: RoutedOrderId,
        now: OffsetDateTime,
    ) -> Result<RoutedOrder, StorageError> {
        let customer = transaction!(self, Serial::Rows, |tx| {
            // Only a parts order this store accepted is there to hand over.
            let row = sqlx::query(
                "SELECT customer_id, order_id FROM routed_orders
                 WHERE id = $1 AND store_id = $2 AND kind = 'parts' AND status = 'accepted'",
            )
            .bind(id.as_uuid())
            .bind(store.as_uuid())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or(StorageError::NotFound)?;
            let customer = CustomerId::from(get::<Uuid>(&row, "customer_id")?);
            let order = OrderId::from(get::<Uuid>(&row, "order_id")?);
            let (_, status) = locked_order(tx, store, order).await?;
            let held = held(tx, order).await?;
            let picks = domain::parts_order::to_hand_over(status, &held)?;
            take_from_shelf(tx, store, order, &picks, now).await?;
            let mut batch = Batch::default();
            let sql = format!(
                "UPDATE orders SET status = 'handed_over', completed_at = {now}, status_changed_at = {now}
                 WHERE id = {} AND store_id = {} AND status = 'booked' AND kind = 'parts'",
                batch.bind(order.as_uuid()),
                batch.bind(store.as_uuid()),
                now = batch.bind(DbTime(now)),
            );
            batch.push_guarded(sql, 1, domain::Error::StepOutOfOrder);
            let events = vec![LiveEvent::RoutingChanged {
                store: Some(store),
                customer,
                order: id,
            }];
            for event in &events {
                push_event(&mut batch, event, now)?;
            }
            send_batch(tx, batch).await?;
            tracing::debug!(%by, %order, "parts handed over");
            Ok((customer, events))
        })?;
        load(&mut *self.conn().await?, Filter::One(customer, id))
            .await?
            .pop()
            .ok_or(StorageError::NotFound)
    }
}
