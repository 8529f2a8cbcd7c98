//! Writes [`DemoData`] into a freshly migrated, empty database.
//!
//! This file is compiled twice, once beside `type Db = sqlx::Sqlite;` and once
//! beside `type Db = sqlx::Postgres;`, so a single body of SQL serves both. It
//! therefore uses only `$n` placeholders (both drivers accept them) and binds
//! only values that encode on both: `Uuid`, `OffsetDateTime`, `i64`, `&str`,
//! `bool` and `Option`s of those. The caller opens and commits the transaction.
//!
//! Rows go in as multi-row `INSERT ... VALUES (...), (...)` statements, one
//! round trip per ~70 rows instead of one per row, which keeps the whole seed
//! (about 5 000 rows) near a tenth of a second on both databases.

use super::Db;
use crate::demo::DemoData;
use crate::storage::DbTime;

type Connection = <Db as sqlx::Database>::Connection;
type Query = sqlx::query::Query<'static, Db, <Db as sqlx::Database>::Arguments>;

/// Bound values per statement. Far below SQLite's limit of 32 766 on purpose:
/// SQLite resolves each `$n` by a linear search of the names seen so far, so
/// parsing grows with the square of the parameters in one statement (30 000
/// per statement took ~1.8 s for the demo, 500 takes ~0.15 s), while
/// PostgreSQL is indifferent between the two.
const MAX_PARAMS: usize = 500;

