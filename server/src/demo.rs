//! Deterministic demo data: a six-store car-service chain in Hangzhou with a
//! central warehouse, its catalog and price list, 200 customers with their
//! cars, the staff, and a year of completed service history.
//!
//! [`demo_data`] is pure: no clock, no entropy, no I/O. Randomness comes from a
//! fixed-seed splitmix64 and every time is an offset from [`BASE`], so each call
//! returns the same rows with the same ids. That lets tests, screenshots and
//! browser journeys name a particular customer, plate or order and find it
//! again after a reseed.
//!
//! The types mirror the tables of `migrations/*/0001_foundation.sql` one to one:
//! ids are UUID v7, money is `i64` fen, quantities are `i64` thousandths of the
//! category's unit ("milli"), times are UTC. Enumerated columns and hand-written
//! catalog text are `&'static str`; generated text is `String`.
//! `storage::*::seed_sql::insert_demo` writes a [`DemoData`] to either database.

use std::collections::{BTreeMap, HashSet};

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

mod supply;
pub use self::supply::{ConsumptionHistory, Sourcing, StockMove, Supplier};

/// The instant the demo world is "now": all history lies in the year before it.
pub const BASE: OffsetDateTime = datetime!(2026-11-01 00:00:00 UTC);

/// When the catalog, the stores and the staff were set up (before any history).
const SETUP_AT: OffsetDateTime = datetime!(2025-06-01 02:00:00 UTC);
/// [`SETUP_AT`] in Unix milliseconds, for ids of rows made outside this module.
pub const SETUP_MS: u64 = 1_748_743_200_000;

/// Hangzhou is UTC+8 all year; opening hours are local minutes after midnight.
const LOCAL_OFFSET_HOURS: i64 = 8;

const CUSTOMERS: usize = 200;

/// Everything [`demo_data`] produces, in foreign-key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoData {
    pub locations: Vec<Location>,
    pub opening_hours: Vec<OpeningHours>,
    pub routes: Vec<DeliveryRoute>,
    pub route_waves: Vec<RouteWave>,
    pub models: Vec<VehicleModel>,
    pub part_categories: Vec<PartCategory>,
    pub parts: Vec<Part>,
    pub fitments: Vec<Fitment>,
    pub services: Vec<Service>,
    pub service_parts: Vec<ServicePart>,
    pub qc_steps: Vec<QcStepRow>,
    pub stock: Vec<StockRow>,
    pub price_list: PriceListSeed,
    pub customers: Vec<Customer>,
    pub vehicles: Vec<Vehicle>,
    pub staff: Vec<Staff>,
    pub orders: Vec<Order>,
    pub order_lines: Vec<OrderLine>,
    pub followups: Vec<FollowUp>,
    pub suppliers: Vec<Supplier>,
    pub sourcing: Vec<Sourcing>,
    pub stock_moves: Vec<StockMove>,
    pub consumption: Vec<ConsumptionHistory>,
}

/// A row of `locations`: a store or the warehouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub id: Uuid,
    pub code: &'static str,
    /// `store` or `warehouse`.
    pub kind: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub address_zh: &'static str,
    pub address_en: &'static str,
    /// WGS84 latitude in microdegrees.
    pub lat_e6: i64,
    /// WGS84 longitude in microdegrees.
    pub lng_e6: i64,
    pub bays: i64,
    pub phone: &'static str,
    /// The delivery route that serves it (`delivery_routes.code`); none for the warehouse.
    pub route_code: Option<&'static str>,
}

/// A row of `delivery_routes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRoute {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// A row of `route_waves`: a route's van leaves at this local minute every day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteWave {
    pub route_code: &'static str,
    pub minute: i64,
}

/// A row of `opening_hours`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningHours {
    pub location_id: Uuid,
    /// ISO weekday, Monday = 1.
    pub weekday: i64,
    /// Local minutes after midnight.
    pub opens_min: i64,
    pub closes_min: i64,
}

/// A row of `vehicle_models`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VehicleModel {
    pub id: Uuid,
    pub code: &'static str,
    pub brand_zh: &'static str,
    pub brand_en: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// `petrol`, `hybrid` or `electric`.
    pub powertrain: &'static str,
}

/// A row of `part_categories`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartCategory {
    pub id: Uuid,
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
}

/// A row of `parts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub id: Uuid,
    pub sku: &'static str,
    pub category_id: Uuid,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// An engine oil's grade ([`domain::followup::OilGrade`]), which sets when its
    /// change falls due again; `None` for other parts.
    pub oil_grade: Option<&'static str>,
}

/// A row of `fitments`: the part that fits `model_id` for `category_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fitment {
    pub model_id: Uuid,
    pub category_id: Uuid,
    pub part_id: Uuid,
}

/// A row of `services`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub id: Uuid,
    pub code: &'static str,
    /// `maintenance`, `tyres`, `repair`, `detailing` or `ev`.
    pub category: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    pub duration_min: i64,
    pub sort_order: i64,
}

/// A row of `qc_steps`: one step of a service's quality checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QcStepRow {
    pub service_id: Uuid,
    pub step_no: i64,
    pub text_zh: &'static str,
    pub text_en: &'static str,
}

/// A row of `service_parts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePart {
    pub service_id: Uuid,
    pub category_id: Uuid,
    pub quantity_milli: i64,
}

/// A row of `stock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockRow {
    pub location_id: Uuid,
    pub part_id: Uuid,
    pub on_hand_milli: i64,
    pub reserved_milli: i64,
    pub safety_milli: i64,
}

/// The row of `price_list_versions` for version 1 and its `prices`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceListSeed {
    pub id: Uuid,
    pub version: i64,
    pub effective_from: OffsetDateTime,
    pub published_at: OffsetDateTime,
    /// The publishing HQ admin's staff id, hyphenated.
    pub published_by: String,
    pub note: &'static str,
    pub prices: Vec<PriceRow>,
}

/// A row of `prices` (its `version_id` is the owning [`PriceListSeed::id`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceRow {
    /// `service` or `part`.
    pub item_kind: &'static str,
    pub item_id: Uuid,
    pub price_fen: i64,
}

/// A row of `customers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    pub id: Uuid,
    /// 11-digit mainland mobile number.
    pub phone: String,
    pub name_zh: String,
    /// Pinyin, as on a business card.
    pub name_en: String,
    /// `standard`, `silver` or `gold`.
    pub tier: &'static str,
    pub marketing_opt_out: bool,
    pub created_at: OffsetDateTime,
    /// The district they said they live in ([`domain::districts`]), if they said.
    pub district: Option<&'static str>,
}

/// Where the `c`th demo customer lives: most near the stores, some in the districts no
/// store reaches yet, one in ten not saying. From the index, not the generator, so the
/// rest of the data set stays as it was.
fn home_district(c: usize) -> Option<&'static str> {
    // Customers in a hundred, district by district (domain::districts::DISTRICTS order).
    const WEIGHTS: [u32; 10] = [14, 14, 18, 12, 12, 10, 8, 6, 4, 2];
    if c % 10 == 9 {
        return None;
    }
    let mut at = u32::try_from(c * 37 % 100).unwrap_or(0);
    for (d, w) in domain::districts::DISTRICTS.iter().zip(WEIGHTS) {
        if at < w {
            return Some(d.code);
        }
        at -= w;
    }
    None
}

/// A row of `vehicles`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vehicle {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub model_id: Uuid,
    pub plate: String,
    /// Odometer at [`BASE`].
    pub mileage_km: i64,
    pub created_at: OffsetDateTime,
}

/// A row of `staff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff {
    pub id: Uuid,
    /// `None` for HQ staff.
    pub location_id: Option<Uuid>,
    pub phone: String,
    pub name_zh: String,
    pub name_en: String,
    pub role: &'static str,
    /// Comma-separated service categories (technicians only).
    pub skills: &'static str,
}

/// A row of `orders`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: Uuid,
    pub reference: String,
    pub customer_id: Uuid,
    pub vehicle_id: Uuid,
    pub store_id: Uuid,
    /// `online` or `walk_in`.
    pub channel: &'static str,
    pub status: &'static str,
    pub price_list_version: i64,
    pub total_fen: i64,
    pub mileage_km: i64,
    pub technician_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// The slot the visit took: its services' minutes, ending when it was handed over.
    pub scheduled: Option<(OffsetDateTime, OffsetDateTime)>,
    /// Whether the parts it held were on the shelf when the car came (`None`: none).
    pub parts_ready: Option<bool>,
}

/// A row of `followups`: what each visit of the history scheduled
/// ([`domain::followup::schedule`]), and how the store's calls went before [`BASE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub id: Uuid,
    pub store_id: Uuid,
    pub customer_id: Uuid,
    pub vehicle_id: Uuid,
    pub order_id: Uuid,
    pub kind: &'static str,
    pub priority: &'static str,
    /// Local days, `2026-12-10`.
    pub due_on: String,
    pub opens_on: String,
    pub closes_on: String,
    pub fitted_km: Option<i64>,
    pub interval_months: Option<i64>,
    pub interval_km: Option<i64>,
    pub km_per_day: Option<i64>,
    pub km_per_day_observed: Option<bool>,
    pub status: &'static str,
    pub attempts: i64,
    pub outcome: Option<&'static str>,
    pub rating: Option<i64>,
    pub answered_via: Option<&'static str>,
    pub closed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// A row of `order_lines`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLine {
    pub order_id: Uuid,
    /// 1-based within the order.
    pub line_no: i64,
    /// `service` or `part`.
    pub item_kind: &'static str,
    pub item_id: Uuid,
    pub quantity_milli: i64,
    pub unit_price_fen: i64,
    pub total_fen: i64,
}

// ---------------------------------------------------------------------------
// Hand-written catalog
// ---------------------------------------------------------------------------

struct LocationSpec {
    code: &'static str,
    kind: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    address_zh: &'static str,
    address_en: &'static str,
    lat_e6: i64,
    lng_e6: i64,
    bays: i64,
    phone: &'static str,
    /// (opens, closes) Monday to Friday, then Saturday, then Sunday.
    weekdays: (i64, i64),
    saturday: (i64, i64),
    sunday: (i64, i64),
}

struct RouteSpec {
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    /// Local minutes after midnight when its van leaves.
    waves: &'static [i64],
    stores: &'static [&'static str],
}

/// The warehouse's two routes: west of the river three vans a day (the chain's usual
/// times), across the river to the east two.
const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        code: "west",
        name_zh: "西线",
        name_en: "West line",
        waves: &[8 * 60, 13 * 60, 18 * 60],
        stores: &["HZ-XH", "HZ-YH", "HZ-GS", "HZ-SC"],
    },
    RouteSpec {
        code: "east",
        name_zh: "东线",
        name_en: "East line",
        waves: &[9 * 60 + 30, 15 * 60],
        stores: &["HZ-BJ", "HZ-XS"],
    },
];

fn route_of(location: &str) -> Option<&'static str> {
    ROUTES
        .iter()
        .find(|r| r.stores.contains(&location))
        .map(|r| r.code)
}

const LOCATIONS: &[LocationSpec] = &[
    LocationSpec {
        code: "HZ-XH",
        kind: "store",
        name_zh: "西湖文三路店",
        name_en: "Xihu Wensan Road",
        address_zh: "浙江省杭州市西湖区文三路388号",
        address_en: "388 Wensan Road, Xihu District, Hangzhou, Zhejiang",
        lat_e6: 30_277_600,
        lng_e6: 120_135_700,
        bays: 5,
        phone: "0571-88162301",
        weekdays: (510, 1140),
        saturday: (540, 1080),
        sunday: (540, 1080),
    },
    LocationSpec {
        code: "HZ-BJ",
        kind: "store",
        name_zh: "滨江江南大道店",
        name_en: "Binjiang Jiangnan Avenue",
        address_zh: "浙江省杭州市滨江区江南大道1088号",
        address_en: "1088 Jiangnan Avenue, Binjiang District, Hangzhou, Zhejiang",
        lat_e6: 30_209_500,
        lng_e6: 120_211_000,
        bays: 6,
        phone: "0571-86695120",
        // Tech-park commuters drop cars off after work.
        weekdays: (510, 1200),
        saturday: (540, 1080),
        sunday: (540, 1080),
    },
    LocationSpec {
        code: "HZ-YH",
        kind: "store",
        name_zh: "余杭未来科技城店",
        name_en: "Yuhang Future Sci-Tech City",
        address_zh: "浙江省杭州市余杭区文一西路1500号",
        address_en: "1500 Wenyi West Road, Yuhang District, Hangzhou, Zhejiang",
        lat_e6: 30_286_000,
        lng_e6: 120_016_500,
        bays: 4,
        phone: "0571-88731066",
        weekdays: (510, 1140),
        saturday: (540, 1080),
        sunday: (540, 1080),
    },
    LocationSpec {
        code: "HZ-XS",
        kind: "store",
        name_zh: "萧山市心路店",
        name_en: "Xiaoshan Shixin Road",
        address_zh: "浙江省杭州市萧山区市心中路819号",
        address_en: "819 Shixin Middle Road, Xiaoshan District, Hangzhou, Zhejiang",
        lat_e6: 30_170_000,
        lng_e6: 120_265_000,
        bays: 5,
        phone: "0571-82736618",
        weekdays: (510, 1140),
        saturday: (540, 1080),
        sunday: (540, 1080),
    },
    LocationSpec {
        code: "HZ-GS",
        kind: "store",
        name_zh: "拱墅莫干山路店",
        name_en: "Gongshu Moganshan Road",
        address_zh: "浙江省杭州市拱墅区莫干山路1177号",
        address_en: "1177 Moganshan Road, Gongshu District, Hangzhou, Zhejiang",
        lat_e6: 30_308_000,
        lng_e6: 120_142_000,
        bays: 4,
        phone: "0571-88095217",
        weekdays: (510, 1140),
        saturday: (540, 1080),
        sunday: (540, 1080),
    },
    LocationSpec {
        code: "HZ-SC",
        kind: "store",
        name_zh: "上城秋涛路店",
        name_en: "Shangcheng Qiutao Road",
        address_zh: "浙江省杭州市上城区秋涛路258号",
        address_en: "258 Qiutao Road, Shangcheng District, Hangzhou, Zhejiang",
        lat_e6: 30_247_500,
        lng_e6: 120_192_000,
        bays: 3,
        phone: "0571-86081935",
        weekdays: (510, 1140),
        saturday: (540, 1080),
        sunday: (540, 1050),
    },
    LocationSpec {
        code: "WH-QT",
        kind: "warehouse",
        name_zh: "钱塘中心仓",
        name_en: "Qiantang Central Warehouse",
        address_zh: "浙江省杭州市钱塘区下沙街道12号大街99号",
        address_en: "99 No. 12 Avenue, Xiasha, Qiantang District, Hangzhou, Zhejiang",
        lat_e6: 30_305_000,
        lng_e6: 120_348_000,
        bays: 0,
        phone: "0571-86912270",
        // Long days so the early and late delivery waves can be picked.
        weekdays: (420, 1320),
        saturday: (420, 1320),
        sunday: (480, 1080),
    },
];

