//! Data that changes rarely but every booking reads (the price list, the discount
//! policies, the catalog with its fitment, the network's locations and hours), kept in
//! memory by each server instance.
//!
//! Each group has a revision in the `revisions` table that a database trigger bumps in
//! the same transaction as any change to its tables, whoever makes it (this instance,
//! another one, an import). A reader asks for the revisions first (one query) and uses
//! what it holds only if it was loaded at the current revision; otherwise it loads
//! again. So a cached value is never older than the database as of that query, on any
//! instance.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use app::booking::PartNeed;
use app::pricing::Service;
use domain::catalog::VehicleModel;
use domain::discount::DiscountPolicy;
use domain::network::Location;
use domain::{ModelId, PriceList, ServiceId};
use time::OffsetDateTime;

/// The revision of each group, as one query read them, and the database's clock then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revisions {
    pub prices: i64,
    pub policies: i64,
    pub catalog: i64,
    pub network: i64,
    pub now: OffsetDateTime,
}

/// One value and the revision it was loaded at.
pub struct Slot<T>(RwLock<Option<(i64, Arc<T>)>>);

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot(RwLock::new(None))
    }
}

impl<T> Slot<T> {
    /// The value, if it was loaded at `rev`.
    pub fn get(&self, rev: i64) -> Option<Arc<T>> {
        let held = self.0.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|(at, _)| *at == rev)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` as loaded at `rev` and hands it back.
    pub fn put(&self, rev: i64, value: T) -> Arc<T> {
        let value = Arc::new(value);
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some((rev, value.clone()));
        value
    }
}

/// Values by key, all loaded at one revision (a newer revision drops them all).
pub struct Keyed<K, T>(RwLock<(i64, HashMap<K, Arc<T>>)>);

impl<K, T> Default for Keyed<K, T> {
    fn default() -> Self {
        Keyed(RwLock::new((i64::MIN, HashMap::new())))
    }
}

impl<K: Eq + Hash, T> Keyed<K, T> {
    pub fn get(&self, rev: i64, key: &K) -> Option<Arc<T>> {
        let held = self.0.read().unwrap_or_else(|e| e.into_inner());
        (held.0 == rev).then(|| held.1.get(key).cloned()).flatten()
    }

    pub fn put(&self, rev: i64, key: K, value: T) -> Arc<T> {
        let value = Arc::new(value);
        let mut held = self.0.write().unwrap_or_else(|e| e.into_inner());
        if held.0 != rev {
            *held = (rev, HashMap::new());
        }
        held.1.insert(key, value.clone());
        value
    }
}

/// The price list in force and when the next version takes over, if one is waiting.
pub struct InForce {
    pub list: PriceList,
    pub until: Option<OffsetDateTime>,
}

/// A service's parts on one model through fitment, or why it cannot be done on it.
pub type Fitted = Vec<(ServiceId, Result<Vec<PartNeed>, domain::Error>)>;

/// What an instance keeps in memory.
#[derive(Default)]
pub struct Cache {
    pub prices: Slot<InForce>,
    pub policies: Slot<Vec<DiscountPolicy>>,
    pub services: Slot<Vec<Service>>,
    pub models: Slot<Vec<VehicleModel>>,
    pub fitted: Keyed<ModelId, Fitted>,
    pub locations: Slot<Vec<Location>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_serves_only_its_own_revision() {
        let slot = Slot::default();
        assert!(slot.get(1).is_none());
        slot.put(1, "one");
        assert_eq!(slot.get(1).as_deref(), Some(&"one"));
        assert!(slot.get(2).is_none());
        slot.put(2, "two");
        assert!(slot.get(1).is_none());

        let keyed = Keyed::default();
        keyed.put(1, 'a', 10);
        keyed.put(1, 'b', 20);
        assert_eq!(keyed.get(1, &'b').as_deref(), Some(&20));
        keyed.put(2, 'a', 11);
        assert!(
            keyed.get(2, &'b').is_none(),
            "a new revision drops every key"
        );
        assert_eq!(keyed.get(2, &'a').as_deref(), Some(&11));
    }
}