/// Inserts every row of `d`, parents before children.
pub async fn insert_demo(conn: &mut Connection, d: &DemoData) -> Result<(), sqlx::Error> {
    insert(
        conn,
        "delivery_routes",
        &["code", "name_zh", "name_en"],
        &d.routes,
        |q, r| q.bind(r.code).bind(r.name_zh).bind(r.name_en),
    )
    .await?;
    insert(
        conn,
        "route_waves",
        &["route_code", "minute"],
        &d.route_waves,
        |q, r| q.bind(r.route_code).bind(r.minute),
    )
    .await?;
    insert(
        conn,
        "locations",
        &[
            "id",
            "code",
            "kind",
            "name_zh",
            "name_en",
            "address_zh",
            "address_en",
            "lat_e6",
            "lng_e6",
            "bays",
            "phone",
            "route_code",
        ],
        &d.locations,
        |q, r| {
            q.bind(r.id)
                .bind(r.code)
                .bind(r.kind)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.address_zh)
                .bind(r.address_en)
                .bind(r.lat_e6)
                .bind(r.lng_e6)
                .bind(r.bays)
                .bind(r.phone)
                .bind(r.route_code)
        },
    )
    .await?;
    insert(
        conn,
        "opening_hours",
        &["location_id", "weekday", "opens_min", "closes_min"],
        &d.opening_hours,
        |q, r| {
            q.bind(r.location_id)
                .bind(r.weekday)
                .bind(r.opens_min)
                .bind(r.closes_min)
        },
    )
    .await?;
    insert(
        conn,
        "vehicle_models",
        &[
            "id",
            "code",
            "brand_zh",
            "brand_en",
            "name_zh",
            "name_en",
            "powertrain",
        ],
        &d.models,
        |q, r| {
            q.bind(r.id)
                .bind(r.code)
                .bind(r.brand_zh)
                .bind(r.brand_en)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.powertrain)
        },
    )
    .await?;
    insert(
        conn,
        "part_categories",
        &["id", "code", "name_zh", "name_en", "unit_zh", "unit_en"],
        &d.part_categories,
        |q, r| {
            q.bind(r.id)
                .bind(r.code)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.unit_zh)
                .bind(r.unit_en)
        },
    )
    .await?;
    insert(
        conn,
        "parts",
        &["id", "sku", "category_id", "name_zh", "name_en", "oil_grade"],
        &d.parts,
        |q, r| {
            q.bind(r.id)
                .bind(r.sku)
                .bind(r.category_id)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.oil_grade)
        },
    )
    .await?;
    insert(
        conn,
        "fitments",
        &["model_id", "category_id", "part_id"],
        &d.fitments,
        |q, r| q.bind(r.model_id).bind(r.category_id).bind(r.part_id),
    )
    .await?;
    insert(
        conn,
        "services",
        &[
            "id",
            "code",
            "category",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "duration_min",
            "sort_order",
        ],
        &d.services,
        |q, r| {
            q.bind(r.id)
                .bind(r.code)
                .bind(r.category)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.description_zh)
                .bind(r.description_en)
                .bind(r.duration_min)
                .bind(r.sort_order)
        },
    )
    .await?;
    insert(
        conn,
        "qc_steps",
        &["service_id", "step_no", "text_zh", "text_en"],
        &d.qc_steps,
        |q, r| {
            q.bind(r.service_id)
                .bind(r.step_no)
                .bind(r.text_zh)
                .bind(r.text_en)
        },
    )
    .await?;
    insert(
        conn,
        "service_parts",
        &["service_id", "category_id", "quantity_milli"],
        &d.service_parts,
        |q, r| {
            q.bind(r.service_id)
                .bind(r.category_id)
                .bind(r.quantity_milli)
        },
    )
    .await?;
    insert(
        conn,
        "stock",
        &[
            "location_id",
            "part_id",
            "on_hand_milli",
            "reserved_milli",
            "safety_milli",
        ],
        &d.stock,
        |q, r| {
            q.bind(r.location_id)
                .bind(r.part_id)
                .bind(r.on_hand_milli)
                .bind(r.reserved_milli)
                .bind(r.safety_milli)
        },
    )
    .await?;
    let list = &d.price_list;
    insert(
        conn,
        "price_list_versions",
        &[
            "id",
            "version",
            "effective_from",
            "published_at",
            "published_by",
            "note",
        ],
        std::slice::from_ref(list),
        |q, r| {
            q.bind(r.id)
                .bind(r.version)
                .bind(DbTime::from(r.effective_from))
                .bind(DbTime::from(r.published_at))
                .bind(r.published_by.as_str())
                .bind(r.note)
        },
    )
    .await?;
    insert(
        conn,
        "prices",
        &["version_id", "item_kind", "item_id", "price_fen"],
        &list.prices,
        |q, r| {
            q.bind(list.id)
                .bind(r.item_kind)
                .bind(r.item_id)
                .bind(r.price_fen)
        },
    )
    .await?;
    insert(
        conn,
        "customers",
        &[
            "id",
            "phone",
            "name_zh",
            "name_en",
            "tier",
            "marketing_opt_out",
            "created_at",
            "district",
        ],
        &d.customers,
        |q, r| {
            q.bind(r.id)
                .bind(r.phone.as_str())
                .bind(r.name_zh.as_str())
                .bind(r.name_en.as_str())
                .bind(r.tier)
                .bind(r.marketing_opt_out)
                .bind(DbTime::from(r.created_at))
                .bind(r.district)
        },
    )
    .await?;
    insert(
        conn,
        "vehicles",
        &[
            "id",
            "customer_id",
            "model_id",
            "plate",
            "mileage_km",
            "created_at",
        ],
        &d.vehicles,
        |q, r| {
            q.bind(r.id)
                .bind(r.customer_id)
                .bind(r.model_id)
                .bind(r.plate.as_str())
                .bind(r.mileage_km)
                .bind(DbTime::from(r.created_at))
        },
    )
    .await?;
    insert(
        conn,
        "staff",
        &[
            "id",
            "location_id",
            "phone",
            "name_zh",
            "name_en",
            "role",
            "skills",
        ],
        &d.staff,
        |q, r| {
            q.bind(r.id)
                .bind(r.location_id)
                .bind(r.phone.as_str())
                .bind(r.name_zh.as_str())
                .bind(r.name_en.as_str())
                .bind(r.role)
                .bind(r.skills)
        },
    )
    .await?;
    insert(
        conn,
        "orders",
        &[
            "id",
            "reference",
            "customer_id",
            "vehicle_id",
            "store_id",
            "channel",
            "status",
            "price_list_version",
            "total_fen",
            "mileage_km",
            "technician_id",
            "created_at",
            "completed_at",
            "scheduled_start",
            "scheduled_end",
            "checked_in_at",
            "parts_ready",
        ],
        &d.orders,
        |q, r| {
            q.bind(r.id)
                .bind(r.reference.as_str())
                .bind(r.customer_id)
                .bind(r.vehicle_id)
                .bind(r.store_id)
                .bind(r.channel)
                .bind(r.status)
                .bind(r.price_list_version)
                .bind(r.total_fen)
                .bind(r.mileage_km)
                .bind(r.technician_id)
                .bind(DbTime::from(r.created_at))
                .bind(r.completed_at.map(DbTime))
                .bind(r.scheduled.map(|(start, _)| DbTime(start)))
                .bind(r.scheduled.map(|(_, end)| DbTime(end)))
                .bind(r.scheduled.map(|(start, _)| DbTime(start)))
                .bind(r.parts_ready)
        },
    )
    .await?;
    insert(
        conn,
        "order_lines",
        &[
            "order_id",
            "line_no",
            "item_kind",
            "item_id",
            "quantity_milli",
            "unit_price_fen",
            "total_fen",
        ],
        &d.order_lines,
        |q, r| {
            q.bind(r.order_id)
                .bind(r.line_no)
                .bind(r.item_kind)
                .bind(r.item_id)
                .bind(r.quantity_milli)
                .bind(r.unit_price_fen)
                .bind(r.total_fen)
        },
    ).await?;
    insert(
        conn,
        "followups",
        &[
            "id",
            "store_id",
            "customer_id",
            "vehicle_id",
            "order_id",
            "kind",
            "priority",
            "due_on",
            "opens_on",
            "closes_on",
            "fitted_km",
            "interval_months",
            "interval_km",
            "km_per_day",
            "km_per_day_observed",
            "status",
            "attempts",
            "outcome",
            "rating",
            "answered_via",
            "closed_at",
            "created_at",
        ],
        &d.followups,
        |q, r| {
            q.bind(r.id)
                .bind(r.store_id)
                .bind(r.customer_id)
                .bind(r.vehicle_id)
                .bind(r.order_id)
                .bind(r.kind)
                .bind(r.priority)
                .bind(r.due_on.clone())
                .bind(r.opens_on.clone())
                .bind(r.closes_on.clone())
                .bind(r.fitted_km)
                .bind(r.interval_months)
                .bind(r.interval_km)
                .bind(r.km_per_day)
                .bind(r.km_per_day_observed)
                .bind(r.status)
                .bind(r.attempts)
                .bind(r.outcome)
                .bind(r.rating)
                .bind(r.answered_via)
                .bind(r.closed_at.map(DbTime))
                .bind(DbTime(r.created_at))
        },
    )
    .await?;
    insert_supply(conn, d).await
}