struct ModelSpec {
    code: &'static str,
    brand_zh: &'static str,
    brand_en: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    powertrain: &'static str,
    /// Plug-in and range-extender hybrids get green new-energy plates (F).
    plug_in: bool,
    /// How common the model is among the customers' cars.
    weight: u32,
}

const fn model(
    code: &'static str,
    brand: (&'static str, &'static str),
    name: (&'static str, &'static str),
    powertrain: &'static str,
    plug_in: bool,
    weight: u32,
) -> ModelSpec {
    ModelSpec {
        code,
        brand_zh: brand.0,
        brand_en: brand.1,
        name_zh: name.0,
        name_en: name.1,
        powertrain,
        plug_in,
        weight,
    }
}

#[rustfmt::skip] // A table: one row per line reads better than rustfmt's layout.
const MODELS: &[ModelSpec] = &[
    model("TOY-COROLLA", ("丰田", "Toyota"), ("卡罗拉", "Corolla"), "petrol", false, 10),
    model("HON-ACCORD", ("本田", "Honda"), ("雅阁", "Accord"), "petrol", false, 8),
    model("VW-LAVIDA", ("大众", "Volkswagen"), ("朗逸", "Lavida"), "petrol", false, 12),
    model("VW-PASSAT", ("大众", "Volkswagen"), ("帕萨特", "Passat"), "petrol", false, 7),
    model("NIS-SYLPHY", ("日产", "Nissan"), ("轩逸", "Sylphy"), "petrol", false, 11),
    model("BUI-GL8", ("别克", "Buick"), ("GL8", "GL8"), "petrol", false, 5),
    model("TOY-CAMRY-HEV", ("丰田", "Toyota"), ("凯美瑞 双擎", "Camry HEV"), "hybrid", false, 6),
    model("HON-CRV-EHEV", ("本田", "Honda"), ("CR-V e:HEV", "CR-V e:HEV"), "hybrid", false, 5),
    model("BYD-SONG-PLUS-DMI", ("比亚迪", "BYD"), ("宋PLUS DM-i", "Song PLUS DM-i"), "hybrid", true, 9),
    model("LI-L7", ("理想", "Li Auto"), ("理想L7", "Li L7"), "hybrid", true, 5),
    model("TSL-MODEL3", ("特斯拉", "Tesla"), ("Model 3", "Model 3"), "electric", false, 9),
    model("BYD-HAN-EV", ("比亚迪", "BYD"), ("汉EV", "Han EV"), "electric", false, 6),
    model("NIO-ET5", ("蔚来", "NIO"), ("ET5", "ET5"), "electric", false, 4),
    model("XPG-P7", ("小鹏", "Xpeng"), ("P7", "P7"), "electric", false, 4),
];

struct CategorySpec {
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
    /// Typical store stock, store safety stock, warehouse stock and warehouse
    /// safety stock, in whole units.
    stock: (i64, i64, i64, i64),
}

const fn category(
    code: &'static str,
    name: (&'static str, &'static str),
    unit: (&'static str, &'static str),
    stock: (i64, i64, i64, i64),
) -> CategorySpec {
    CategorySpec {
        code,
        name_zh: name.0,
        name_en: name.1,
        unit_zh: unit.0,
        unit_en: unit.1,
        stock,
    }
}

#[rustfmt::skip] // A table: one row per line reads better than rustfmt's layout.
const CATEGORIES: &[CategorySpec] = &[
    category("ENGINE_OIL", ("机油", "Engine oil"), ("升", "L"), (60, 20, 1200, 300)),
    category("OIL_FILTER", ("机油滤清器", "Oil filter"), ("个", "pc"), (12, 4, 240, 60)),
    category("AIR_FILTER", ("空气滤清器", "Air filter"), ("个", "pc"), (8, 2, 160, 40)),
    category("CABIN_FILTER", ("空调滤清器", "Cabin air filter"), ("个", "pc"), (10, 3, 200, 50)),
    category("BRAKE_PADS_FRONT", ("前刹车片", "Front brake pads"), ("套", "set"), (4, 1, 60, 15)),
    category("BRAKE_PADS_REAR", ("后刹车片", "Rear brake pads"), ("套", "set"), (3, 1, 50, 12)),
    category("BRAKE_FLUID", ("刹车油", "Brake fluid"), ("升", "L"), (12, 4, 200, 50)),
    category("TYRE", ("轮胎", "Tyre"), ("条", "pc"), (12, 4, 320, 80)),
    category("WIPER", ("雨刮片", "Wiper blades"), ("对", "pair"), (6, 2, 120, 30)),
    category("AC_CLEANER", ("空调清洗剂", "A/C cleaning agent"), ("瓶", "bottle"), (12, 4, 240, 60)),
    category("COOLANT", ("防冻冷却液", "Engine coolant"), ("升", "L"), (20, 8, 400, 100)),
    category("SPARK_PLUG", ("火花塞", "Spark plug"), ("个", "pc"), (16, 8, 320, 80)),
    category("EV_COOLANT", ("电池冷却液", "EV battery coolant"), ("升", "L"), (10, 5, 200, 50)),
    category("WINDOW_FILM", ("汽车隔热膜", "Window film"), ("卷", "roll"), (3, 1, 40, 10)),
    category("WASH_KIT", ("洗车耗材", "Car wash supplies"), ("份", "kit"), (60, 20, 1200, 300)),
    category("POLISH_KIT", ("抛光镀晶套装", "Polish and coating kit"), ("套", "set"), (6, 2, 80, 20)),
];

/// Categories sold by the litre: their stock is kept to the half litre, not
/// whole units, because services draw 4.5 L at a time.
const LITRE_CATEGORIES: &[&str] = &["ENGINE_OIL", "BRAKE_FLUID", "COOLANT", "EV_COOLANT"];

/// Whether a model of this powertrain has parts of this category at all.
fn needs(powertrain: &str, category: &str) -> bool {
    match powertrain {
        "electric" => !matches!(
            category,
            "ENGINE_OIL" | "OIL_FILTER" | "AIR_FILTER" | "SPARK_PLUG" | "COOLANT"
        ),
        _ => category != "EV_COOLANT",
    }
}

struct PartSpec {
    sku: &'static str,
    category: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    price_fen: i64,
    /// Model codes this part fits; empty means every model that needs the
    /// category (universal consumables).
    fits: &'static [&'static str],
}

const fn part(
    sku: &'static str,
    category: &'static str,
    name: (&'static str, &'static str),
    price_fen: i64,
    fits: &'static [&'static str],
) -> PartSpec {
    PartSpec {
        sku,
        category,
        name_zh: name.0,
        name_en: name.1,
        price_fen,
        fits,
    }
}

const ALL: &[&str] = &[];

