use super::*;
use proptest::prelude::*;
use time::macros::{date, datetime};

use crate::geo::GeoPoint;

const TODAY: Date = date!(2026 - 12 - 07); // a Monday

fn site(n: u8, is_warehouse: bool, km_east: i32) -> Site {
    Site {
        id: StoreId::from(uuid::Uuid::from_u128(u128::from(n) + 1)),
        is_warehouse,
        geo: GeoPoint {
            lat_e6: 30_259_000,
            lng_e6: 120_155_000 + km_east * 10_400,
        },
        waves: Waves::CHAIN,
    }
}

fn part(n: u8) -> PartId {
    PartId::from(uuid::Uuid::from_u128(0x1000 + u128::from(n)))
}

fn position(at: &Site, part: PartId, on_hand: u64, reserved: u64, safety: u64) -> Position {
    Position {
        location: at.id,
        part,
        level: StockLevel::new(on_hand, reserved).expect("reserved ≤ on hand"),
        in_transit_milli: 0,
        safety_milli: safety,
        history: History::default(),
        known: Vec::new(),
    }
}

fn input(sites: Vec<Site>, positions: Vec<Position>, sourcing: Vec<Sourcing>) -> PlanInput {
    PlanInput {
        now: datetime!(2026-12-07 01:00 UTC),
        today: TODAY,
        sites,
        sourcing,
        positions,
        policy: Policy::default(),
        schedule: DeliverySchedule::default(),
    }
}

#[test]
fn safety_stock_parses_zero_and_decimals_and_refuses_negatives() {
    assert_eq!(SafetyStock::parse("0").map(SafetyStock::milli), Ok(0));
    assert_eq!(SafetyStock::parse(" 0.00 ").map(SafetyStock::milli), Ok(0));
    assert_eq!(SafetyStock::parse("8").map(SafetyStock::milli), Ok(8000));
    assert_eq!(SafetyStock::parse("4．5").map(SafetyStock::milli), Ok(4500));
    assert_eq!(
        SafetyStock::parse("5000000").map(SafetyStock::milli),
        Ok(5_000_000_000)
    );
    for bad in [
        "-1",
        "",
        "abc",
        "1.2345",
        "0.0001",
        "1e3",
        "--0",
        "1000000001",
    ] {
        assert_eq!(
            SafetyStock::parse(bad),
            Err(Error::SafetyStockInvalid),
            "{bad}"
        );
    }
}

#[test]
fn approved_and_received_quantities_parse_at_the_edge() {
    assert_eq!(parse_approved("12"), Ok(12_000));
    assert_eq!(parse_approved("0"), Err(Error::ProposalQuantityInvalid));
    assert_eq!(parse_approved("-3"), Err(Error::ProposalQuantityInvalid));
    assert_eq!(parse_received("0"), Ok(0));
    assert_eq!(parse_received("2.5"), Ok(2500));
    assert_eq!(parse_received("-1"), Err(Error::QuantityInvalid));
    // A chain-wide order of oil is more than u32 thousandths hold.
    assert_eq!(parse_approved("12000.5"), Ok(12_000_500));
    assert_eq!(parse_received("5000000"), Ok(5_000_000_000));
}

#[test]
fn a_flat_history_smooths_to_its_daily_use() {
    let history = History::new(date!(2026 - 09 - 08), vec![2000; 90]);
    let pattern = Pattern::of(&history);
    assert_eq!(pattern.per_day_milli(), 2000);
    assert_eq!(pattern.over(TODAY, 3), 6000);
}

#[test]
fn the_weekday_pattern_puts_saturdays_use_on_saturdays() {
    // 12 weeks: 1 unit on weekdays, 3 on Saturdays, none on Sundays.
    let first = date!(2026 - 09 - 14); // a Monday
    let daily: Vec<u64> = (0..84)
        .map(|d| match d % 7 {
            5 => 3000,
            6 => 0,
            _ => 1000,
        })
        .collect();
    let pattern = Pattern::of(&History::new(first, daily));
    let saturday = date!(2026 - 12 - 12);
    let sunday = date!(2026 - 12 - 13);
    assert!(
        (pattern.on(saturday) - 3000.0).abs() < 1.0,
        "{}",
        pattern.on(saturday)
    );
    assert!(pattern.on(sunday).abs() < 1.0);
    assert!((pattern.on(TODAY) - 1000.0).abs() < 1.0);
    assert_eq!(pattern.over(TODAY, 7), 8000);
}

