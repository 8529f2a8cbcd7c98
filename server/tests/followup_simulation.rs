//! A year of follow-ups, day by day, on SQLite and PostgreSQL: a few hundred cars come
//! in at their own pace (checked in with their odometer, handed over with what was
//! fitted), every store works part of its queue each morning, and the job marks what
//! passed. Each day each store's queue is what an independent model built from
//! `domain::followup` expects; at the end every follow-up planned exists exactly once,
//! in the status the model says, and every missed one is marked.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use app::workorders::Advance;
use common::{advisor_at, bulk_customers_with_cars, stores, Arg, TestDb};
use domain::followup::{
    Consumable, FollowUpKind, Handover, KmPerDay, OilGrade, Outcome, Planned, Section, Status,
};
use domain::local_time::{at_local_minute, local_date};
use domain::odometer::Reading;
use domain::order::Step;
use domain::{Mileage, OrderId, StaffId, StoreId};
use server::live::Hub;
use time::macros::date;
use time::{Date, Duration};
use uuid::Uuid;

both_backends!(a_year_of_visits_gives_the_expected_queue_every_day);

/// How many cars, and how many days.
const CARS: usize = 240;
const DAYS: i64 = 365;
const FIRST_DAY: Date = date!(2027 - 01 - 04);

/// splitmix64, so the year is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One car of the simulation.
struct Car {
    vehicle: Uuid,
    store: StoreId,
    km_per_day: u32,
    start_km: u32,
    next_visit: i64,
    readings: Vec<Reading>,
}

/// A follow-up as the model knows it.
#[derive(Clone, Debug)]
struct Modelled {
    store: StoreId,
    vehicle: Uuid,
    reference: String,
    planned: Planned,
    status: Status,
    attempts: u8,
}

/// The model's queue of a store on a day: what `FollowUpStorage::queue` must list.
fn expected_queue(
    model: &[Modelled],
    store: StoreId,
    today: Date,
) -> BTreeSet<(String, FollowUpKind, Section, Date)> {
    model
        .iter()
        .filter(|m| m.store == store && m.status == Status::Open)
        .filter_map(|m| {
            let section = domain::followup::section(m.planned.due, m.planned.window, today)?;
            Some((m.reference.clone(), m.planned.kind, section, m.planned.due))
        })
        .collect()
}