#[rustfmt::skip] // A table: one row per line reads better than rustfmt's layout.
const PARTS: &[PartSpec] = &[
    // Engine oil, priced per litre.
    part("OIL-0W20-MOB-1L", "ENGINE_OIL", ("美孚1号 0W-20 全合成机油 1L", "Mobil 1 0W-20 full synthetic oil, 1 L"), 9800, &["TOY-COROLLA", "HON-ACCORD", "NIS-SYLPHY", "HON-CRV-EHEV"]),
    part("OIL-0W20-CAS-1L", "ENGINE_OIL", ("嘉实多极护 0W-20 全合成机油 1L", "Castrol EDGE 0W-20 full synthetic oil, 1 L"), 9200, &["BYD-SONG-PLUS-DMI"]),
    part("OIL-0W20-SHL-1L", "ENGINE_OIL", ("壳牌超凡喜力 0W-20 全合成机油 1L", "Shell Helix Ultra 0W-20 full synthetic oil, 1 L"), 8800, &["LI-L7"]),
    part("OIL-0W16-TOY-1L", "ENGINE_OIL", ("丰田原厂 0W-16 混动专用机油 1L", "Toyota Genuine 0W-16 hybrid oil, 1 L"), 8600, &["TOY-CAMRY-HEV"]),
    part("OIL-5W30-CAS-1L", "ENGINE_OIL", ("嘉实多极护 5W-30 全合成机油 1L（大众认证）", "Castrol EDGE 5W-30 full synthetic oil, 1 L (VW approved)"), 9500, &["VW-LAVIDA", "VW-PASSAT"]),
    part("OIL-5W30-SHL-1L", "ENGINE_OIL", ("壳牌超凡喜力 5W-30 全合成机油 1L", "Shell Helix Ultra 5W-30 full synthetic oil, 1 L"), 8600, &["BUI-GL8"]),
    // Oil filters.
    part("FLT-OIL-TOY", "OIL_FILTER", ("丰田原厂机油滤清器", "Toyota Genuine oil filter"), 4500, &["TOY-COROLLA", "TOY-CAMRY-HEV"]),
    part("FLT-OIL-HON", "OIL_FILTER", ("本田原厂机油滤清器", "Honda Genuine oil filter"), 4500, &["HON-ACCORD", "HON-CRV-EHEV"]),
    part("FLT-OIL-VW", "OIL_FILTER", ("曼牌机油滤清器（大众 EA211/EA888）", "MANN oil filter (VW EA211/EA888)"), 5800, &["VW-LAVIDA", "VW-PASSAT"]),
    part("FLT-OIL-NIS", "OIL_FILTER", ("日产原厂机油滤清器", "Nissan Genuine oil filter"), 4200, &["NIS-SYLPHY"]),
    part("FLT-OIL-BUI", "OIL_FILTER", ("AC德科机油滤清器（别克）", "ACDelco oil filter (Buick)"), 5200, &["BUI-GL8"]),
    part("FLT-OIL-BYD", "OIL_FILTER", ("比亚迪原厂机油滤清器（骁云 1.5L）", "BYD Genuine oil filter (Xiaoyun 1.5 L)"), 4800, &["BYD-SONG-PLUS-DMI"]),
    part("FLT-OIL-LI", "OIL_FILTER", ("理想原厂机油滤清器（1.5T 增程器）", "Li Auto Genuine oil filter (1.5T range extender)"), 6800, &["LI-L7"]),
    // Air filters.
    part("FLT-AIR-TOY-COR", "AIR_FILTER", ("空气滤清器（卡罗拉）", "Air filter (Corolla)"), 6500, &["TOY-COROLLA"]),
    part("FLT-AIR-TOY-CAM", "AIR_FILTER", ("空气滤清器（凯美瑞双擎）", "Air filter (Camry HEV)"), 7800, &["TOY-CAMRY-HEV"]),
    part("FLT-AIR-HON", "AIR_FILTER", ("空气滤清器（雅阁/CR-V）", "Air filter (Accord/CR-V)"), 7200, &["HON-ACCORD", "HON-CRV-EHEV"]),
    part("FLT-AIR-VW", "AIR_FILTER", ("曼牌空气滤清器（朗逸/帕萨特）", "MANN air filter (Lavida/Passat)"), 6800, &["VW-LAVIDA", "VW-PASSAT"]),
    part("FLT-AIR-NIS", "AIR_FILTER", ("空气滤清器（轩逸）", "Air filter (Sylphy)"), 5800, &["NIS-SYLPHY"]),
    part("FLT-AIR-BUI", "AIR_FILTER", ("空气滤清器（GL8）", "Air filter (GL8)"), 8800, &["BUI-GL8"]),
    part("FLT-AIR-BYD", "AIR_FILTER", ("空气滤清器（宋PLUS DM-i）", "Air filter (Song PLUS DM-i)"), 6800, &["BYD-SONG-PLUS-DMI"]),
    part("FLT-AIR-LI", "AIR_FILTER", ("空气滤清器（理想L7）", "Air filter (Li L7)"), 9800, &["LI-L7"]),
    // Cabin filters (activated carbon).
    part("FLT-CAB-TOY", "CABIN_FILTER", ("活性炭空调滤芯（丰田）", "Activated-carbon cabin filter (Toyota)"), 9800, &["TOY-COROLLA", "TOY-CAMRY-HEV"]),
    part("FLT-CAB-HON", "CABIN_FILTER", ("活性炭空调滤芯（本田）", "Activated-carbon cabin filter (Honda)"), 9800, &["HON-ACCORD", "HON-CRV-EHEV"]),
    part("FLT-CAB-VW", "CABIN_FILTER", ("活性炭空调滤芯（大众）", "Activated-carbon cabin filter (VW)"), 8800, &["VW-LAVIDA", "VW-PASSAT"]),
    part("FLT-CAB-NIS", "CABIN_FILTER", ("活性炭空调滤芯（轩逸）", "Activated-carbon cabin filter (Sylphy)"), 7800, &["NIS-SYLPHY"]),
    part("FLT-CAB-BUI", "CABIN_FILTER", ("活性炭空调滤芯（GL8）", "Activated-carbon cabin filter (GL8)"), 10800, &["BUI-GL8"]),
    part("FLT-CAB-BYD", "CABIN_FILTER", ("PM2.5 空调滤芯（比亚迪）", "PM2.5 cabin filter (BYD)"), 11800, &["BYD-SONG-PLUS-DMI", "BYD-HAN-EV"]),
    part("FLT-CAB-LI", "CABIN_FILTER", ("HEPA 空调滤芯（理想L7）", "HEPA cabin filter (Li L7)"), 16800, &["LI-L7"]),
    part("FLT-CAB-TSL", "CABIN_FILTER", ("空调滤芯双片装（Model 3）", "Cabin filter twin pack (Model 3)"), 19800, &["TSL-MODEL3"]),
    part("FLT-CAB-NIO", "CABIN_FILTER", ("HEPA 空调滤芯（ET5）", "HEPA cabin filter (ET5)"), 16800, &["NIO-ET5"]),
    part("FLT-CAB-XPG", "CABIN_FILTER", ("PM2.5 空调滤芯（P7）", "PM2.5 cabin filter (P7)"), 13800, &["XPG-P7"]),
    // Front brake pads, a set per axle.
    part("BRK-F-TOY", "BRAKE_PADS_FRONT", ("博世前刹车片（丰田）", "Bosch front brake pads (Toyota)"), 42000, &["TOY-COROLLA", "TOY-CAMRY-HEV"]),
    part("BRK-F-HON", "BRAKE_PADS_FRONT", ("博世前刹车片（本田）", "Bosch front brake pads (Honda)"), 48000, &["HON-ACCORD", "HON-CRV-EHEV"]),
    part("BRK-F-VW-LAV", "BRAKE_PADS_FRONT", ("博世前刹车片（朗逸）", "Bosch front brake pads (Lavida)"), 36000, &["VW-LAVIDA"]),
    part("BRK-F-VW-PAS", "BRAKE_PADS_FRONT", ("博世前刹车片（帕萨特）", "Bosch front brake pads (Passat)"), 52000, &["VW-PASSAT"]),
    part("BRK-F-NIS", "BRAKE_PADS_FRONT", ("博世前刹车片（轩逸）", "Bosch front brake pads (Sylphy)"), 34000, &["NIS-SYLPHY"]),
    part("BRK-F-BUI", "BRAKE_PADS_FRONT", ("AC德科前刹车片（GL8）", "ACDelco front brake pads (GL8)"), 58000, &["BUI-GL8"]),
    part("BRK-F-BYD", "BRAKE_PADS_FRONT", ("比亚迪原厂前刹车片", "BYD Genuine front brake pads"), 52000, &["BYD-SONG-PLUS-DMI", "BYD-HAN-EV"]),
    part("BRK-F-LI", "BRAKE_PADS_FRONT", ("布雷博前刹车片（理想L7）", "Brembo front brake pads (Li L7)"), 78000, &["LI-L7"]),
    part("BRK-F-TSL", "BRAKE_PADS_FRONT", ("特斯拉原厂前刹车片（Model 3）", "Tesla Genuine front brake pads (Model 3)"), 88000, &["TSL-MODEL3"]),
    part("BRK-F-NIO", "BRAKE_PADS_FRONT", ("布雷博前刹车片（ET5）", "Brembo front brake pads (ET5)"), 82000, &["NIO-ET5"]),
    part("BRK-F-XPG", "BRAKE_PADS_FRONT", ("博世前刹车片（P7）", "Bosch front brake pads (P7)"), 68000, &["XPG-P7"]),
    // Rear brake pads.
    part("BRK-R-TOY", "BRAKE_PADS_REAR", ("博世后刹车片（丰田）", "Bosch rear brake pads (Toyota)"), 32000, &["TOY-COROLLA", "TOY-CAMRY-HEV"]),
    part("BRK-R-HON", "BRAKE_PADS_REAR", ("博世后刹车片（本田）", "Bosch rear brake pads (Honda)"), 34000, &["HON-ACCORD", "HON-CRV-EHEV"]),
    part("BRK-R-VW", "BRAKE_PADS_REAR", ("博世后刹车片（大众）", "Bosch rear brake pads (VW)"), 32000, &["VW-LAVIDA", "VW-PASSAT"]),
    part("BRK-R-NIS", "BRAKE_PADS_REAR", ("博世后刹车片（轩逸）", "Bosch rear brake pads (Sylphy)"), 28000, &["NIS-SYLPHY"]),
    part("BRK-R-BUI", "BRAKE_PADS_REAR", ("AC德科后刹车片（GL8）", "ACDelco rear brake pads (GL8)"), 42000, &["BUI-GL8"]),
    part("BRK-R-BYD", "BRAKE_PADS_REAR", ("比亚迪原厂后刹车片", "BYD Genuine rear brake pads"), 38000, &["BYD-SONG-PLUS-DMI", "BYD-HAN-EV"]),
    part("BRK-R-LI", "BRAKE_PADS_REAR", ("布雷博后刹车片（理想L7）", "Brembo rear brake pads (Li L7)"), 58000, &["LI-L7"]),
    part("BRK-R-TSL", "BRAKE_PADS_REAR", ("特斯拉原厂后刹车片（Model 3）", "Tesla Genuine rear brake pads (Model 3)"), 68000, &["TSL-MODEL3"]),
    part("BRK-R-NIO", "BRAKE_PADS_REAR", ("布雷博后刹车片（ET5）", "Brembo rear brake pads (ET5)"), 62000, &["NIO-ET5"]),
    part("BRK-R-XPG", "BRAKE_PADS_REAR", ("博世后刹车片（P7）", "Bosch rear brake pads (P7)"), 48000, &["XPG-P7"]),
    // Brake fluid, per litre.
    part("BF-DOT4-BSH-1L", "BRAKE_FLUID", ("博世 DOT4 刹车油 1L", "Bosch DOT4 brake fluid, 1 L"), 6800, &["TOY-COROLLA", "HON-ACCORD", "VW-LAVIDA", "VW-PASSAT", "NIS-SYLPHY", "BUI-GL8", "TOY-CAMRY-HEV", "HON-CRV-EHEV", "BYD-SONG-PLUS-DMI", "LI-L7", "BYD-HAN-EV"]),
    part("BF-DOT4LV-1L", "BRAKE_FLUID", ("低粘度 DOT4 LV 刹车油 1L", "Low-viscosity DOT4 LV brake fluid, 1 L"), 9800, &["TSL-MODEL3", "NIO-ET5", "XPG-P7"]),
    // Tyres, each.
    part("TYR-20555R16-MIC", "TYRE", ("米其林 浩悦4 205/55 R16", "Michelin Primacy 4 205/55 R16"), 68000, &["TOY-COROLLA", "VW-LAVIDA", "NIS-SYLPHY"]),
    part("TYR-23545R18-MIC", "TYRE", ("米其林 浩悦4 235/45 R18", "Michelin Primacy 4 235/45 R18"), 98000, &["HON-ACCORD", "VW-PASSAT", "TOY-CAMRY-HEV"]),
    part("TYR-23545R18-MIC-ST", "TYRE", ("米其林 浩悦4 ST 静音棉 235/45 R18", "Michelin Primacy 4 ST acoustic 235/45 R18"), 108000, &["TSL-MODEL3"]),
    part("TYR-22555R18-MIC", "TYRE", ("米其林 浩悦4 SUV 225/55 R18", "Michelin Primacy 4 SUV 225/55 R18"), 92000, &["BUI-GL8"]),
    part("TYR-22560R18-BST", "TYRE", ("普利司通 Alenza 225/60 R18", "Bridgestone Alenza 225/60 R18"), 92000, &["HON-CRV-EHEV"]),
    part("TYR-23550R19-CON", "TYRE", ("马牌 UltraContact 235/50 R19", "Continental UltraContact 235/50 R19"), 108000, &["BYD-SONG-PLUS-DMI"]),
    part("TYR-24545R19-CON", "TYRE", ("马牌 EcoContact 6 245/45 R19", "Continental EcoContact 6 245/45 R19"), 118000, &["BYD-HAN-EV", "NIO-ET5", "XPG-P7"]),
    part("TYR-25550R20-PIR", "TYRE", ("倍耐力 Scorpion 255/50 R20", "Pirelli Scorpion 255/50 R20"), 158000, &["LI-L7"]),
    // Wiper blades, a pair.
    part("WIP-BSH-2616", "WIPER", ("博世无骨雨刮 26/16 英寸", "Bosch frameless wipers 26/16 in"), 12800, &["TOY-COROLLA", "VW-LAVIDA", "NIS-SYLPHY"]),
    part("WIP-BSH-2618", "WIPER", ("博世无骨雨刮 26/18 英寸", "Bosch frameless wipers 26/18 in"), 13800, &["HON-ACCORD", "VW-PASSAT", "TOY-CAMRY-HEV"]),
    part("WIP-BSH-2617", "WIPER", ("博世无骨雨刮 26/17 英寸", "Bosch frameless wipers 26/17 in"), 13800, &["HON-CRV-EHEV", "BYD-SONG-PLUS-DMI", "LI-L7"]),
    part("WIP-BSH-2816", "WIPER", ("博世无骨雨刮 28/16 英寸", "Bosch frameless wipers 28/16 in"), 14800, &["BUI-GL8"]),
    part("WIP-BSH-2619", "WIPER", ("博世无骨雨刮 26/19 英寸", "Bosch frameless wipers 26/19 in"), 15800, &["TSL-MODEL3", "BYD-HAN-EV", "NIO-ET5", "XPG-P7"]),
    // A/C cleaning agents.
    part("ACC-FOAM-3M", "AC_CLEANER", ("3M 空调蒸发箱泡沫清洗剂", "3M A/C evaporator foam cleaner"), 6800, &["TOY-COROLLA", "HON-ACCORD", "VW-LAVIDA", "VW-PASSAT", "NIS-SYLPHY", "BUI-GL8", "TOY-CAMRY-HEV", "HON-CRV-EHEV", "BYD-SONG-PLUS-DMI", "LI-L7"]),
    // Heat-pump systems want a non-conductive, residue-free cleaner.
    part("ACC-HP-LQM", "AC_CLEANER", ("力魔 热泵空调专用清洗剂", "Liqui Moly heat-pump A/C cleaner"), 12800, &["TSL-MODEL3", "BYD-HAN-EV", "NIO-ET5", "XPG-P7"]),
    // Engine coolant, per litre.
    part("CLT-OAT-RED-1L", "COOLANT", ("长效防冻冷却液 -40℃ 红色 1L", "Long-life coolant -40 °C red, 1 L"), 4500, &["TOY-COROLLA", "TOY-CAMRY-HEV", "HON-ACCORD", "HON-CRV-EHEV", "NIS-SYLPHY"]),
    part("CLT-G13-1L", "COOLANT", ("大众原厂 G13 防冻液 1L", "VW Genuine G13 coolant, 1 L"), 6800, &["VW-LAVIDA", "VW-PASSAT"]),
    part("CLT-DEXCOOL-1L", "COOLANT", ("AC德科 Dex-Cool 防冻液 1L", "ACDelco Dex-Cool coolant, 1 L"), 5200, &["BUI-GL8"]),
    part("CLT-HOAT-GRN-1L", "COOLANT", ("长效有机酸防冻液 -40℃ 绿色 1L", "Long-life HOAT coolant -40 °C green, 1 L"), 4200, &["BYD-SONG-PLUS-DMI", "LI-L7"]),
    // Spark plugs, each.
    part("SPK-NGK-JP", "SPARK_PLUG", ("NGK 铱铂金火花塞（丰田/本田）", "NGK iridium-platinum spark plug (Toyota/Honda)"), 9800, &["TOY-COROLLA", "TOY-CAMRY-HEV", "HON-ACCORD", "HON-CRV-EHEV"]),
    part("SPK-BSH-VW", "SPARK_PLUG", ("博世双铱金火花塞（大众）", "Bosch double-iridium spark plug (VW)"), 8800, &["VW-LAVIDA", "VW-PASSAT"]),
    part("SPK-NGK-NIS", "SPARK_PLUG", ("NGK 铱金火花塞（轩逸）", "NGK iridium spark plug (Sylphy)"), 8600, &["NIS-SYLPHY"]),
    part("SPK-ACD-BUI", "SPARK_PLUG", ("AC德科铱金火花塞（GL8）", "ACDelco iridium spark plug (GL8)"), 9200, &["BUI-GL8"]),
    part("SPK-NGK-BYD", "SPARK_PLUG", ("NGK 铱金火花塞（比亚迪 骁云）", "NGK iridium spark plug (BYD Xiaoyun)"), 7800, &["BYD-SONG-PLUS-DMI"]),
    part("SPK-NGK-LI", "SPARK_PLUG", ("NGK 铱金火花塞（理想 增程器）", "NGK iridium spark plug (Li range extender)"), 9800, &["LI-L7"]),
    // EV battery coolant, per litre.
    part("EVC-TSL-G48-1L", "EV_COOLANT", ("特斯拉原厂 G-48 电池冷却液 1L", "Tesla Genuine G-48 battery coolant, 1 L"), 12800, &["TSL-MODEL3"]),
    part("EVC-LOWCOND-1L", "EV_COOLANT", ("低电导率电池冷却液 1L", "Low-conductivity battery coolant, 1 L"), 8800, &["BYD-HAN-EV", "NIO-ET5", "XPG-P7"]),
    // Window film, one roll covers a car.
    part("FLM-3M-JR-SEDAN", "WINDOW_FILM", ("3M 晶锐系列全车隔热膜（轿车）", "3M Crystalline full-car film (sedan)"), 280000, &["TOY-COROLLA", "HON-ACCORD", "VW-LAVIDA", "VW-PASSAT", "NIS-SYLPHY", "TOY-CAMRY-HEV", "TSL-MODEL3", "BYD-HAN-EV", "NIO-ET5", "XPG-P7"]),
    part("FLM-3M-JR-SUV", "WINDOW_FILM", ("3M 晶锐系列全车隔热膜（SUV/MPV）", "3M Crystalline full-car film (SUV/MPV)"), 320000, &["BUI-GL8", "HON-CRV-EHEV", "BYD-SONG-PLUS-DMI", "LI-L7"]),
    // Universal detailing consumables.
    part("WSH-KIT-STD", "WASH_KIT", ("精洗耗材套装（洗车液/擦车巾/轮毂清洁剂）", "Wash kit (shampoo, towels, wheel cleaner)"), 1500, ALL),
    part("POL-CER-KIT", "POLISH_KIT", ("抛光镀晶套装（研磨剂+镀晶液）", "Polish and ceramic coating kit"), 38000, ALL),
];