/// The suppliers, each part's sourcing, the stock ledger and daily consumption.
async fn insert_supply(conn: &mut Connection, d: &DemoData) -> Result<(), sqlx::Error> {
    insert(
        conn,
        "suppliers",
        &["id", "code", "name_zh", "name_en", "phone"],
        &d.suppliers,
        |q, r| {
            q.bind(r.id)
                .bind(r.code)
                .bind(r.name_zh)
                .bind(r.name_en)
                .bind(r.phone)
        },
    )
    .await?;
    insert(
        conn,
        "part_sourcing",
        &["part_id", "supplier_id", "lead_days", "min_order_milli", "pack_milli"],
        &d.sourcing,
        |q, r| {
            q.bind(r.part_id)
                .bind(r.supplier_id)
                .bind(r.lead_days)
                .bind(r.min_order_milli)
                .bind(r.pack_milli)
        },
    )
    .await?;
    insert(
        conn,
        "stock_moves",
        &["id", "location_id", "part_id", "delta_milli", "kind", "order_id", "at"],
        &d.stock_moves,
        |q, r| {
            q.bind(r.id)
                .bind(r.location_id)
                .bind(r.part_id)
                .bind(r.delta_milli)
                .bind(r.kind)
                .bind(r.order_id)
                .bind(DbTime(r.at))
        },
    )
    .await?;
    insert(
        conn,
        "consumption_history",
        &["location_id", "part_id", "uses"],
        &d.consumption,
        |q, r| q.bind(r.location_id).bind(r.part_id).bind(r.uses.as_str()),
    )
    .await
}

/// Inserts `rows` into `table` in as few statements as the parameter limit
/// allows; `bind` binds one row's values in `columns` order.
async fn insert<T>(
    conn: &mut Connection,
    table: &str,
    columns: &[&str],
    rows: &[T],
    bind: impl Fn(Query, &T) -> Query,
) -> Result<(), sqlx::Error> {
    let per_statement = (MAX_PARAMS / columns.len().max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let sql = values_sql(table, columns, chunk.len());
        // The SQL text is built only from the static table and column names
        // above and numbered placeholders; every value is bound.
        let query = chunk
            .iter()
            .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), &bind);
        // Each statement text is used once: keep it out of the connection's
        // prepared-statement cache.
        query.persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ...` for `rows` rows.
fn values_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}