/// What the store does with an item this morning, the same for the model and the
/// store: most calls reach the customer, some do not, some are left for later.
fn decide(reference: &str, kind: FollowUpKind, day: Date) -> Option<Outcome> {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in reference
        .bytes()
        .chain(kind.code().bytes())
        .chain(day.to_string().bytes())
    {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    match h % 10 {
        0..=3 => Some(Outcome::Reached),
        4 => Some(Outcome::Satisfied {
            rating: domain::followup::Rating::try_from(5).expect("rating"),
            comment: None,
        }),
        5 | 6 => Some(Outcome::NotReached),
        _ => None,
    }
}

async fn a_year_of_visits_gives_the_expected_queue_every_day(db: TestDb) {
    let database = db.open(Hub::new(), true).await;
    let storages = database.storages();
    let all_stores: Vec<StoreId> = stores(&db).await.into_iter().map(|(id, ..)| id).collect();
    let mut staff: BTreeMap<StoreId, StaffId> = BTreeMap::new();
    for s in &all_stores {
        staff.insert(*s, advisor_at(&db, *s).await);
    }
    // The demo's own follow-ups are history by then: out of the way.
    db.execute(
        "UPDATE followups SET status = 'superseded', closed_at = created_at WHERE status = 'open'",
        &[],
    )
    .await;
    let oil_change: Vec<(Uuid,)> = db
        .rows("SELECT id FROM services WHERE code = 'OIL_CHANGE'", &[])
        .await;
    let oil_change = oil_change[0].0;
    // The parts that fit the bulk customers' Corollas, by category.
    let fitting: Vec<(String, Uuid, Option<String>)> = db
        .rows(
            "SELECT c.code, f.part_id, p.oil_grade FROM fitments f
             JOIN vehicle_models m ON m.id = f.model_id
             JOIN part_categories c ON c.id = f.category_id
             JOIN parts p ON p.id = f.part_id
             WHERE m.code = 'TOY-COROLLA'",
            &[],
        )
        .await;
    let part_of = |code: &str| {
        fitting
            .iter()
            .find(|(c, ..)| c == code)
            .map(|(_, id, grade)| (*id, grade.clone()))
            .expect("a fitting part")
    };

    let mut rng = Rng(0x5EED_F011_0000_0012);
    let people = bulk_customers_with_cars(&db, CARS).await;
    let mut cars: Vec<Car> = people
        .iter()
        .enumerate()
        .map(|(i, (_, vehicle))| Car {
            vehicle: Uuid::parse_str(vehicle).expect("vehicle"),
            store: all_stores[i % all_stores.len()],
            km_per_day: 10 + u32::try_from(rng.below(110)).expect("small"),
            start_km: 5_000 + u32::try_from(rng.below(60_000)).expect("small"),
            next_visit: i64::try_from(rng.below(90)).expect("small"),
            readings: Vec::new(),
        })
        .collect();
    let mut model: Vec<Modelled> = Vec::new();
    let mut visits = 0;

    for d in 0..DAYS {
        let today = FIRST_DAY + Duration::days(d);
        let morning = at_local_minute(today, 9 * 60);
        // The job, first thing.
        storages.followups.mark_missed(morning).await.expect("job");
        for m in model.iter_mut() {
            if domain::followup::is_missed(m.status, m.planned.window, today) {
                m.status = Status::Missed;
            }
        }
        // Each store's queue is the model's; the store works through it.
        for store in &all_stores {
            let queue = storages
                .followups
                .queue(*store, morning)
                .await
                .expect("queue");
            let got: BTreeSet<_> = queue
                .items
                .iter()
                .map(|i| {
                    (
                        i.order_reference.clone(),
                        i.kind,
                        i.section.expect("in the queue"),
                        i.due,
                    )
                })
                .collect();
            assert_eq!(got.len(), queue.items.len(), "no item twice, day {today}");
            assert_eq!(
                got,
                expected_queue(&model, *store, today),
                "store {store}, day {today}"
            );
            let keys: Vec<_> = queue
                .items
                .iter()
                .map(|i| {
                    domain::followup::queue_key(i.section.expect("section"), i.priority, i.due)
                })
                .collect();
            assert!(
                keys.windows(2).all(|w| w[0] <= w[1]),
                "in queue order, day {today}"
            );
            for item in queue
                .items
                .iter()
                .filter(|i| i.section != Some(Section::Upcoming))
            {
                let Some(outcome) = decide(&item.order_reference, item.kind, today) else {
                    continue;
                };
                let m = model
                    .iter_mut()
                    .find(|m| m.reference == item.order_reference && m.planned.kind == item.kind)
                    .expect("modelled");
                let recorded = domain::followup::record(
                    m.status,
                    m.attempts,
                    m.planned.window,
                    &outcome,
                    morning,
                )
                .expect("the model records it");
                let stored = storages
                    .followups
                    .record(*store, staff[store], item.id, &outcome, morning)
                    .await
                    .expect("recorded");
                (m.status, m.attempts) = (recorded.status, recorded.attempts);
                assert_eq!((stored.status, stored.attempts), (m.status, m.attempts));
            }
        }
        // The cars due today come in at ten: checked in, then handed over at four.
        for car in cars.iter_mut().filter(|c| c.next_visit == d) {
            visits += 1;
            let km = car.start_km + car.km_per_day * u32::try_from(d).expect("day");
            let arrived = at_local_minute(today, 10 * 60);
            let order = OrderId::new();
            let reference = domain::booking::reference(order);
            db.execute(
                "INSERT INTO orders (id, reference, customer_id, vehicle_id, store_id, channel, status,
                    price_list_version, total_fen, mileage_km, created_at, scheduled_start, scheduled_end)
                 SELECT $1, $2, customer_id, id, $3, 'walk_in', 'booked', 1, 0, 0, $4, $4, $5
                 FROM vehicles WHERE id = $6",
                &[
                    Arg::Id(order.as_uuid()),
                    Arg::Text(reference.clone()),
                    Arg::Id(car.store.as_uuid()),
                    Arg::Time(arrived),
                    Arg::Time(arrived + Duration::hours(1)),
                    Arg::Id(car.vehicle),
                ],
            )
            .await;
            db.execute(
                "INSERT INTO order_lines (order_id, line_no, item_kind, item_id, quantity_milli, unit_price_fen, total_fen)
                 VALUES ($1, 1, 'service', $2, 1000, 0, 0)",
                &[Arg::Id(order.as_uuid()), Arg::Id(oil_change)],
            )
            .await;
            // Oil and its filter every time; now and then more.
            let mut fitted_codes = vec!["ENGINE_OIL", "OIL_FILTER"];
            for (code, one_in) in [
                ("CABIN_FILTER", 3),
                ("WIPER", 4),
                ("BRAKE_PADS_FRONT", 6),
                ("TYRE", 8),
                ("AIR_FILTER", 5),
            ] {
                if rng.below(one_in) == 0 {
                    fitted_codes.push(code);
                }
            }
            let mut fitted = Vec::new();
            for code in &fitted_codes {
                let (part, grade) = part_of(code);
                db.execute(
                    "INSERT INTO reservations (order_id, part_id, location_id, quantity_milli) VALUES ($1, $2, $3, 1000)",
                    &[Arg::Id(order.as_uuid()), Arg::Id(part), Arg::Id(car.store.as_uuid())],
                )
                .await;
                fitted.extend(Consumable::of_category(
                    code,
                    grade.as_deref().and_then(OilGrade::parse),
                ));
            }
            let by = staff[&car.store];
            storages
                .workorders
                .advance(
                    car.store,
                    order,
                    &Advance::CheckIn {
                        mileage: Mileage::from_km(km).expect("km"),
                        concerns: None,
                    },
                    by,
                    arrived,
                )
                .await
                .expect("checked in");
            // The model: the reading moves the car's open reminders.
            car.readings.push(Reading { km, at: arrived });
            let per_day = KmPerDay::from_observed(domain::odometer::km_per_day(&car.readings));
            for m in model
                .iter_mut()
                .filter(|m| m.vehicle == car.vehicle && m.status == Status::Open)
            {
                if let Some(moved) = domain::followup::reproject(&m.planned, per_day, today) {
                    m.planned = moved;
                }
            }
            db.execute(
                "UPDATE orders SET status = 'ready' WHERE id = $1",
                &[Arg::Id(order.as_uuid())],
            )
            .await;
            let done = at_local_minute(today, 16 * 60);
            storages
                .workorders
                .advance(car.store, order, &Advance::Step(Step::HandOver), by, done)
                .await
                .expect("handed over");
            let planned = domain::followup::schedule(&Handover {
                on: local_date(done),
                km,
                km_per_day: per_day,
                satisfaction_days: domain::followup::DEFAULT_SATISFACTION_DAYS,
                fitted,
            });
            for p in &planned {
                if p.basis.is_some() {
                    for m in model.iter_mut().filter(|m| {
                        m.vehicle == car.vehicle
                            && m.planned.kind == p.kind
                            && m.status == Status::Open
                    }) {
                        m.status = Status::Superseded;
                    }
                }
                model.push(Modelled {
                    store: car.store,
                    vehicle: car.vehicle,
                    reference: reference.clone(),
                    planned: *p,
                    status: Status::Open,
                    attempts: 0,
                });
            }
            car.next_visit = d + 60 + i64::try_from(rng.below(150)).expect("small");
        }
    }

    // Every follow-up the model planned is stored once, in the model's status.
    let stored: Vec<(String, String, String, i64, String)> = db
        .rows(
            "SELECT o.reference, f.kind, f.status, f.attempts, f.due_on FROM followups f
             JOIN orders o ON o.id = f.order_id JOIN vehicles v ON v.id = f.vehicle_id
             WHERE v.plate LIKE '苏L%'",
            &[],
        )
        .await;
    assert_eq!(stored.len(), model.len(), "none lost, none made twice");
    let stored: BTreeMap<(String, String), (String, i64, String)> = stored
        .into_iter()
        .map(|(r, k, s, a, due)| ((r, k), (s, a, due)))
        .collect();
    assert_eq!(stored.len(), model.len());
    for m in &model {
        let (status, attempts, due) =
            &stored[&(m.reference.clone(), m.planned.kind.code().to_owned())];
        assert_eq!(
            (status.as_str(), *attempts, due.clone()),
            (
                m.status.code(),
                i64::from(m.attempts),
                m.planned.due.to_string()
            ),
            "{m:?}"
        );
    }
    let missed = model.iter().filter(|m| m.status == Status::Missed).count();
    let done = model.iter().filter(|m| m.status == Status::Done).count();
    assert!(visits > CARS, "{visits} visits");
    assert!(missed > 0 && done > 0, "{missed} missed, {done} done");
    // Nothing whose window has passed is left open.
    let last = FIRST_DAY + Duration::days(DAYS - 1);
    assert!(model
        .iter()
        .all(|m| m.status != Status::Open || m.planned.window.closes >= last));
}