struct ServiceSpec {
    code: &'static str,
    category: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    description_zh: &'static str,
    description_en: &'static str,
    duration_min: i64,
    /// The labour (or package) price; parts are priced separately.
    price_fen: i64,
    parts: &'static [(&'static str, i64)],
    /// How often a petrol, hybrid and electric car gets this service in the
    /// history; 0 means never (e.g. battery checks on petrol cars).
    weights: [u32; 3],
}

/// The quality checklist of each kind of service: what the checker looks at before a
/// car is handed back.
const QC_CHECKLISTS: &[(&str, &[(&str, &str)])] = &[
    (
        "maintenance",
        &[
            ("油液液位在标准范围内", "Fluid levels within the marks"),
            ("滤清器和放油螺栓无渗漏", "No leak at filters or drain plug"),
            ("保养提示已复位", "Service reminder reset"),
        ],
    ),
    (
        "tyres",
        &[
            (
                "轮胎气压按标准充至规定值",
                "Tyre pressures set to the specification",
            ),
            (
                "轮毂螺栓按规定扭矩紧固",
                "Wheel nuts torqued to the specification",
            ),
            ("试车无跑偏、无异响", "Road test: no pulling, no noise"),
        ],
    ),
    (
        "repair",
        &[
            ("更换部件安装牢固", "Replaced parts fitted and secure"),
            (
                "刹车踏板行程和力度正常",
                "Brake pedal travel and feel normal",
            ),
            (
                "试车无异响、无报警灯",
                "Road test: no noise, no warning light",
            ),
        ],
    ),
    (
        "detailing",
        &[
            (
                "车身无遗漏污渍和水痕",
                "No missed dirt or water marks on the body",
            ),
            (
                "内饰清洁、无遗留物品",
                "Interior clean, nothing left behind",
            ),
        ],
    ),
    (
        "ev",
        &[
            (
                "高压系统无故障码",
                "No fault code in the high-voltage system",
            ),
            ("冷却液液位在标准范围内", "Coolant level within the marks"),
            (
                "充电口和高压插接件完好",
                "Charging port and high-voltage connectors intact",
            ),
        ],
    ),
];

const SERVICES: &[ServiceSpec] = &[
    ServiceSpec {
        code: "OIL_CHANGE",
        category: "maintenance",
        name_zh: "机油保养",
        name_en: "Oil change",
        description_zh: "更换全合成机油（4.5 升）和机油滤清器，复位保养提醒。",
        description_en: "Full-synthetic engine oil (4.5 L) and oil filter replaced, service reminder reset.",
        duration_min: 45,
        price_fen: 12000,
        parts: &[("ENGINE_OIL", 4500), ("OIL_FILTER", 1000)],
        weights: [20, 18, 0],
    },
    ServiceSpec {
        code: "MINOR_SERVICE",
        category: "maintenance",
        name_zh: "小保养",
        name_en: "Minor service",
        description_zh: "机油、机滤、空调滤芯三件套，外加 30 项安全检测。",
        description_en: "Oil, oil filter and cabin filter, plus a 30-point safety inspection.",
        duration_min: 60,
        price_fen: 16800,
        parts: &[("ENGINE_OIL", 4500), ("OIL_FILTER", 1000), ("CABIN_FILTER", 1000)],
        weights: [14, 12, 0],
    },
    ServiceSpec {
        code: "MAJOR_SERVICE",
        category: "maintenance",
        name_zh: "大保养",
        name_en: "Major service",
        description_zh: "机油、机滤、空滤、空调滤芯全部更换，检查底盘、刹车与电瓶。",
        description_en: "Oil, oil filter, air filter and cabin filter replaced; chassis, brakes and battery inspected.",
        duration_min: 120,
        price_fen: 38000,
        parts: &[("ENGINE_OIL", 4500), ("OIL_FILTER", 1000), ("AIR_FILTER", 1000), ("CABIN_FILTER", 1000)],
        weights: [5, 5, 0],
    },
    ServiceSpec {
        code: "TYRE_ROTATION",
        category: "tyres",
        name_zh: "轮胎换位",
        name_en: "Tyre rotation",
        description_zh: "前后轮胎交叉换位并调整胎压，让四条轮胎磨损均匀。",
        description_en: "Tyres swapped front to rear and pressures set, so all four wear evenly.",
        duration_min: 30,
        price_fen: 8000,
        parts: &[],
        weights: [6, 6, 10],
    },
    ServiceSpec {
        code: "TYRE_REPLACE",
        category: "tyres",
        name_zh: "更换轮胎（四条）",
        name_en: "Tyre replacement (set of four)",
        description_zh: "更换四条原厂规格轮胎，含拆装、动平衡和气门嘴。",
        description_en: "Four tyres of the factory size fitted, with mounting, balancing and new valves.",
        duration_min: 60,
        price_fen: 16000,
        parts: &[("TYRE", 4000)],
        weights: [3, 3, 5],
    },
    ServiceSpec {
        code: "WHEEL_ALIGNMENT",
        category: "tyres",
        name_zh: "四轮定位",
        name_en: "Wheel alignment",
        description_zh: "3D 四轮定位仪检测并调整前束与外倾角，解决跑偏和偏磨。",
        description_en: "Toe and camber measured on a 3D aligner and adjusted, curing pulling and uneven wear.",
        duration_min: 45,
        price_fen: 19800,
        parts: &[],
        weights: [4, 4, 6],
    },
    ServiceSpec {
        code: "BRAKE_PADS_FRONT",
        category: "repair",
        name_zh: "更换前刹车片",
        name_en: "Front brake pads",
        description_zh: "更换前轴刹车片，检查刹车盘厚度并清洁卡钳。",
        description_en: "Front pads replaced, disc thickness checked and calipers cleaned.",
        duration_min: 60,
        price_fen: 15000,
        parts: &[("BRAKE_PADS_FRONT", 1000)],
        weights: [4, 3, 3],
    },
    ServiceSpec {
        code: "BRAKE_PADS_REAR",
        category: "repair",
        name_zh: "更换后刹车片",
        name_en: "Rear brake pads",
        description_zh: "更换后轴刹车片，电子手刹车型进入维修模式操作。",
        description_en: "Rear pads replaced; electronic parking brakes put into service mode first.",
        duration_min: 60,
        price_fen: 15000,
        parts: &[("BRAKE_PADS_REAR", 1000)],
        weights: [2, 2, 2],
    },
    ServiceSpec {
        code: "BRAKE_FLUID",
        category: "repair",
        name_zh: "更换刹车油",
        name_en: "Brake fluid change",
        description_zh: "专用设备循环更换刹车油（1 升），检测含水量。",
        description_en: "Brake fluid (1 L) exchanged with a flushing machine and tested for water content.",
        duration_min: 40,
        price_fen: 10000,
        parts: &[("BRAKE_FLUID", 1000)],
        weights: [3, 3, 4],
    },
    ServiceSpec {
        code: "COOLANT_CHANGE",
        category: "maintenance",
        name_zh: "更换防冻液",
        name_en: "Coolant change",
        description_zh: "排空并加注发动机防冻冷却液（4 升），检查水管与水泵。",
        description_en: "Engine coolant (4 L) drained and refilled, hoses and water pump checked.",
        duration_min: 45,
        price_fen: 8000,
        parts: &[("COOLANT", 4000)],
        weights: [2, 2, 0],
    },
    ServiceSpec {
        code: "SPARK_PLUGS",
        category: "maintenance",
        name_zh: "更换火花塞",
        name_en: "Spark plug replacement",
        description_zh: "更换四只铱金火花塞，改善点火与油耗。",
        description_en: "Four iridium spark plugs replaced for cleaner ignition and economy.",
        duration_min: 60,
        price_fen: 12000,
        parts: &[("SPARK_PLUG", 4000)],
        weights: [2, 2, 0],
    },
    ServiceSpec {
        code: "AC_CLEAN",
        category: "maintenance",
        name_zh: "空调清洗",
        name_en: "A/C cleaning",
        description_zh: "蒸发箱泡沫清洗与杀菌除味，夏季前推荐。",
        description_en: "Evaporator foam clean and deodorising; recommended before summer.",
        duration_min: 40,
        price_fen: 8800,
        parts: &[("AC_CLEANER", 1000)],
        weights: [5, 5, 8],
    },
    ServiceSpec {
        code: "CABIN_FILTER",
        category: "maintenance",
        name_zh: "更换空调滤芯",
        name_en: "Cabin filter replacement",
        description_zh: "更换活性炭空调滤芯，过滤 PM2.5 与异味。",
        description_en: "Activated-carbon cabin filter replaced to keep out PM2.5 and odours.",
        duration_min: 20,
        price_fen: 3000,
        parts: &[("CABIN_FILTER", 1000)],
        weights: [5, 5, 10],
    },
    ServiceSpec {
        code: "WIPERS",
        category: "maintenance",
        name_zh: "更换雨刮片",
        name_en: "Wiper replacement",
        description_zh: "更换前挡无骨雨刮片一对，梅雨季前推荐。",
        description_en: "A pair of frameless front wiper blades fitted; recommended before the plum-rain season.",
        duration_min: 20,
        price_fen: 2000,
        parts: &[("WIPER", 1000)],
        weights: [4, 4, 6],
    },
    ServiceSpec {
        code: "WASH",
        category: "detailing",
        name_zh: "精致洗车",
        name_en: "Premium wash",
        description_zh: "外观手工精洗、轮毂清洁、内饰吸尘与玻璃清洁。",
        description_en: "Hand wash, wheel cleaning, interior vacuum and glass cleaning.",
        duration_min: 30,
        price_fen: 4000,
        parts: &[("WASH_KIT", 1000)],
        weights: [14, 14, 22],
    },
    ServiceSpec {
        code: "POLISH",
        category: "detailing",
        name_zh: "抛光镀晶",
        name_en: "Polish and ceramic coating",
        description_zh: "漆面抛光去除细纹，再施工镀晶层，保护期约 12 个月。",
        description_en: "Paint polished to remove swirls, then ceramic-coated for about 12 months of protection.",
        duration_min: 240,
        price_fen: 68000,
        parts: &[("WASH_KIT", 1000), ("POLISH_KIT", 1000)],
        weights: [2, 2, 4],
    },
    ServiceSpec {
        code: "WINDOW_FILM",
        category: "detailing",
        name_zh: "全车贴膜",
        name_en: "Window film",
        description_zh: "全车隔热膜施工（前挡、侧窗、后挡），质保 5 年。",
        description_en: "Heat-rejecting film on windscreen, side and rear windows, 5-year warranty.",
        duration_min: 240,
        price_fen: 60000,
        parts: &[("WINDOW_FILM", 1000)],
        weights: [1, 1, 2],
    },
    ServiceSpec {
        code: "EV_BATTERY_CHECK",
        category: "ev",
        name_zh: "三电系统检测",
        name_en: "EV battery and drive check",
        description_zh: "动力电池健康度、电机与电控检测，出具检测报告。",
        description_en: "Traction battery health, motor and inverter diagnostics, with a written report.",
        duration_min: 45,
        price_fen: 19900,
        parts: &[],
        weights: [0, 3, 16],
    },
    ServiceSpec {
        code: "EV_COOLANT_CHANGE",
        category: "ev",
        name_zh: "更换电池冷却液",
        name_en: "EV battery coolant change",
        description_zh: "更换动力电池热管理冷却液（5 升）并排气，检测绝缘。",
        description_en: "Battery thermal-loop coolant (5 L) replaced and bled, insulation tested.",
        duration_min: 90,
        price_fen: 28000,
        parts: &[("EV_COOLANT", 5000)],
        weights: [0, 0, 2],
    },
];