#[test]
fn smoothing_follows_a_change_within_weeks() {
    let mut daily = vec![1000u64; 60];
    daily.extend(vec![3000u64; 30]);
    let pattern = Pattern::of(&History::new(date!(2026 - 09 - 08), daily));
    assert!(
        pattern.per_day_milli() > 2900,
        "{}",
        pattern.per_day_milli()
    );
}

#[test]
fn the_forecast_adds_only_the_use_booked_and_due_work_does_not_explain() {
    let pattern = Pattern::of(&History::new(date!(2026 - 09 - 08), vec![1000; 90]));
    let known = [
        KnownDay {
            reserved_milli: 500,
            due_cars: 1,
            due_milli: 1000,
        },
        KnownDay::default(),
        KnownDay {
            reserved_milli: 0,
            due_cars: 2,
            due_milli: 2000,
        },
    ];
    let f = forecast(&pattern, &known, TODAY, 3, &Policy::default());
    assert_eq!(f.recent_milli, 3000);
    assert_eq!(f.reserved_milli, 500);
    assert_eq!(f.due_cars, 3);
    assert_eq!(f.due_milli, 1800); // 3,000 × 60 %
    assert_eq!(f.other_milli, 700);
    assert_eq!(f.total_milli(), 3000);
    // Booked and due work beyond what recent use predicts is all added.
    let busy = [KnownDay {
        reserved_milli: 9000,
        due_cars: 0,
        due_milli: 0,
    }];
    let f = forecast(&pattern, &busy, TODAY, 3, &Policy::default());
    assert_eq!((f.other_milli, f.total_milli()), (0, 9000));
}

#[test]
fn the_safety_suggestion_is_z_sigma_root_lead_in_whole_units() {
    let steady = History::new(date!(2026 - 09 - 08), vec![2000; 30]);
    assert_eq!(suggest_safety(&steady, 4).suggested_milli, 0);
    // σ = 1,000 thousandths: 1.65 × 1,000 × √4 = 3,300 → 4 units.
    let swinging: Vec<u64> = (0..30)
        .map(|d| if d % 2 == 0 { 1000 } else { 3000 })
        .collect();
    let s = suggest_safety(&History::new(date!(2026 - 09 - 08), swinging), 4);
    assert!((s.sigma_milli - 1000.0).abs() < 1e-9);
    assert_eq!(s.suggested_milli, 4000);
}

#[test]
fn status_sorts_out_below_healthy_and_surplus() {
    let policy = Policy::default();
    let level = |on| StockLevel::new(on, 0).expect("level");
    assert_eq!(status(level(0), 4000, 100, &policy), StockStatus::Out);
    assert_eq!(
        status(level(3000), 4000, 100, &policy),
        StockStatus::BelowSafety
    );
    assert_eq!(
        status(level(6000), 4000, 100, &policy),
        StockStatus::Healthy
    );
    assert_eq!(
        status(level(12_000), 4000, 100, &policy),
        StockStatus::Surplus
    );
    assert_eq!(days_of_cover(6000, 1500), Some(4));
    assert_eq!(days_of_cover(6000, 0), None);
}

#[test]
fn a_short_store_draws_on_a_nearby_surplus_then_the_warehouse_then_the_supplier() {
    let short = site(1, false, 0);
    let rich = site(2, false, 3);
    let far = site(3, false, 40);
    let wh = site(9, true, 10);
    let p = part(1);
    let positions = vec![
        // Needs 10 units of safety, has 1.
        position(&short, p, 1000, 0, 10_000),
        // Has 6 beyond its safety of 2.
        position(&rich, p, 8000, 0, 2000),
        // Far away: its surplus is not used.
        position(&far, p, 50_000, 0, 2000),
        // The warehouse can spare 2 above its safety of 5.
        position(&wh, p, 7000, 0, 5000),
    ];
    let sourcing = vec![Sourcing {
        part: p,
        supplier: SupplierId::from(uuid::Uuid::from_u128(77)),
        lead_days: 5,
        min_order_milli: 12_000,
        pack_milli: 6000,
    }];
    let proposal = plan(&input(vec![short, rich, far, wh], positions, sourcing));
    let lines = &proposal.lines;
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0].source.location(), Some(rich.id));
    assert_eq!(lines[0].quantity_milli, 6000);
    assert_eq!(lines[1].source.location(), Some(wh.id));
    assert_eq!(lines[1].quantity_milli, 2000);
    // 1 unit unserved + 2 sent + 5 safety − 7 available: short 1; the minimum is 12 (two packs).
    let order = &lines[2];
    assert!(matches!(order.source, Source::Supplier { .. }));
    assert_eq!(order.to, wh.id);
    assert_eq!(order.quantity_milli, 12_000);
    assert!(order.terms.contains(&Term::Unserved { milli: 1000 }));
    assert!(order.terms.contains(&Term::MinimumOrder { milli: 11_000 }));
    for line in lines {
        assert_eq!(line.explained_milli(), i128::from(line.quantity_milli));
    }
    // The transfer leaves on the next wave: 09:00 local is past the 08:00 cut-off's
    // picking, so the 13:00 van.
    assert_eq!(
        lines[0].eta.to_offset(time::UtcOffset::UTC).hour(),
        5,
        "{}",
        lines[0].eta
    );
}

