//! The storage suite: every test runs on SQLite and on PostgreSQL (see `both_backends!`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use app::live::LiveEvent;
use app::storage::StorageError;
use common::{Arg, TestDb};
use domain::{Money, PricedItem};
use server::live::Hub;

both_backends!(
    demo_data_loads_once_and_prices_every_service,
    publish_writes_a_new_version_and_keeps_history,
    publish_refusals_change_nothing,
    concurrent_publishes_each_get_their_own_version,
    publish_is_announced_live_after_commit,
    what_is_kept_in_memory_follows_changes_made_elsewhere,
);

async fn demo_data_loads_once_and_prices_every_service(db: TestDb) {
    let database = db.open(Hub::new(), false).await;
    let demo = server::demo::demo_data();
    assert!(database.seed_demo(&demo).await.expect("first seed"));
    assert!(!database.seed_demo(&demo).await.expect("second seed"));

    let store = database.storages().prices;
    let services = store.services().await.expect("services");
    assert_eq!(services.len(), demo.services.len());
    let list = store.current_price_list().await.expect("price list");
    assert_eq!(list.version, 1);
    assert_eq!(list.len(), demo.price_list.prices.len());
    for s in &services {
        assert!(list
            .price_of(PricedItem::Service(s.id))
            .expect("priced")
            .is_positive());
    }
}

async fn publish_writes_a_new_version_and_keeps_history(db: TestDb) {
    let store = db.open(Hub::new(), true).await.storages().prices;
    let service = store.services().await.expect("services")[0].id;
    let item = PricedItem::Service(service);
    let before = store.current_price_list().await.expect("list");
    let old = before.price_of(item).expect("priced");
    let new = old.checked_add(Money::from_fen(1_050)).expect("add");

    let published = store
        .publish_price(item, new, "test")
        .await
        .expect("publish");
    assert_eq!(published.version, before.version + 1);

    let after = store.current_price_list().await.expect("list");
    assert_eq!(after.version, published.version);
    assert_eq!(after.price_of(item).expect("priced"), new);
    // Every other price is carried over unchanged.
    for (other, price) in before.iter().filter(|(i, _)| *i != item) {
        assert_eq!(after.price_of(other).expect("priced"), price);
    }
    let history = store.price_history(item).await.expect("history");
    let points: Vec<(u32, Money)> = history.iter().map(|p| (p.version, p.price)).collect();
    assert_eq!(points, vec![(2, new), (1, old)]);
}

async fn publish_refusals_change_nothing(db: TestDb) {
    let store = db.open(Hub::new(), true).await.storages().prices;
    let service = store.services().await.expect("services")[0].id;
    let item = PricedItem::Service(service);
    let before = store.current_price_list().await.expect("list");
    let current = before.price_of(item).expect("priced");

    let refusals = [
        (item, current, domain::Error::PriceUnchanged),
        (item, Money::ZERO, domain::Error::PriceNotPositive),
        (item, Money::from_fen(-100), domain::Error::PriceNotPositive),
        (
            PricedItem::Service(domain::ServiceId::new()),
            Money::from_fen(100),
            domain::Error::NotPriced,
        ),
    ];
    for (item, price, expected) in refusals {
        match store.publish_price(item, price, "test").await {
            Err(StorageError::Rule(e)) => assert_eq!(e, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    assert_eq!(store.current_price_list().await.expect("list"), before);
    assert_eq!(store.price_history(item).await.expect("history").len(), 1);
}

async fn concurrent_publishes_each_get_their_own_version(db: TestDb) {
    let store = db.open(Hub::new(), true).await.storages().prices;
    let service = store.services().await.expect("services")[0].id;
    let item = PricedItem::Service(service);
    let base = store
        .current_price_list()
        .await
        .expect("list")
        .price_of(item)
        .expect("priced");

    const N: i64 = 12;
    let tasks: Vec<_> = (1..=N)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let price = Money::from_fen(base.fen() + i * 100);
                store.publish_price(item, price, "race").await
            })
        })
        .collect();
    let mut versions = BTreeSet::new();
    for task in tasks {
        let list = task
            .await
            .expect("join")
            .expect("every publish succeeds in turn");
        versions.insert(list.version);
    }
    // Serialised: versions 2..=N+1, none lost, none duplicated.
    assert_eq!(versions, (2..=(N as u32 + 1)).collect::<BTreeSet<_>>());
    let history = store.price_history(item).await.expect("history");
    assert_eq!(history.len(), N as usize + 1);
    let latest = store.current_price_list().await.expect("list");
    assert_eq!(latest.version, N as u32 + 1);
    assert_eq!(latest.price_of(item).expect("priced"), history[0].price);
}

async fn publish_is_announced_live_after_commit(db: TestDb) {
    let hub = Hub::new();
    let store = db.open(hub.clone(), true).await.storages().prices;
    let mut events = hub.subscribe();
    // With PostgreSQL the hub hears of it through LISTEN, which `connect` set up.

    let service = store.services().await.expect("services")[0].id;
    let item = PricedItem::Service(service);
    let price = Money::from_fen(98_765);
    let list = store
        .publish_price(item, price, "test")
        .await
        .expect("publish");

    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event within 10 s")
        .expect("hub open");
    assert_eq!(
        event,
        LiveEvent::PriceListPublished {
            version: list.version,
            item,
            price
        }
    );

    // A refused publish announces nothing.
    let _ = store.publish_price(item, price, "test").await;
    let quiet = tokio::time::timeout(Duration::from_millis(500), events.recv()).await;
    assert!(quiet.is_err(), "no event for a refused publish");
}

/// Prices, policies and the catalog are kept in memory; a change written straight to the
/// database (another instance, an import) is seen by the next read all the same.
async fn what_is_kept_in_memory_follows_changes_made_elsewhere(db: TestDb) {
    let storages = db.open(Hub::new(), true).await.storages();
    let services = storages.prices.services().await.expect("services");
    let list = storages.prices.current_price_list().await.expect("list");
    let policies = storages
        .policies
        .discount_policies()
        .await
        .expect("policies");
    assert!(!policies.is_empty());
    let item = PricedItem::Service(services[0].id);
    let price = list.price_of(item).expect("priced");

    db.execute(
        "UPDATE prices SET price_fen = price_fen + 100 WHERE item_id = $1",
        &[Arg::Id(services[0].id.as_uuid())],
    )
    .await;
    db.execute(
        "UPDATE services SET name_en = 'Renamed' WHERE id = $1",
        &[Arg::Id(services[0].id.as_uuid())],
    )
    .await;
    db.execute(
        "UPDATE discount_policies SET withdrawn_at = published_at WHERE id = $1",
        &[Arg::Id(policies[0].id.as_uuid())],
    )
    .await;

    let list = storages.prices.current_price_list().await.expect("list");
    assert_eq!(
        list.price_of(item).expect("priced"),
        price.checked_add(Money::from_fen(100)).expect("add")
    );
    let services = storages.prices.services().await.expect("services");
    assert_eq!(services[0].name_en, "Renamed");
    let now_in_force = storages
        .policies
        .discount_policies()
        .await
        .expect("policies");
    assert_eq!(now_in_force.len(), policies.len() - 1);
    assert!(now_in_force.iter().all(|p| p.id != policies[0].id));
}