/// Small services a customer adds while the car is in anyway.
const ADD_ONS: &[&str] = &[
    "WASH",
    "WIPERS",
    "CABIN_FILTER",
    "AC_CLEAN",
    "TYRE_ROTATION",
];

/// Skill sets handed out to a store's technicians in this order: the first two
/// alone cover every service category, so even a two-technician store can do
/// everything on the menu.
const TECH_SKILLS: &[&str] = &[
    "maintenance,tyres,repair",
    "maintenance,ev,detailing",
    "tyres,repair,maintenance",
    "detailing,maintenance",
];

// Names: common surnames (with a Zhejiang lean) and given names, with pinyin.
#[rustfmt::skip] // A table: one row per line reads better than rustfmt's layout.
const SURNAMES: &[(&str, &str)] = &[
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
    ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
    ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
    ("郭", "Guo"), ("何", "He"), ("林", "Lin"), ("罗", "Luo"), ("高", "Gao"),
    ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"),
    ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"),
    ("曾", "Zeng"), ("肖", "Xiao"), ("董", "Dong"), ("潘", "Pan"), ("袁", "Yuan"),
    ("蒋", "Jiang"), ("蔡", "Cai"), ("余", "Yu"), ("叶", "Ye"), ("程", "Cheng"),
    ("沈", "Shen"), ("陆", "Lu"), ("汪", "Wang"), ("金", "Jin"), ("钱", "Qian"),
    ("方", "Fang"), ("俞", "Yu"), ("姚", "Yao"), ("傅", "Fu"), ("楼", "Lou"),
    ("应", "Ying"), ("章", "Zhang"),
];

#[rustfmt::skip] // A table: one row per line reads better than rustfmt's layout.
const GIVEN_NAMES: &[(&str, &str)] = &[
    ("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"),
    ("磊", "Lei"), ("强", "Qiang"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"),
    ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"),
    ("霞", "Xia"), ("平", "Ping"), ("浩", "Hao"), ("婷", "Ting"), ("斌", "Bin"),
    ("建国", "Jianguo"), ("志强", "Zhiqiang"), ("晓东", "Xiaodong"), ("海涛", "Haitao"),
    ("丽华", "Lihua"), ("雅琴", "Yaqin"), ("子涵", "Zihan"), ("浩然", "Haoran"),
    ("思远", "Siyuan"), ("欣怡", "Xinyi"), ("宇航", "Yuhang"), ("梓轩", "Zixuan"),
    ("佳怡", "Jiayi"), ("俊杰", "Junjie"), ("文博", "Wenbo"), ("一鸣", "Yiming"),
    ("雨桐", "Yutong"), ("嘉豪", "Jiahao"), ("晨曦", "Chenxi"), ("天佑", "Tianyou"),
    ("鹏飞", "Pengfei"), ("凯文", "Kaiwen"), ("国平", "Guoping"), ("美玲", "Meiling"),
    ("春燕", "Chunyan"), ("秀英", "Xiuying"), ("立新", "Lixin"), ("卫东", "Weidong"),
    ("晓燕", "Xiaoyan"), ("振华", "Zhenhua"), ("明轩", "Mingxuan"), ("诗涵", "Shihan"),
    ("博文", "Bowen"), ("静怡", "Jingyi"), ("逸飞", "Yifei"), ("若曦", "Ruoxi"),
    ("泽宇", "Zeyu"), ("家乐", "Jiale"), ("梦琪", "Mengqi"), ("晓峰", "Xiaofeng"),
    ("伟民", "Weimin"), ("红梅", "Hongmei"), ("建华", "Jianhua"), ("永康", "Yongkang"),
];

/// Real mobile number segments of the three carriers (and virtual operators).
const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "172", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "193", "195", "198",
    "199",
];

/// Plate characters: Latin capitals without I and O (confusable with 1 and 0).
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// splitmix64: tiny, fast and fully specified, so the sequence never changes
/// under a dependency upgrade the way a library RNG's might.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (the modulo bias is irrelevant at these sizes).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.abs_diff(lo) + 1;
        lo + (self.next_u64() % span) as i64
    }

    fn index(&mut self, len: usize) -> usize {
        (self.next_u64() % len.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// An index drawn in proportion to `weights`; `None` if all are zero.
    fn weighted(&mut self, weights: &[u32]) -> Option<usize> {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return None;
        }
        let mut roll = self.next_u64() % total;
        for (i, &w) in weights.iter().enumerate() {
            if roll < u64::from(w) {
                return Some(i);
            }
            roll -= u64::from(w);
        }
        None
    }
}

/// Id namespaces, so two tables never share a counter value.
#[derive(Clone, Copy)]
enum Kind {
    Location = 1,
    Model,
    Category,
    Part,
    Service,
    PriceList,
    Customer,
    Vehicle,
    Staff,
    Order,
    FollowUp,
    Supplier,
    StockMove,
}

/// A v7 id stamped with `at`, so ids sort by creation like real ones do.
fn id(kind: Kind, index: usize, at: OffsetDateTime) -> Uuid {
    let ms = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    domain::ids::deterministic_v7(ms, ((kind as u64) << 32) | index as u64)
}

/// Local (UTC+8) midnight of the day `day` days after BASE's local date.
fn local_midnight(day: i64) -> OffsetDateTime {
    BASE + Duration::days(day) - Duration::hours(LOCAL_OFFSET_HOURS)
}

fn unique_phone(rng: &mut Rng, taken: &mut HashSet<String>) -> String {
    loop {
        let prefix = PHONE_PREFIXES[rng.index(PHONE_PREFIXES.len())];
        let phone = format!("{prefix}{:08}", rng.range(0, 99_999_999));
        if taken.insert(phone.clone()) {
            return phone;
        }
    }
}

fn plate_char(rng: &mut Rng, letter_percent: u64) -> char {
    if rng.chance(letter_percent) {
        char::from(PLATE_LETTERS[rng.index(PLATE_LETTERS.len())])
    } else {
        char::from(b'0' + rng.range(0, 9) as u8)
    }
}

fn unique_plate(rng: &mut Rng, spec: &ModelSpec, taken: &mut HashSet<String>) -> String {
    loop {
        let roll = rng.range(0, 99);
        let region = match roll {
            0..=87 => "浙A",
            88..=94 => "浙B",
            _ => "沪A",
        };
        let mut plate = String::from(region);
        if spec.powertrain == "electric" || spec.plug_in {
            // Green plate: D for battery-electric, F for plug-in / range extender.
            plate.push(if spec.powertrain == "electric" {
                'D'
            } else {
                'F'
            });
            plate.push(plate_char(rng, 30));
            for _ in 0..4 {
                plate.push(char::from(b'0' + rng.range(0, 9) as u8));
            }
        } else {
            for _ in 0..5 {
                plate.push(plate_char(rng, 25));
            }
        }
        if taken.insert(plate.clone()) {
            return plate;
        }
    }
}

/// A (Chinese, pinyin) name; pinyin is "Surname Given" as on a business card.
fn person_name(rng: &mut Rng) -> (String, String) {
    let (sur_zh, sur_en) = SURNAMES[rng.index(SURNAMES.len())];
    let (given_zh, given_en) = GIVEN_NAMES[rng.index(GIVEN_NAMES.len())];
    (
        format!("{sur_zh}{given_zh}"),
        format!("{sur_en} {given_en}"),
    )
}

/// `unit × quantity`, priced by the domain's own rule (rounded to the fen). Demo prices
/// and quantities are small constants, so the arithmetic cannot fail.
fn line_total(unit_price_fen: i64, quantity_milli: i64) -> i64 {
    let quantity = u32::try_from(quantity_milli)
        .ok()
        .and_then(|q| domain::Quantity::from_milli(q).ok())
        .unwrap_or(domain::Quantity::ONE);
    domain::Money::from_fen(unit_price_fen)
        .checked_mul_qty(quantity)
        .map(domain::Money::fen)
        .unwrap_or(0)
}

fn position<T>(items: &[T], key: impl Fn(&T) -> bool) -> Option<usize> {
    items.iter().position(key)
}

/// The whole demo world. Deterministic: every call returns equal data.
pub fn demo_data() -> DemoData {
    let locations: Vec<Location> = LOCATIONS
        .iter()
        .enumerate()
        .map(|(i, s)| Location {
            id: id(Kind::Location, i, SETUP_AT),
            code: s.code,
            kind: s.kind,
            name_zh: s.name_zh,
            name_en: s.name_en,
            address_zh: s.address_zh,
            address_en: s.address_en,
            lat_e6: s.lat_e6,
            lng_e6: s.lng_e6,
            bays: s.bays,
            phone: s.phone,
            route_code: route_of(s.code),
        })
        .collect();
    let routes = ROUTES
        .iter()
        .map(|r| DeliveryRoute {
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
        })
        .collect();
    let route_waves = ROUTES
        .iter()
        .flat_map(|r| {
            r.waves.iter().map(|&minute| RouteWave {
                route_code: r.code,
                minute,
            })
        })
        .collect();

    let opening_hours = LOCATIONS
        .iter()
        .zip(&locations)
        .flat_map(|(spec, loc)| {
            (1..=7).map(move |weekday| {
                let (opens_min, closes_min) = match weekday {
                    6 => spec.saturday,
                    7 => spec.sunday,
                    _ => spec.weekdays,
                };
                OpeningHours {
                    location_id: loc.id,
                    weekday,
                    opens_min,
                    closes_min,
                }
            })
        })
        .collect();

    let models: Vec<VehicleModel> = MODELS
        .iter()
        .enumerate()
        .map(|(i, s)| VehicleModel {
            id: id(Kind::Model, i, SETUP_AT),
            code: s.code,
            brand_zh: s.brand_zh,
            brand_en: s.brand_en,
            name_zh: s.name_zh,
            name_en: s.name_en,
            powertrain: s.powertrain,
        })
        .collect();

    let part_categories: Vec<PartCategory> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, s)| PartCategory {
            id: id(Kind::Category, i, SETUP_AT),
            code: s.code,
            name_zh: s.name_zh,
            name_en: s.name_en,
            unit_zh: s.unit_zh,
            unit_en: s.unit_en,
        })
        .collect();

    // Category index of every part spec; the unit tests check none is lost.
    let part_category: Vec<Option<usize>> = PARTS
        .iter()
        .map(|p| position(CATEGORIES, |c| c.code == p.category))
        .collect();

    let parts: Vec<Part> = PARTS
        .iter()
        .zip(&part_category)
        .enumerate()
        .filter_map(|(i, (s, cat))| {
            Some(Part {
                id: id(Kind::Part, i, SETUP_AT),
                sku: s.sku,
                category_id: part_categories[(*cat)?].id,
                name_zh: s.name_zh,
                name_en: s.name_en,
                // Every oil the chain stocks is fully synthetic (the 0W-16 hybrid oil too).
                oil_grade: (s.category == "ENGINE_OIL")
                    .then_some(domain::followup::OilGrade::FullSynthetic.code()),
            })
        })
        .collect();

    // (model, category) -> part, all as indices into the spec tables.
    let mut fit: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (m, model_spec) in MODELS.iter().enumerate() {
        for (p, part_spec) in PARTS.iter().enumerate() {
            let Some(c) = part_category[p] else { continue };
            let fits = if part_spec.fits.is_empty() {
                needs(model_spec.powertrain, part_spec.category)
            } else {
                part_spec.fits.contains(&model_spec.code)
            };
            if fits {
                // First listed part wins; the unit tests reject any overlap.
                fit.entry((m, c)).or_insert(p);
            }
        }
    }
    let fitments = fit
        .iter()
        .map(|(&(m, c), &p)| Fitment {
            model_id: models[m].id,
            category_id: part_categories[c].id,
            part_id: parts[p].id,
        })
        .collect();

    let services: Vec<Service> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, s)| Service {
            id: id(Kind::Service, i, SETUP_AT),
            code: s.code,
            category: s.category,
            name_zh: s.name_zh,
            name_en: s.name_en,
            description_zh: s.description_zh,
            description_en: s.description_en,
            duration_min: s.duration_min,
            sort_order: (i as i64 + 1) * 10,
        })
        .collect();

    // (category index, quantity) per service, resolved once.
    let service_needs: Vec<Vec<(usize, i64)>> = SERVICES
        .iter()
        .map(|s| {
            s.parts
                .iter()
                .filter_map(|&(code, qty)| Some((position(CATEGORIES, |c| c.code == code)?, qty)))
                .collect()
        })
        .collect();

    let categories = &part_categories;
    let service_parts = service_needs
        .iter()
        .enumerate()
        .flat_map(|(s, needs)| {
            let service_id = services[s].id;
            needs.iter().map(move |&(c, quantity_milli)| ServicePart {
                service_id,
                category_id: categories[c].id,
                quantity_milli,
            })
        })
        .collect();

    let stock = build_stock(&locations, &part_category);

    let staff = build_staff(&locations);
    let publisher = staff
        .iter()
        .find(|s| s.role == "hq_admin")
        .map(|s| s.id.hyphenated().to_string())
        .unwrap_or_default();

    // Effective before the first history order, so every order can cite v1.
    let effective_from = datetime!(2025-07-01 00:00:00 +08:00).to_offset(time::UtcOffset::UTC);
    let published_at = effective_from - Duration::days(3) + Duration::hours(2);
    let price_list = PriceListSeed {
        id: id(Kind::PriceList, 1, published_at),
        version: 1,
        effective_from,
        published_at,
        published_by: publisher,
        note: "初始价目表 / Initial price list",
        prices: services
            .iter()
            .zip(SERVICES)
            .map(|(s, spec)| PriceRow {
                item_kind: "service",
                item_id: s.id,
                price_fen: spec.price_fen,
            })
            .chain(parts.iter().zip(PARTS).map(|(p, spec)| PriceRow {
                item_kind: "part",
                item_id: p.id,
                price_fen: spec.price_fen,
            }))
            .collect(),
    };

    let history = History {
        locations: &locations,
        models: &models,
        parts: &parts,
        services: &services,
        service_needs: &service_needs,
        fit: &fit,
        staff: &staff,
    }
    .build();

    let mut customers = history.customers;
    let mut staff = staff;
    give_demo_accounts_known_phones(&mut staff, &mut customers);

    let qc_steps = services
        .iter()
        .flat_map(|service| {
            QC_CHECKLISTS
                .iter()
                .filter(|(category, _)| *category == service.category)
                .flat_map(|(_, steps)| steps.iter())
                .zip(1..)
                .map(|(&(text_zh, text_en), step_no)| QcStepRow {
                    service_id: service.id,
                    step_no,
                    text_zh,
                    text_en,
                })
        })
        .collect();

    let followups = follow_ups(
        &history.orders,
        &history.order_lines,
        &parts,
        &part_categories,
    );
    let mut data = DemoData {
        followups,
        locations,
        opening_hours,
        routes,
        route_waves,
        models,
        part_categories,
        parts,
        fitments,
        services,
        service_parts,
        qc_steps,
        stock,
        price_list,
        customers,
        vehicles: history.vehicles,
        staff,
        orders: history.orders,
        order_lines: history.order_lines,
        suppliers: Vec::new(),
        sourcing: Vec::new(),
        stock_moves: Vec::new(),
        consumption: Vec::new(),
    };
    (
        data.suppliers,
        data.sourcing,
        data.stock_moves,
        data.consumption,
    ) = supply::build(&data);
    data
}