#[test]
fn each_store_gets_its_parts_on_its_own_routes_next_wave() {
    // 09:00 local: the chain's 13:00 van, but the evening route's only van is at 17:30.
    let early = site(1, false, 0);
    let evening = Site {
        waves: Waves::parse(["17:30"]).expect("a time of day"),
        ..site(2, false, 0)
    };
    let wh = site(9, true, 10);
    let p = part(1);
    let positions = vec![
        position(&early, p, 0, 0, 3000),
        position(&evening, p, 0, 0, 3000),
        position(&wh, p, 50_000, 0, 0),
    ];
    let proposal = plan(&input(vec![early, evening, wh], positions, Vec::new()));
    let eta = |to: StoreId| {
        let line = proposal.lines.iter().find(|l| l.to == to).expect("a line");
        assert_eq!(line.source.location(), Some(wh.id));
        line.eta.to_offset(crate::local_time::CHINA)
    };
    // 10 km at 3 minutes a kilometre plus 20: 50 minutes on the road.
    assert_eq!(eta(early.id), datetime!(2026-12-07 13:50 +8));
    assert_eq!(eta(evening.id), datetime!(2026-12-07 18:20 +8));
}

#[test]
fn the_nightly_run_is_due_from_five_in_the_morning_local_time() {
    // 20:59 UTC is 04:59 the next day in Hangzhou: not yet; 21:00 UTC is 05:00.
    assert_eq!(nightly_day(datetime!(2026-12-06 20:59 UTC)), None);
    assert_eq!(
        nightly_day(datetime!(2026-12-06 21:00 UTC)),
        Some(date!(2026 - 12 - 07))
    );
    // Late in the local evening it is still that day's run.
    assert_eq!(
        nightly_day(datetime!(2026-12-07 15:59 UTC)),
        Some(date!(2026 - 12 - 07))
    );
    assert_eq!(nightly_day(datetime!(2026-12-07 16:00 UTC)), None);
}

#[test]
fn a_proposal_made_within_the_hour_stands_in_for_the_nightly_run() {
    let now = datetime!(2026-12-06 21:00 UTC);
    assert!(nightly_replaces(None, now));
    assert!(nightly_replaces(
        Some(now - time::Duration::minutes(60)),
        now
    ));
    assert!(!nightly_replaces(
        Some(now - time::Duration::minutes(59)),
        now
    ));
    // One made after the run read the network (someone pressed the button meanwhile).
    assert!(!nightly_replaces(
        Some(now + time::Duration::seconds(5)),
        now
    ));
}

#[test]
fn a_run_that_read_the_network_before_the_latest_proposal_does_not_replace_it() {
    let now = datetime!(2026-12-07 04:00 UTC);
    assert!(run_replaces(None, now));
    assert!(run_replaces(Some(now - time::Duration::seconds(1)), now));
    assert!(run_replaces(Some(now), now));
    assert!(!run_replaces(
        Some(now + time::Duration::milliseconds(1)),
        now
    ));
}

#[test]
fn a_store_with_enough_needs_nothing_and_nothing_needs_no_order() {
    let a = site(1, false, 0);
    let wh = site(9, true, 5);
    let p = part(1);
    let positions = vec![
        position(&a, p, 9000, 1000, 4000),
        position(&wh, p, 90_000, 0, 5000),
    ];
    let sourcing = vec![Sourcing {
        part: p,
        supplier: SupplierId::from(uuid::Uuid::from_u128(77)),
        lead_days: 5,
        min_order_milli: 0,
        pack_milli: 1000,
    }];
    assert!(plan(&input(vec![a, wh], positions, sourcing))
        .lines
        .is_empty());
}

