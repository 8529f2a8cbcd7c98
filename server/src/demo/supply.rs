//! The demo chain's supply side: its suppliers, where each part is bought, and the stock
//! ledger behind the shelves: an opening balance per shelf and a consumption move for
//! every part the year's completed visits used, so on hand is the sum of the moves and
//! the forecast has a history to smooth.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::storage::uses;

use super::{id, DemoData, Kind, LOCAL_OFFSET_HOURS, SETUP_AT};

/// A row of `suppliers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Supplier {
    pub id: Uuid,
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub phone: &'static str,
}

/// A row of `part_sourcing`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourcing {
    pub part_id: Uuid,
    pub supplier_id: Uuid,
    pub lead_days: i64,
    pub min_order_milli: i64,
    pub pack_milli: i64,
}

/// A row of `stock_moves`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockMove {
    pub id: Uuid,
    pub location_id: Uuid,
    pub part_id: Uuid,
    pub delta_milli: i64,
    /// `opening` or `consumed`.
    pub kind: &'static str,
    pub order_id: Option<Uuid>,
    pub at: OffsetDateTime,
}

/// A row of `consumption_history`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumptionHistory {
    pub location_id: Uuid,
    pub part_id: Uuid,
    /// What was used on each local day, as [`crate::storage::uses`] writes it.
    pub uses: String,
}

/// What a supplier sells: a category, its minimum order and pack size in whole units.
type Sells = &'static [(&'static str, i64, i64)];

/// Suppliers: code, names, phone, lead days, and what they sell.
#[rustfmt::skip] // A table.
const SUPPLIERS: &[(&str, &str, &str, &str, i64, Sells)] = &[
    ("SUP-LUBE", "杭州润滑油供应有限公司", "Hangzhou Lubricants Co.", "0571-8800 1001", 3,
        &[("ENGINE_OIL", 200, 4), ("BRAKE_FLUID", 24, 1), ("COOLANT", 24, 4), ("EV_COOLANT", 24, 4)]),
    ("SUP-FILT", "浙江滤清器有限公司", "Zhejiang Filters Ltd.", "0571-8800 1002", 4,
        &[("OIL_FILTER", 50, 10), ("AIR_FILTER", 30, 10), ("CABIN_FILTER", 30, 10)]),
    ("SUP-BRAKE", "宁波制动系统有限公司", "Ningbo Brake Systems", "0574-8800 1003", 5,
        &[("BRAKE_PADS_FRONT", 8, 4), ("BRAKE_PADS_REAR", 8, 4)]),
    ("SUP-TYRE", "上海轮胎贸易有限公司", "Shanghai Tyre Trading", "021-8800 1004", 6,
        &[("TYRE", 16, 4)]),
    ("SUP-GEN", "华东汽配有限公司", "East China Auto Parts", "0571-8800 1005", 5,
        &[("WIPER", 10, 2), ("AC_CLEANER", 24, 12), ("SPARK_PLUG", 16, 4),
          ("WINDOW_FILM", 4, 1), ("WASH_KIT", 12, 6), ("POLISH_KIT", 12, 6)]),
];

/// The suppliers, each part's sourcing, the ledger and the daily consumption of `d`,
/// whose stock rows are the shelves as they stand at [`super::BASE`].
pub fn build(
    d: &DemoData,
) -> (
    Vec<Supplier>,
    Vec<Sourcing>,
    Vec<StockMove>,
    Vec<ConsumptionHistory>,
) {
    let suppliers: Vec<Supplier> = SUPPLIERS
        .iter()
        .enumerate()
        .map(|(i, s)| Supplier {
            id: id(Kind::Supplier, i, SETUP_AT),
            code: s.0,
            name_zh: s.1,
            name_en: s.2,
            phone: s.3,
        })
        .collect();
    let category_code: BTreeMap<Uuid, &str> =
        d.part_categories.iter().map(|c| (c.id, c.code)).collect();
    let mut sourcing = Vec::new();
    for part in &d.parts {
        let Some(code) = category_code.get(&part.category_id) else {
            continue;
        };
        for (s, spec) in SUPPLIERS.iter().enumerate() {
            if let Some(&(_, moq, pack)) = spec.5.iter().find(|(c, _, _)| c == code) {
                sourcing.push(Sourcing {
                    part_id: part.id,
                    supplier_id: suppliers[s].id,
                    lead_days: spec.4,
                    min_order_milli: moq * 1000,
                    pack_milli: pack * 1000,
                });
            }
        }
    }

    // What each completed visit used: its services' categories, in the part that fits
    // the car.
    let model_of: BTreeMap<Uuid, Uuid> = d.vehicles.iter().map(|v| (v.id, v.model_id)).collect();
    let fits: BTreeMap<(Uuid, Uuid), Uuid> = d
        .fitments
        .iter()
        .map(|f| ((f.model_id, f.category_id), f.part_id))
        .collect();
    let mut needs: BTreeMap<Uuid, Vec<(Uuid, i64)>> = BTreeMap::new();
    for sp in &d.service_parts {
        needs
            .entry(sp.service_id)
            .or_default()
            .push((sp.category_id, sp.quantity_milli));
    }
    let mut lines: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for l in &d.order_lines {
        if l.item_kind == "service" {
            lines.entry(l.order_id).or_default().push(l.item_id);
        }
    }
    let mut moves = Vec::new();
    let mut used: BTreeMap<(Uuid, Uuid), i64> = BTreeMap::new();
    let mut daily: BTreeMap<(Uuid, Uuid), BTreeMap<i64, i64>> = BTreeMap::new();
    for order in &d.orders {
        let (Some(done), Some(model)) = (order.completed_at, model_of.get(&order.vehicle_id))
        else {
            continue;
        };
        let mut parts: BTreeMap<Uuid, i64> = BTreeMap::new();
        for service in lines.get(&order.id).into_iter().flatten() {
            for (category, milli) in needs.get(service).into_iter().flatten() {
                if let Some(part) = fits.get(&(*model, *category)) {
                    *parts.entry(*part).or_default() += milli;
                }
            }
        }
        let day = uses::day_number((done + Duration::hours(LOCAL_OFFSET_HOURS)).date());
        for (part, milli) in parts {
            moves.push(StockMove {
                id: id(Kind::StockMove, moves.len(), done),
                location_id: order.store_id,
                part_id: part,
                delta_milli: -milli,
                kind: "consumed",
                order_id: Some(order.id),
                at: done,
            });
            *used.entry((order.store_id, part)).or_default() += milli;
            *daily
                .entry((order.store_id, part))
                .or_default()
                .entry(day)
                .or_default() += milli;
        }
    }
    // The opening balance is what the shelf holds now plus all it has given since.
    let mut opening = Vec::new();
    for row in &d.stock {
        let milli = row.on_hand_milli
            + used
                .get(&(row.location_id, row.part_id))
                .copied()
                .unwrap_or(0);
        if milli > 0 {
            opening.push(StockMove {
                id: id(Kind::StockMove, 1_000_000 + opening.len(), SETUP_AT),
                location_id: row.location_id,
                part_id: row.part_id,
                delta_milli: milli,
                kind: "opening",
                order_id: None,
                at: SETUP_AT,
            });
        }
    }
    opening.append(&mut moves);
    let consumption = daily
        .into_iter()
        .map(|((location_id, part_id), days)| ConsumptionHistory {
            location_id,
            part_id,
            uses: uses::write(&days),
        })
        .collect();
    (suppliers, sourcing, opening, consumption)
}