/// The follow-ups the history's visits scheduled, each visit in turn per car (a repeat
/// supersedes the open reminder it answers), and how the stores' calls went until
/// [`BASE`]: most satisfaction calls made and rated, about half the reminders answered,
/// the rest missed. Those still open at `BASE` stay open for the kiosks' queues.
fn follow_ups(
    orders: &[Order],
    lines: &[OrderLine],
    parts: &[Part],
    categories: &[PartCategory],
) -> Vec<FollowUp> {
    use domain::followup::{Consumable, Handover, KmPerDay, OilGrade};
    use domain::local_time::local_date;
    let category: BTreeMap<Uuid, &str> = categories.iter().map(|c| (c.id, c.code)).collect();
    let consumable: BTreeMap<Uuid, Consumable> = parts
        .iter()
        .filter_map(|p| {
            let grade = p.oil_grade.and_then(OilGrade::parse);
            Some((
                p.id,
                Consumable::of_category(category.get(&p.category_id)?, grade)?,
            ))
        })
        .collect();
    let mut fitted: BTreeMap<Uuid, Vec<Consumable>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.item_kind == "part") {
        if let Some(c) = consumable.get(&l.item_id) {
            fitted.entry(l.order_id).or_default().push(*c);
        }
    }
    let mut visits: BTreeMap<Uuid, Vec<&Order>> = BTreeMap::new();
    for o in orders.iter().filter(|o| o.completed_at.is_some()) {
        visits.entry(o.vehicle_id).or_default().push(o);
    }
    let mut out: Vec<FollowUp> = Vec::new();
    for visits in visits.values_mut() {
        visits.sort_by_key(|o| o.completed_at);
        let mut readings = Vec::new();
        for o in visits.iter() {
            let Some(done) = o.completed_at else { continue };
            let km = u32::try_from(o.mileage_km).unwrap_or(0);
            readings.push(domain::odometer::Reading { km, at: done });
            let planned = domain::followup::schedule(&Handover {
                on: local_date(done),
                km,
                km_per_day: KmPerDay::from_observed(domain::odometer::km_per_day(&readings)),
                satisfaction_days: domain::followup::DEFAULT_SATISFACTION_DAYS,
                fitted: fitted.get(&o.id).cloned().unwrap_or_default(),
            });
            for p in &planned {
                if p.basis.is_some() {
                    for f in out.iter_mut().filter(|f| {
                        f.vehicle_id == o.vehicle_id
                            && f.kind == p.kind.code()
                            && f.status == "open"
                    }) {
                        f.status = "superseded";
                        f.closed_at = Some(done);
                    }
                }
                let b = p.basis;
                out.push(FollowUp {
                    id: id(Kind::FollowUp, out.len(), done),
                    store_id: o.store_id,
                    customer_id: o.customer_id,
                    vehicle_id: o.vehicle_id,
                    order_id: o.id,
                    kind: p.kind.code(),
                    priority: p.priority.code(),
                    due_on: p.due.to_string(),
                    opens_on: p.window.opens.to_string(),
                    closes_on: p.window.closes.to_string(),
                    fitted_km: b.map(|b| i64::from(b.fitted_km)),
                    interval_months: b.map(|b| i64::from(b.interval.months)),
                    interval_km: b.and_then(|b| b.interval.km).map(i64::from),
                    km_per_day: b.map(|b| i64::from(b.km_per_day.km)),
                    km_per_day_observed: b.map(|b| b.km_per_day.observed),
                    status: "open",
                    attempts: 0,
                    outcome: None,
                    rating: None,
                    answered_via: None,
                    closed_at: None,
                    created_at: done,
                });
            }
        }
    }
    // How the calls whose window closed before BASE went.
    let base_day = local_date(BASE);
    let mut rng = Rng(0x0F01_10C0_FFEE_0012);
    for f in out.iter_mut().filter(|f| f.status == "open") {
        let (Ok(opens), Ok(closes)) = (
            domain::local_time::parse_date(&f.opens_on),
            domain::local_time::parse_date(&f.closes_on),
        ) else {
            continue;
        };
        if closes >= base_day {
            continue;
        }
        let span = (closes - opens).whole_days();
        let called = domain::local_time::at_local_minute(
            opens + Duration::days(rng.range(0, span)),
            10 * 60,
        );
        let roll = rng.range(0, 99);
        let satisfaction = f.kind == "satisfaction";
        let (status, outcome, rating, attempts) = match roll {
            r if satisfaction && r < 80 => {
                let stars = [5, 5, 5, 4, 4, 4, 3, 5, 4, 2][rng.index(10)];
                ("done", Some("satisfied"), Some(stars), 1)
            }
            r if satisfaction && r < 88 => ("done", Some("reached"), None, 2),
            r if !satisfaction && r < 30 => ("done", Some("reached"), None, 1),
            r if !satisfaction && r < 50 => ("done", Some("booked_again"), None, 1),
            r if (satisfaction && r < 93) || (!satisfaction && r < 60) => (
                "unreachable",
                None,
                None,
                domain::followup::MAX_ATTEMPTS.into(),
            ),
            _ => ("missed", None, None, 0),
        };
        f.status = status;
        f.outcome = outcome;
        f.rating = rating;
        f.attempts = attempts;
        f.answered_via = outcome.map(|_| "kiosk");
        f.closed_at = Some(if status == "missed" {
            domain::local_time::at_local_minute(closes + Duration::days(1), 0)
        } else {
            called
        });
    }
    out
}

/// The password of every demo account (all staff, and the demo customer).
pub const DEMO_PASSWORD: &str = "pitlane-demo-2026";

/// The kiosk PIN of every demo store staff member (managers, advisors, technicians).
pub const DEMO_PIN: &str = "428613";

/// Demo accounts a person can sign in with, by role: (phone, role).
pub const DEMO_ACCOUNTS: [(&str, &str); 5] = [
    ("13900000001", "hq_admin"),
    ("13900000002", "hq_supply"),
    ("13900000003", "store_manager"),
    ("13900000004", "service_advisor"),
    ("13800000001", "customer"),
];

/// Gives the first staff member of each role in [`DEMO_ACCOUNTS`], and the first
/// customer, the phone number the README documents.
fn give_demo_accounts_known_phones(staff: &mut [Staff], customers: &mut [Customer]) {
    for (phone, role) in DEMO_ACCOUNTS {
        if role == "customer" {
            if let Some(c) = customers.first_mut() {
                c.phone = phone.to_owned();
            }
        } else if let Some(s) = staff.iter_mut().find(|s| s.role == role) {
            s.phone = phone.to_owned();
        }
    }
}

/// Categories the demo warehouse holds below their safety stock.
const WAREHOUSE_LOW: &[&str] = &["SPARK_PLUG", "AC_CLEANER"];

fn build_stock(locations: &[Location], part_category: &[Option<usize>]) -> Vec<StockRow> {
    let mut rng = Rng(0x5EED_0005_70C4);
    let mut rows = Vec::with_capacity(locations.len() * PARTS.len());
    for (loc_spec, loc) in LOCATIONS.iter().zip(locations) {
        for (p, cat) in part_category.iter().enumerate() {
            let Some(c) = *cat else { continue };
            let cat = &CATEGORIES[c];
            let (store_typical, store_safety, wh_typical, wh_safety) = cat.stock;
            // Half-litre granularity for fluids, whole units otherwise.
            let step = if LITRE_CATEGORIES.contains(&cat.code) {
                500
            } else {
                1000
            };
            let (on_hand, safety) = if loc_spec.kind == "warehouse" {
                let units = wh_typical * rng.range(80, 130) / 100;
                // Two categories run low at the warehouse, so the supply chain has
                // something to order (drawn all the same, to keep the rest as it was).
                let units = if WAREHOUSE_LOW.contains(&cat.code) {
                    wh_safety / 2
                } else {
                    units
                };
                (units * 1000, wh_safety * 1000)
            } else if rng.chance(8) {
                // A few empty shelves, so "not in stock here" shows in the UI.
                (0, store_safety * 1000)
            } else {
                let milli = store_typical * 1000 * rng.range(30, 170) / 100;
                ((milli / step).max(1) * step, store_safety * 1000)
            };
            rows.push(StockRow {
                location_id: loc.id,
                part_id: id(Kind::Part, p, SETUP_AT),
                on_hand_milli: on_hand,
                reserved_milli: 0,
                safety_milli: safety,
            });
        }
    }
    rows
}

fn build_staff(locations: &[Location]) -> Vec<Staff> {
    let mut rng = Rng(0x5EED_0009_57AF);
    // Customers' phones are drawn later against this set too, so the two
    // never collide and a phone search finds exactly one person.
    let mut phones = HashSet::new();
    let mut names = HashSet::new();
    let mut staff = Vec::new();
    let mut push =
        |rng: &mut Rng, location_id: Option<Uuid>, role: &'static str, skills: &'static str| {
            let (name_zh, name_en) = loop {
                let candidate = person_name(rng);
                if names.insert(candidate.0.clone()) {
                    break candidate;
                }
            };
            let index = staff.len();
            staff.push(Staff {
                id: id(Kind::Staff, index, SETUP_AT),
                location_id,
                phone: unique_phone(rng, &mut phones),
                name_zh,
                name_en,
                role,
                skills,
            });
        };
    push(&mut rng, None, "hq_admin", "");
    push(&mut rng, None, "hq_admin", "");
    push(&mut rng, None, "hq_supply", "");
    push(&mut rng, None, "hq_supply", "");
    for (spec, loc) in LOCATIONS.iter().zip(locations) {
        if spec.kind == "warehouse" {
            push(&mut rng, Some(loc.id), "warehouse", "");
            push(&mut rng, Some(loc.id), "warehouse", "");
            push(&mut rng, Some(loc.id), "warehouse", "");
            continue;
        }
        push(&mut rng, Some(loc.id), "store_manager", "");
        for _ in 0..rng.range(1, 2) {
            push(&mut rng, Some(loc.id), "service_advisor", "");
        }
        for skills in TECH_SKILLS.iter().take(rng.range(2, 4) as usize) {
            push(&mut rng, Some(loc.id), "technician", skills);
        }
    }
    staff
}

/// Inputs the customer and order history is generated against.
struct History<'a> {
    locations: &'a [Location],
    models: &'a [VehicleModel],
    parts: &'a [Part],
    services: &'a [Service],
    /// (category index, quantity) per service.
    service_needs: &'a [Vec<(usize, i64)>],
    /// (model, category) -> part, as spec indices.
    fit: &'a BTreeMap<(usize, usize), usize>,
    staff: &'a [Staff],
}

struct HistoryRows {
    customers: Vec<Customer>,
    vehicles: Vec<Vehicle>,
    orders: Vec<Order>,
    order_lines: Vec<OrderLine>,
}

/// An order before it has an id and reference: those follow creation order
/// across the whole chain, which is only known once every order is drawn.
struct DraftOrder {
    customer: usize,
    customer_id: Uuid,
    vehicle_id: Uuid,
    model: usize,
    store_id: Uuid,
    channel: &'static str,
    technician_id: Option<Uuid>,
    mileage_km: i64,
    created_at: OffsetDateTime,
    completed_at: OffsetDateTime,
    services: Vec<usize>,
}

/// A vehicle's odometer model: a starting reading and a steady daily distance.
#[derive(Clone, Copy)]
struct Odometer {
    since: OffsetDateTime,
    start_km: i64,
    km_per_day: i64,
}