#[test]
fn a_part_the_warehouse_never_stocked_is_still_ordered_for_the_stores() {
    let short = site(1, false, 0);
    let wh = site(9, true, 10);
    let p = part(1);
    let sourcing = vec![Sourcing {
        part: p,
        supplier: SupplierId::from(uuid::Uuid::from_u128(77)),
        lead_days: 5,
        min_order_milli: 0,
        pack_milli: 1000,
    }];
    let positions = vec![position(&short, p, 0, 0, 3000)];
    let proposal = plan(&input(vec![short, wh], positions, sourcing));
    let order = proposal
        .lines
        .iter()
        .find(|l| matches!(l.source, Source::Supplier { .. }))
        .expect("an order");
    assert_eq!(order.to, wh.id);
    assert!(order.terms.contains(&Term::Unserved { milli: 3000 }));
    assert_eq!(order.quantity_milli, 3000);
}

#[test]
fn receiving_more_than_sent_is_refused_and_less_is_partial() {
    assert_eq!(receive(5000, 6000), Err(Error::ReceiptTooLarge));
    let partial = receive(5000, 3000).expect("partial");
    assert_eq!(partial.shortfall_milli, 2000);
    assert!(!partial.is_complete());
    assert!(receive(5000, 5000).expect("whole").is_complete());
    assert_eq!(
        TransferStatus::Reserved.dispatch(),
        Ok(TransferStatus::InTransit)
    );
    assert_eq!(
        TransferStatus::InTransit.dispatch(),
        Err(Error::StepOutOfOrder)
    );
    for s in TransferStatus::ALL {
        assert_eq!(TransferStatus::parse(s.code()), Some(s));
    }
}

#[test]
fn holds_keep_their_part_in_turn_while_the_receipt_covers_them() {
    assert_eq!(settle_holds(5000, &[2000, 2000, 2000]), 2);
    assert_eq!(settle_holds(6000, &[2000, 2000, 2000]), 3);
    // Later bookings do not jump a queue the first one could not fit in.
    assert_eq!(settle_holds(3000, &[4000, 1000]), 0);
    assert_eq!(settle_holds(0, &[]), 0);
}

fn arb_input() -> impl Strategy<Value = PlanInput> {
    let stores = 1usize..6;
    let parts = 1usize..4;
    (stores, parts, any::<u64>()).prop_flat_map(|(stores, parts, _)| {
        let sites = proptest::collection::vec(-30i32..30, stores).prop_map(|kms| {
            let mut sites: Vec<Site> = kms
                .into_iter()
                .enumerate()
                .map(|(i, km)| site(u8::try_from(i).unwrap_or(0), false, km))
                .collect();
            sites.push(site(99, true, 0));
            sites
        });
        let n = (stores + 1) * parts;
        let positions = proptest::collection::vec(
            (
                0u64..40,
                0u64..40,
                0u64..8_000,
                0u64..12,
                proptest::collection::vec(0u64..4_000, 0..30),
                proptest::collection::vec((0u64..3_000, 0u32..3, 0u64..6_000), 0..5),
            ),
            n,
        );
        let sourcing = proptest::collection::vec((1u16..10, 0u64..30, 1u64..12), parts);
        (sites, positions, sourcing).prop_map(move |(sites, raw, src)| {
            let mut positions = Vec::new();
            for (i, (on, res, transit, safety, hist, known)) in raw.into_iter().enumerate() {
                let at = sites[i % sites.len()];
                let p = part(u8::try_from(i / sites.len()).unwrap_or(0));
                let on_hand = on * 500;
                let mut pos = position(&at, p, on_hand, (res * 500).min(on_hand), safety * 1000);
                pos.in_transit_milli = transit;
                pos.history = History::new(date!(2026 - 11 - 07), hist);
                pos.known = known
                    .into_iter()
                    .map(|(r, c, d)| KnownDay {
                        reserved_milli: r,
                        due_cars: c,
                        due_milli: d,
                    })
                    .collect();
                positions.push(pos);
            }
            let sourcing = src
                .into_iter()
                .enumerate()
                .map(|(i, (lead, moq, pack))| Sourcing {
                    part: part(u8::try_from(i).unwrap_or(0)),
                    supplier: SupplierId::from(uuid::Uuid::from_u128(500 + (i as u128 % 2))),
                    lead_days: lead,
                    min_order_milli: moq * 1000,
                    pack_milli: pack * 1000,
                })
                .collect();
            input(sites, positions, sourcing)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The nightly run is a run: it never replaces a proposal that read the network
    /// after it did.
    #[test]
    fn the_nightly_run_replaces_only_what_any_run_would(
        latest in proptest::option::of(-7_200i64..7_200),
        now in -7_200i64..7_200,
    ) {
        let base = datetime!(2026-12-07 04:00 UTC);
        let latest = latest.map(|s| base + time::Duration::seconds(s));
        let now = base + time::Duration::seconds(now);
        prop_assert!(!nightly_replaces(latest, now) || run_replaces(latest, now));
    }

    #[test]
    fn a_forecast_is_the_larger_of_recent_use_and_known_demand(
        history in proptest::collection::vec(0u64..5_000, 0..60),
        known in proptest::collection::vec((0u64..3_000, 0u32..3, 0u64..6_000), 0..10),
        days in 1u16..14,
    ) {
        let pattern = Pattern::of(&History::new(date!(2026 - 10 - 01), history));
        let known: Vec<KnownDay> = known.into_iter().map(|(r, c, d)| KnownDay {
            reserved_milli: r, due_cars: c, due_milli: d,
        }).collect();
        let policy = Policy::default();
        let f = forecast(&pattern, &known, TODAY, days, &policy);
        let by_day = forecast_by_day(&pattern, &known, TODAY, days, &policy);
        prop_assert_eq!(by_day.len(), usize::from(days));
        prop_assert_eq!(f.recent_milli, by_day.iter().map(|d| d.recent_milli).sum::<u64>());
        prop_assert_eq!(f.due_milli, by_day.iter().map(|d| d.due_milli).sum::<u64>());
        prop_assert_eq!(f.total_milli(), f.recent_milli.max(f.reserved_milli + f.due_milli));
    }

    #[test]
    fn kept_holds_never_exceed_what_is_free(
        free in 0u64..20_000,
        holds in proptest::collection::vec(1u64..5_000, 0..8),
    ) {
        let kept = settle_holds(free, &holds);
        prop_assert!(holds.iter().take(kept).sum::<u64>() <= free);
        if kept < holds.len() {
            prop_assert!(holds.iter().take(kept + 1).sum::<u64>() > free);
        }
    }

    #[test]
    fn no_location_gives_below_its_safety_stock(input in arb_input()) {
        let proposal = plan(&input);
        let mut given: BTreeMap<(StoreId, PartId), u64> = BTreeMap::new();
        for line in &proposal.lines {
            if let Some(from) = line.source.location() {
                *given.entry((from, line.part)).or_default() += line.quantity_milli;
            }
        }
        for ((at, p), out) in given {
            let pos = input.positions.iter().find(|q| q.location == at && q.part == p)
                .expect("a source has a position");
            let available = pos.level.available_milli();
            prop_assert!(out <= available, "gives {out} of {available}");
            prop_assert!(available - out >= pos.safety_milli,
                "leaves {} under safety {}", available - out, pos.safety_milli);
        }
    }

    #[test]
    fn every_line_explains_its_quantity(input in arb_input()) {
        for line in plan(&input).lines {
            prop_assert!(line.quantity_milli > 0);
            prop_assert_eq!(line.explained_milli(), i128::from(line.quantity_milli), "{:?}", line);
            if !matches!(line.source, Source::Supplier { .. }) {
                prop_assert_eq!(line.quantity_milli % UNIT, 0);
            }
        }
    }

    #[test]
    fn the_same_positions_in_any_order_give_the_same_proposal(
        input in arb_input(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = input.clone();
        let mut state = seed | 1;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for i in (1..shuffled.positions.len()).rev() {
            let j = next(i + 1);
            shuffled.positions.swap(i, j);
        }
        shuffled.sites.reverse();
        shuffled.sourcing.reverse();
        prop_assert_eq!(plan(&input), plan(&shuffled));
    }

    #[test]
    fn a_run_split_by_part_and_joined_is_the_whole_run(input in arb_input(), n in 1usize..5) {
        let whole = plan(&input);
        let pieces = input.split(n);
        prop_assert!(!pieces.is_empty() && pieces.len() <= n);
        let joined = Proposal::join(pieces.iter().map(plan_partial));
        prop_assert_eq!(joined, whole);
    }

    #[test]
    fn supplier_orders_are_whole_packs_at_least_the_minimum(input in arb_input()) {
        for line in plan(&input).lines {
            if let Source::Supplier { .. } = line.source {
                let src = input.sourcing.iter().find(|s| s.part == line.part).expect("sourced");
                prop_assert_eq!(line.quantity_milli % src.pack_milli, 0);
                prop_assert!(line.quantity_milli >= src.min_order_milli);
            }
        }
    }

    #[test]
    fn a_store_short_of_a_part_never_gives_it(input in arb_input()) {
        let proposal = plan(&input);
        for line in &proposal.lines {
            if let Some(from) = line.source.location() {
                prop_assert!(!proposal.lines.iter().any(|l| l.to == from && l.part == line.part
                    && l.source.location().is_some()));
            }
        }
    }
}