impl Odometer {
    fn at(self, t: OffsetDateTime) -> i64 {
        // Per second rather than per whole day, so two visits on consecutive
        // days still show increasing readings.
        self.start_km + self.km_per_day * (t - self.since).whole_seconds().max(0) / 86_400
    }
}

fn powertrain_index(powertrain: &str) -> usize {
    match powertrain {
        "petrol" => 0,
        "hybrid" => 1,
        _ => 2,
    }
}

impl History<'_> {
    fn build(&self) -> HistoryRows {
        let mut rng = Rng(0x5EED_0007_C057);
        let mut phones: HashSet<String> = self.staff.iter().map(|s| s.phone.clone()).collect();
        let mut plates = HashSet::new();
        let stores: Vec<usize> = (0..self.locations.len())
            .filter(|&i| self.locations[i].kind == "store")
            .collect();
        let model_weights: Vec<u32> = MODELS.iter().map(|m| m.weight).collect();

        let mut customers = Vec::with_capacity(CUSTOMERS);
        let mut vehicles = Vec::new();
        let mut drafts = Vec::new();
        for c in 0..CUSTOMERS {
            // Joined between three years and four months ago, in the daytime.
            let created_at =
                BASE - Duration::days(rng.range(120, 1100)) + Duration::minutes(rng.range(60, 720));
            let customer_id = id(Kind::Customer, c, created_at);
            let (name_zh, name_en) = person_name(&mut rng);
            let phone = unique_phone(&mut rng, &mut phones);
            let marketing_opt_out = rng.chance(5);
            let home_store = stores[rng.index(stores.len())];
            customers.push(Customer {
                id: customer_id,
                phone,
                name_zh,
                name_en,
                tier: "standard",
                marketing_opt_out,
                created_at,
                district: home_district(c),
            });

            let vehicle_count = if rng.chance(30) { 2 } else { 1 };
            for v in 0..vehicle_count {
                let m = rng.weighted(&model_weights).unwrap_or(0);
                // A second car joins at least 90 days before BASE, leaving
                // room for a few visits.
                let vehicle_created = if v == 0 {
                    created_at
                } else {
                    let room = (BASE - Duration::days(90) - created_at).whole_days();
                    created_at + Duration::days(rng.range(room.min(30), room.min(400)))
                };
                let odometer = Odometer {
                    since: vehicle_created,
                    start_km: rng.range(3_000, 90_000),
                    km_per_day: rng.range(15, 90),
                };
                let vehicle_id = id(Kind::Vehicle, vehicles.len(), vehicle_created);
                vehicles.push(Vehicle {
                    id: vehicle_id,
                    customer_id,
                    model_id: self.models[m].id,
                    plate: unique_plate(&mut rng, &MODELS[m], &mut plates),
                    mileage_km: odometer.at(BASE),
                    created_at: vehicle_created,
                });

                // Service days within the last year, a week or more apart and
                // starting a few days after the car was registered, so an
                // online booking (made up to three days ahead) never predates
                // the car or the previous visit.
                let first_day = ((vehicle_created - BASE).whole_days() + 5).max(-365);
                let order_count = rng.range(2, 6) as usize;
                let mut days = std::collections::BTreeSet::new();
                // Bounded so a too-short window yields fewer visits, not a hang.
                for _ in 0..1000 {
                    if days.len() == order_count {
                        break;
                    }
                    let day = rng.range(first_day, -1);
                    if days.range(day - 6..=day + 6).next().is_none() {
                        days.insert(day);
                    }
                }
                for day in days {
                    let store = if rng.chance(80) {
                        home_store
                    } else {
                        stores[rng.index(stores.len())]
                    };
                    let visit = Visit {
                        customer: c,
                        customer_id,
                        vehicle_id,
                        model: m,
                        store,
                        day,
                        odometer,
                    };
                    if let Some(draft) = self.draft_order(&mut rng, &visit) {
                        drafts.push(draft);
                    }
                }
            }
        }

        drafts.sort_by_key(|d| (d.created_at, d.vehicle_id));
        let mut orders = Vec::with_capacity(drafts.len());
        let mut order_lines = Vec::new();
        let mut spend = vec![0_i64; customers.len()];
        let mut sequence: BTreeMap<i32, u32> = BTreeMap::new();
        for (i, draft) in drafts.iter().enumerate() {
            let order_id = id(Kind::Order, i, draft.created_at);
            // References count per local (Hangzhou) calendar year.
            let year = (draft.created_at + Duration::hours(LOCAL_OFFSET_HOURS)).year();
            let seq = sequence.entry(year).or_insert(0);
            *seq += 1;
            let first_line = order_lines.len();
            for &s in &draft.services {
                let line_no = (order_lines.len() - first_line) as i64 + 1;
                order_lines.push(OrderLine {
                    order_id,
                    line_no,
                    item_kind: "service",
                    item_id: self.services[s].id,
                    quantity_milli: 1000,
                    unit_price_fen: SERVICES[s].price_fen,
                    total_fen: line_total(SERVICES[s].price_fen, 1000),
                });
                for &(c, quantity_milli) in &self.service_needs[s] {
                    let Some(&p) = self.fit.get(&(draft.model, c)) else {
                        continue;
                    };
                    let line_no = (order_lines.len() - first_line) as i64 + 1;
                    order_lines.push(OrderLine {
                        order_id,
                        line_no,
                        item_kind: "part",
                        item_id: self.parts[p].id,
                        quantity_milli,
                        unit_price_fen: PARTS[p].price_fen,
                        total_fen: line_total(PARTS[p].price_fen, quantity_milli),
                    });
                }
            }
            let total_fen = order_lines[first_line..].iter().map(|l| l.total_fen).sum();
            let minutes: i64 = draft
                .services
                .iter()
                .map(|&s| SERVICES[s].duration_min)
                .sum();
            let held_parts = order_lines[first_line..]
                .iter()
                .any(|l| l.item_kind == "part");
            // One visit in seventeen found a part missing: the fill rate has a history.
            let parts_ready = held_parts.then_some(i % 17 != 0);
            spend[draft.customer] += total_fen;
            orders.push(Order {
                id: order_id,
                reference: format!("PL-{year}-{seq:06}"),
                customer_id: draft.customer_id,
                vehicle_id: draft.vehicle_id,
                store_id: draft.store_id,
                channel: draft.channel,
                status: "handed_over",
                price_list_version: 1,
                total_fen,
                mileage_km: draft.mileage_km,
                technician_id: draft.technician_id,
                created_at: draft.created_at,
                completed_at: Some(draft.completed_at),
                scheduled: Some((
                    draft.completed_at - Duration::minutes(minutes),
                    draft.completed_at,
                )),
                parts_ready,
            });
        }

        // Tiers follow spend, as a membership scheme would: top 10 % gold,
        // next 25 % silver.
        let mut ranking: Vec<usize> = (0..customers.len()).collect();
        ranking.sort_by_key(|&c| (std::cmp::Reverse(spend[c]), c));
        let gold = customers.len() / 10;
        let silver = gold + customers.len() / 4;
        for (rank, &c) in ranking.iter().enumerate() {
            customers[c].tier = if rank < gold {
                "gold"
            } else if rank < silver {
                "silver"
            } else {
                "standard"
            };
        }

        HistoryRows {
            customers,
            vehicles,
            orders,
            order_lines,
        }
    }

    /// Whether every part the service consumes has a fitting SKU for the model.
    fn serviceable(&self, model: usize, service: usize) -> bool {
        self.service_needs[service]
            .iter()
            .all(|&(c, _)| self.fit.contains_key(&(model, c)))
    }

    fn draft_order(&self, rng: &mut Rng, visit: &Visit) -> Option<DraftOrder> {
        let pt = powertrain_index(MODELS[visit.model].powertrain);
        let weights: Vec<u32> = SERVICES
            .iter()
            .enumerate()
            .map(|(s, spec)| {
                if self.serviceable(visit.model, s) {
                    spec.weights[pt]
                } else {
                    0
                }
            })
            .collect();
        let main = rng.weighted(&weights)?;
        let mut chosen = vec![main];
        if rng.chance(20) {
            let add_on = ADD_ONS[rng.index(ADD_ONS.len())];
            if let Some(s) = position(SERVICES, |spec| spec.code == add_on) {
                if s != main && self.serviceable(visit.model, s) {
                    chosen.push(s);
                }
            }
        }
        let duration: i64 = chosen.iter().map(|&s| SERVICES[s].duration_min).sum();

        // Start on a quarter hour inside the store's hours for that weekday,
        // finishing at least 15 minutes before closing.
        let midnight = local_midnight(visit.day);
        let weekday = (midnight + Duration::hours(LOCAL_OFFSET_HOURS))
            .weekday()
            .number_from_monday();
        let spec = &LOCATIONS[visit.store];
        let (opens, closes) = match weekday {
            6 => spec.saturday,
            7 => spec.sunday,
            _ => spec.weekdays,
        };
        let slots = ((closes - opens - duration - 15) / 15).max(0);
        let start = midnight + Duration::minutes(opens + 15 * rng.range(0, slots));

        let channel = if rng.chance(45) { "online" } else { "walk_in" };
        let created_at = if channel == "online" {
            start - Duration::minutes(rng.range(120, 3 * 24 * 60))
        } else {
            start - Duration::minutes(rng.range(5, 25))
        };
        let completed_at = start + Duration::minutes(duration + rng.range(0, 30));

        let store_id = self.locations[visit.store].id;
        let category = SERVICES[main].category;
        let technicians: Vec<&Staff> = self
            .staff
            .iter()
            .filter(|s| s.role == "technician" && s.location_id == Some(store_id))
            .collect();
        let skilled: Vec<&Staff> = technicians
            .iter()
            .copied()
            .filter(|s| s.skills.split(',').any(|k| k == category))
            .collect();
        let pool = if skilled.is_empty() {
            &technicians
        } else {
            &skilled
        };
        let technician_id = pool.get(rng.index(pool.len())).map(|s| s.id);

        Some(DraftOrder {
            customer: visit.customer,
            customer_id: visit.customer_id,
            vehicle_id: visit.vehicle_id,
            model: visit.model,
            store_id,
            channel,
            technician_id,
            mileage_km: visit.odometer.at(start),
            created_at,
            completed_at,
            services: chosen,
        })
    }
}

/// One visit of one car to one store on one day.
struct Visit {
    customer: usize,
    customer_id: Uuid,
    vehicle_id: Uuid,
    model: usize,
    store: usize,
    /// Days after BASE's local date (negative: the past).
    day: i64,
    odometer: Odometer,
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use super::*;

    #[derive(Debug, PartialEq)]
    enum PlateKind {
        Ordinary,
        NewEnergy(char),
    }

    /// What kind of plate the domain's parser says this is (`None`: not a plate).
    fn plate_kind(plate: &str) -> Option<PlateKind> {
        let parsed = domain::Plate::parse(plate).ok()?;
        assert_eq!(parsed.as_str(), plate, "demo plates are stored normalised");
        if !parsed.is_new_energy() {
            return Some(PlateKind::Ordinary);
        }
        // Small new-energy plates carry D (electric) or F (plug-in) right after the letter.
        parsed.as_str().chars().nth(2).map(PlateKind::NewEnergy)
    }

    #[test]
    fn is_deterministic() {
        assert_eq!(demo_data(), demo_data());
    }

    #[test]
    fn has_the_promised_size() {
        let d = demo_data();
        let stores = d.locations.iter().filter(|l| l.kind == "store").count();
        assert_eq!(stores, 6);
        assert_eq!(d.locations.len(), 7);
        assert_eq!(d.opening_hours.len(), 7 * 7);
        assert_eq!(d.customers.len(), CUSTOMERS);
        assert!((200..=400).contains(&d.vehicles.len()));
        assert_eq!(d.parts.len(), PARTS.len(), "a part lost its category");
        assert!((75..=90).contains(&d.parts.len()));
        assert_eq!(d.stock.len(), d.locations.len() * d.parts.len());
        let service_parts: usize = SERVICES.iter().map(|s| s.parts.len()).sum();
        assert_eq!(d.service_parts.len(), service_parts, "unknown category");
        // Every service has a checklist of its kind's steps, numbered from 1.
        for service in &d.services {
            let steps: Vec<i64> = d
                .qc_steps
                .iter()
                .filter(|q| q.service_id == service.id)
                .map(|q| q.step_no)
                .collect();
            assert!(steps.len() >= 2, "{} has no checklist", service.code);
            assert_eq!(steps, (1..=steps.len() as i64).collect::<Vec<_>>());
        }
        let opted_out = d.customers.iter().filter(|c| c.marketing_opt_out).count();
        assert!((3..=20).contains(&opted_out), "{opted_out} opted out");
        for tier in ["standard", "silver", "gold"] {
            assert!(d.customers.iter().any(|c| c.tier == tier));
        }
    }

    #[test]
    fn ids_are_unique_v7() {
        let d = demo_data();
        let ids: Vec<Uuid> = d
            .locations
            .iter()
            .map(|r| r.id)
            .chain(d.models.iter().map(|r| r.id))
            .chain(d.part_categories.iter().map(|r| r.id))
            .chain(d.parts.iter().map(|r| r.id))
            .chain(d.services.iter().map(|r| r.id))
            .chain([d.price_list.id])
            .chain(d.customers.iter().map(|r| r.id))
            .chain(d.vehicles.iter().map(|r| r.id))
            .chain(d.staff.iter().map(|r| r.id))
            .chain(d.orders.iter().map(|r| r.id))
            .chain(d.followups.iter().map(|r| r.id))
            .collect();
        let unique: HashSet<Uuid> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len());
        for id in ids {
            assert_eq!(id.get_version_num(), 7, "{id}");
        }
    }

    #[test]
    fn phones_and_plates_are_valid_and_unique() {
        let d = demo_data();
        let phones: Vec<&str> = d
            .customers
            .iter()
            .map(|c| c.phone.as_str())
            .chain(d.staff.iter().map(|s| s.phone.as_str()))
            .collect();
        for phone in &phones {
            let parsed = domain::Phone::parse(phone).expect("a valid mobile");
            assert_eq!(parsed.as_str(), *phone);
        }
        assert_eq!(phones.iter().collect::<HashSet<_>>().len(), phones.len());

        let models: HashMap<Uuid, &ModelSpec> = d.models.iter().map(|m| m.id).zip(MODELS).collect();
        let mut plates = HashSet::new();
        for v in &d.vehicles {
            assert!(plates.insert(v.plate.as_str()), "duplicate {}", v.plate);
            let spec = models[&v.model_id];
            let expected = match (spec.powertrain, spec.plug_in) {
                ("electric", _) => PlateKind::NewEnergy('D'),
                (_, true) => PlateKind::NewEnergy('F'),
                _ => PlateKind::Ordinary,
            };
            assert_eq!(plate_kind(&v.plate), Some(expected), "{}", v.plate);
        }
        assert!(d.vehicles.iter().any(|v| v.plate.starts_with("浙B")));
        assert!(d.vehicles.iter().any(|v| v.plate.starts_with("沪A")));
        for (id, (zh, en)) in d.staff.iter().map(|s| (s.id, (&s.name_zh, &s.name_en))) {
            assert!(!zh.is_empty() && en.contains(' '), "{id}");
        }
    }

    #[test]
    fn every_model_has_one_fitting_part_per_needed_category() {
        // A part listed for a model twice in one category would be silently
        // dropped by the builder; catch it here instead.
        let mut seen = HashSet::new();
        for part in PARTS {
            for &model in part.fits {
                assert!(
                    MODELS.iter().any(|m| m.code == model),
                    "{}: {model}",
                    part.sku
                );
                let spec = MODELS.iter().find(|m| m.code == model);
                assert!(spec.is_some_and(|m| needs(m.powertrain, part.category)));
                assert!(
                    seen.insert((model, part.category)),
                    "{model} {}",
                    part.category
                );
            }
        }
        let d = demo_data();
        let part_category: HashMap<Uuid, Uuid> =
            d.parts.iter().map(|p| (p.id, p.category_id)).collect();
        let fit: HashMap<(Uuid, Uuid), Uuid> = d
            .fitments
            .iter()
            .map(|f| ((f.model_id, f.category_id), f.part_id))
            .collect();
        assert_eq!(fit.len(), d.fitments.len());
        for (model, spec) in d.models.iter().zip(MODELS) {
            for (category, cat_spec) in d.part_categories.iter().zip(CATEGORIES) {
                let part = fit.get(&(model.id, category.id));
                assert_eq!(
                    part.is_some(),
                    needs(spec.powertrain, cat_spec.code),
                    "{} {}",
                    spec.code,
                    cat_spec.code
                );
                if let Some(part) = part {
                    assert_eq!(part_category[part], category.id);
                }
            }
        }
        // Every part is sold for some car.
        let fitted: HashSet<Uuid> = d.fitments.iter().map(|f| f.part_id).collect();
        assert_eq!(fitted.len(), d.parts.len());
    }

    #[test]
    fn every_item_has_exactly_one_positive_price() {
        let d = demo_data();
        let mut priced = HashMap::new();
        for p in &d.price_list.prices {
            assert!(p.price_fen > 0);
            assert!(priced
                .insert((p.item_kind, p.item_id), p.price_fen)
                .is_none());
        }
        for s in &d.services {
            assert!(priced.contains_key(&("service", s.id)), "{}", s.code);
        }
        for p in &d.parts {
            assert!(priced.contains_key(&("part", p.id)), "{}", p.sku);
        }
        assert_eq!(priced.len(), d.services.len() + d.parts.len());
        assert!(d.price_list.published_at < d.price_list.effective_from);
        assert!(d
            .staff
            .iter()
            .any(|s| s.id.to_string() == d.price_list.published_by));
    }

    #[test]
    fn catalog_satisfies_the_checks() {
        let d = demo_data();
        let codes: HashSet<&str> = d.services.iter().map(|s| s.code).collect();
        assert_eq!(codes.len(), d.services.len());
        for s in &d.services {
            assert!(domain::ServiceCategory::parse(s.category).is_some());
            assert!((20..=240).contains(&s.duration_min));
        }
        let skus: HashSet<&str> = d.parts.iter().map(|p| p.sku).collect();
        assert_eq!(skus.len(), d.parts.len());
        assert!(d.service_parts.iter().all(|sp| sp.quantity_milli > 0));
        for h in &d.opening_hours {
            assert!((1..=7).contains(&h.weekday));
            assert!(0 <= h.opens_min && h.opens_min < h.closes_min && h.closes_min <= 1440);
        }
        for l in &d.locations {
            assert!((30_000_000..30_500_000).contains(&l.lat_e6), "{}", l.code);
            assert!((119_900_000..120_500_000).contains(&l.lng_e6), "{}", l.code);
            assert_eq!(l.bays == 0, l.kind == "warehouse");
        }
        let mut stock_keys = HashSet::new();
        let mut empty_store_shelves = 0;
        for s in &d.stock {
            assert!(stock_keys.insert((s.location_id, s.part_id)));
            assert!(0 <= s.reserved_milli && s.reserved_milli <= s.on_hand_milli);
            assert!(s.safety_milli > 0);
            if s.on_hand_milli == 0 {
                empty_store_shelves += 1;
            }
        }
        assert!(empty_store_shelves > 0);
    }

    #[test]
    fn every_store_can_do_every_service_category() {
        let d = demo_data();
        for store in d.locations.iter().filter(|l| l.kind == "store") {
            let here: Vec<&Staff> = d
                .staff
                .iter()
                .filter(|s| s.location_id == Some(store.id))
                .collect();
            assert_eq!(here.iter().filter(|s| s.role == "store_manager").count(), 1);
            let advisors = here.iter().filter(|s| s.role == "service_advisor").count();
            assert!((1..=2).contains(&advisors));
            let techs: Vec<&&Staff> = here.iter().filter(|s| s.role == "technician").collect();
            assert!((2..=4).contains(&techs.len()));
            for category in domain::ServiceCategory::ALL.map(domain::ServiceCategory::code) {
                assert!(
                    techs
                        .iter()
                        .any(|t| t.skills.split(',').any(|k| k == category)),
                    "{} lacks {category}",
                    store.code
                );
            }
        }
        let hq: Vec<&str> = d
            .staff
            .iter()
            .filter(|s| s.location_id.is_none())
            .map(|s| s.role)
            .collect();
        assert!(hq.contains(&"hq_admin") && hq.contains(&"hq_supply"));
        assert!(hq.iter().all(|r| r.starts_with("hq_")));
        assert!(d.staff.iter().any(|s| s.role == "warehouse"));
    }

    #[test]
    fn history_is_consistent() {
        let d = demo_data();
        let customers: HashMap<Uuid, &Customer> = d.customers.iter().map(|c| (c.id, c)).collect();
        let vehicles: HashMap<Uuid, &Vehicle> = d.vehicles.iter().map(|v| (v.id, v)).collect();
        let stores: HashSet<Uuid> = d
            .locations
            .iter()
            .filter(|l| l.kind == "store")
            .map(|l| l.id)
            .collect();
        let staff: HashMap<Uuid, &Staff> = d.staff.iter().map(|s| (s.id, s)).collect();
        let prices: HashMap<(&str, Uuid), i64> = d
            .price_list
            .prices
            .iter()
            .map(|p| ((p.item_kind, p.item_id), p.price_fen))
            .collect();
        let mut lines: HashMap<Uuid, Vec<&OrderLine>> = HashMap::new();
        for l in &d.order_lines {
            lines.entry(l.order_id).or_default().push(l);
        }
        assert_eq!(lines.len(), d.orders.len(), "an order without lines");

        let references: HashSet<&str> = d.orders.iter().map(|o| o.reference.as_str()).collect();
        assert_eq!(references.len(), d.orders.len());
        let mut per_vehicle: HashMap<Uuid, Vec<&Order>> = HashMap::new();
        for o in &d.orders {
            let r = &o.reference;
            assert!(r.len() == 14 && (r.starts_with("PL-2025-") || r.starts_with("PL-2026-")));
            let vehicle = vehicles[&o.vehicle_id];
            assert_eq!(vehicle.customer_id, o.customer_id);
            assert!(customers.contains_key(&o.customer_id));
            assert!(stores.contains(&o.store_id));
            let tech = o.technician_id.map(|t| staff[&t]);
            assert!(
                tech.is_some_and(|t| t.role == "technician" && t.location_id == Some(o.store_id))
            );
            assert_eq!((o.status, o.price_list_version), ("handed_over", 1));
            assert!(o.channel == "online" || o.channel == "walk_in");
            let completed = o.completed_at.unwrap_or(BASE);
            assert!(vehicle.created_at <= o.created_at && o.created_at < completed);
            assert!(completed < BASE && o.created_at >= BASE - Duration::days(366 + 3));
            assert!(o.created_at >= d.price_list.effective_from);
            assert!(o.mileage_km <= vehicle.mileage_km);

            let order_lines = &lines[&o.id];
            let numbers: Vec<i64> = order_lines.iter().map(|l| l.line_no).collect();
            assert_eq!(numbers, (1..=order_lines.len() as i64).collect::<Vec<_>>());
            assert_eq!(order_lines[0].item_kind, "service");
            for l in order_lines {
                assert!(l.quantity_milli > 0);
                assert_eq!(prices[&(l.item_kind, l.item_id)], l.unit_price_fen);
                assert_eq!(
                    l.total_fen,
                    (l.unit_price_fen * l.quantity_milli + 500) / 1000
                );
            }
            let sum: i64 = order_lines.iter().map(|l| l.total_fen).sum();
            assert_eq!(o.total_fen, sum, "{}", o.reference);
            per_vehicle.entry(o.vehicle_id).or_default().push(o);
        }
        assert_eq!(per_vehicle.len(), d.vehicles.len());
        for orders in per_vehicle.values() {
            assert!((2..=6).contains(&orders.len()));
            for pair in orders.windows(2) {
                assert!(pair[0].completed_at < Some(pair[1].created_at));
                assert!(pair[0].mileage_km < pair[1].mileage_km);
            }
        }
        let channels: BTreeSet<&str> = d.orders.iter().map(|o| o.channel).collect();
        assert_eq!(channels.len(), 2);
    }

    #[test]
    fn every_visit_scheduled_its_follow_ups_and_one_reminder_per_kind_is_open() {
        let d = demo_data();
        let mut per_order: HashMap<Uuid, Vec<&FollowUp>> = HashMap::new();
        for f in &d.followups {
            per_order.entry(f.order_id).or_default().push(f);
        }
        // Every visit called the customer after; most fitted something to remind of.
        assert_eq!(per_order.len(), d.orders.len());
        for list in per_order.values() {
            assert_eq!(list.iter().filter(|f| f.kind == "satisfaction").count(), 1);
        }
        let reminders = d
            .followups
            .iter()
            .filter(|f| f.kind != "satisfaction")
            .count();
        assert!(reminders * 2 > d.orders.len(), "{reminders} reminders");
        // Never two open reminders of one kind for one car; closed ones say when.
        let mut open = HashSet::new();
        for f in &d.followups {
            assert!(f.opens_on <= f.due_on && f.due_on <= f.closes_on, "{f:?}");
            assert_eq!(f.status == "open", f.closed_at.is_none(), "{f:?}");
            assert_eq!(f.status == "done", f.outcome.is_some(), "{f:?}");
            if f.status == "open" && f.kind != "satisfaction" {
                assert!(open.insert((f.vehicle_id, f.kind)), "{f:?}");
            }
        }
        // At BASE the stores have reminders still to make, and a record of earlier calls.
        let base = BASE.date().to_string();
        assert!(d
            .followups
            .iter()
            .any(|f| f.status == "open" && f.closes_on >= base));
        for status in ["done", "missed", "superseded", "unreachable"] {
            assert!(d.followups.iter().any(|f| f.status == status), "{status}");
        }
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(line_total(9800, 4500), 44100);
        assert_eq!(line_total(3, 500), 2);
        assert_eq!(line_total(1, 499), 0);
    }

    #[test]
    fn times_are_whole_seconds_in_utc() {
        // SQLite stores these as text; whole seconds keep the encoding one
        // fixed width so text order equals time order.
        let d = demo_data();
        let times = d
            .customers
            .iter()
            .map(|c| c.created_at)
            .chain(d.vehicles.iter().map(|v| v.created_at))
            .chain(
                d.orders
                    .iter()
                    .flat_map(|o| [Some(o.created_at), o.completed_at])
                    .flatten(),
            )
            .chain([d.price_list.effective_from, d.price_list.published_at]);
        for t in times {
            assert_eq!(t.offset(), time::UtcOffset::UTC);
            assert_eq!(t.nanosecond(), 0);
        }
    }
}
