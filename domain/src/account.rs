//! Who is acting, and what people type when they sign up or describe their car.
//!
//! Customers and staff sign in the same way (a mobile number and a password); what they
//! may do follows from their [`Role`]. Staff roles are scoped: HQ roles see the whole
//! chain, store roles one store. The rules for "who may do what" live here, as plain
//! functions, so that the server checks exactly what the UI hides.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{CustomerId, DeviceId, Error, Phone, StaffId, StoreId};

/// A password as typed at sign-up, checked against the rules below. It is never
/// serialised and its `Debug` hides it, so it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Fewer characters are too easy to guess, even with rate limiting.
    pub const MIN_CHARS: usize = 8;
    /// A bound on what the server will hash (argon2 cost grows with input).
    pub const MAX_CHARS: usize = 128;

    /// A new password for `phone`'s account: at least [`Self::MIN_CHARS`] characters, at
    /// most [`Self::MAX_CHARS`], with at least two kinds of character (letters, digits,
    /// others), and not containing the phone number itself.
    ///
    /// Surrounding spaces are kept: a password is exactly what was typed.
    pub fn parse_new(input: &str, phone: &Phone) -> Result<Password, Error> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(Error::PasswordTooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(Error::PasswordTooLong);
        }
        let letters = input.chars().any(char::is_alphabetic);
        let digits = input.chars().any(|c| c.is_ascii_digit());
        let others = input
            .chars()
            .any(|c| !c.is_alphabetic() && !c.is_ascii_digit());
        let kinds = [letters, digits, others].into_iter().filter(|k| *k).count();
        if kinds < 2 || input.contains(phone.as_str()) {
            return Err(Error::PasswordTooSimple);
        }
        Ok(Password(input.to_owned()))
    }

    /// A password typed at sign-in: only the length bound applies (the stored hash
    /// decides whether it is right), so an over-long input is never hashed.
    pub fn parse_attempt(input: &str) -> Result<Password, Error> {
        if input.is_empty() {
            return Err(Error::PasswordTooShort);
        }
        if input.chars().count() > Self::MAX_CHARS {
            return Err(Error::PasswordTooLong);
        }
        Ok(Password(input.to_owned()))
    }

    /// The password, for hashing or verifying; nothing else should read it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A person's name as they want to be addressed: 1 to 40 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// The longest name accepted.
    pub const MAX_CHARS: usize = 40;

    /// Trims and checks the length; inner whitespace runs become one space.
    pub fn parse(input: &str) -> Result<PersonName, Error> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(Error::NameInvalid);
        }
        Ok(PersonName(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PersonName::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

/// An odometer reading in whole kilometres.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Mileage(u32);

impl Mileage {
    /// No car in service has driven further; more is a typo.
    pub const MAX_KM: u32 = 2_000_000;

    /// A reading from a number of kilometres.
    pub fn from_km(km: u32) -> Result<Mileage, Error> {
        if km > Self::MAX_KM {
            Err(Error::MileageInvalid)
        } else {
            Ok(Mileage(km))
        }
    }

    /// Parses what people type: `12345`, `12,345`, ` 12345 km`, `12345公里`.
    pub fn parse(input: &str) -> Result<Mileage, Error> {
        let s = input.trim();
        let s = s
            .strip_suffix("公里")
            .or_else(|| s.strip_suffix("km"))
            .or_else(|| s.strip_suffix("KM"))
            .unwrap_or(s)
            .trim();
        let digits: String = s.chars().filter(|c| *c != ',').collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 9 {
            return Err(Error::MileageInvalid);
        }
        let km: u32 = digits.parse().map_err(|_| Error::MileageInvalid)?;
        Mileage::from_km(km)
    }

    /// Kilometres.
    pub const fn km(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Mileage {
    type Error = Error;
    fn try_from(km: u32) -> Result<Self, Self::Error> {
        Mileage::from_km(km)
    }
}

impl From<Mileage> for u32 {
    fn from(m: Mileage) -> u32 {
        m.0
    }
}

/// The key a client sends with a request that books, reserves, pays or changes state,
/// so that a retry returns the first result instead of doing it twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 16 to 64 ASCII letters, digits, `-` or `_` (a UUID in any usual form fits).
    pub fn parse(input: &str) -> Result<IdempotencyKey, Error> {
        let s = input.trim();
        if !(16..=64).contains(&s.len())
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::IdempotencyKeyInvalid);
        }
        Ok(IdempotencyKey(s.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdempotencyKey::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

/// What a staff member does; stored as [`StaffRole::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// HQ operations: prices, policies, campaigns.
    HqAdmin,
    /// HQ supply chain.
    HqSupply,
    /// Runs one store.
    StoreManager,
    /// Reception at one store.
    ServiceAdvisor,
    /// Works in the bays of one store.
    Technician,
    /// Works at the central warehouse.
    Warehouse,
}

impl StaffRole {
    /// Every role.
    pub const ALL: [StaffRole; 6] = [
        StaffRole::HqAdmin,
        StaffRole::HqSupply,
        StaffRole::StoreManager,
        StaffRole::ServiceAdvisor,
        StaffRole::Technician,
        StaffRole::Warehouse,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            StaffRole::HqAdmin => "hq_admin",
            StaffRole::HqSupply => "hq_supply",
            StaffRole::StoreManager => "store_manager",
            StaffRole::ServiceAdvisor => "service_advisor",
            StaffRole::Technician => "technician",
            StaffRole::Warehouse => "warehouse",
        }
    }

    /// The role with this code, if any.
    pub fn parse(code: &str) -> Option<StaffRole> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role belongs to HQ (chain-wide) rather than to one location.
    pub fn is_hq(self) -> bool {
        matches!(self, StaffRole::HqAdmin | StaffRole::HqSupply)
    }

    /// Whether the role receives customers at a store's counter (search, register, tag,
    /// and be someone's preferred advisor): store managers and service advisors.
    pub fn receives_customers(self) -> bool {
        matches!(self, StaffRole::StoreManager | StaffRole::ServiceAdvisor)
    }

    /// Whether the role works in a store (manager, advisor, technician).
    pub fn is_store(self) -> bool {
        Self::STORE.contains(&self)
    }

    /// The roles of a store's staff, who unlock its kiosk.
    pub const STORE: [StaffRole; 3] = [
        StaffRole::StoreManager,
        StaffRole::ServiceAdvisor,
        StaffRole::Technician,
    ];

    /// A role a store's staff member can have, from its code;
    /// [`Error::RoleNotForStore`] for HQ, warehouse or unknown roles.
    pub fn parse_store_role(code: &str) -> Result<StaffRole, Error> {
        StaffRole::parse(code.trim())
            .filter(|r| Self::STORE.contains(r))
            .ok_or(Error::RoleNotForStore)
    }
}

/// The service categories a technician is skilled in (the technician suggestion
/// matches them against the service); stored as comma-separated codes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skills(std::collections::BTreeSet<crate::ServiceCategory>);

impl Skills {
    /// From category codes as stored (`maintenance,tyres`); an unknown code is
    /// [`Error::SkillUnknown`]. Blanks and repeats are ignored.
    pub fn parse_codes(codes: &str) -> Result<Skills, Error> {
        codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| crate::ServiceCategory::parse(c).ok_or(Error::SkillUnknown))
            .collect::<Result<_, _>>()
            .map(Skills)
    }

    /// From the categories ticked on a form.
    pub fn from_categories(categories: impl IntoIterator<Item = crate::ServiceCategory>) -> Skills {
        Skills(categories.into_iter().collect())
    }

    /// As stored: codes in category order, comma-separated.
    pub fn codes(&self) -> String {
        self.0
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the technician is skilled in `category`.
    pub fn covers(&self, category: crate::ServiceCategory) -> bool {
        self.0.contains(&category)
    }

    /// The categories, in display order.
    pub fn iter(&self) -> impl Iterator<Item = crate::ServiceCategory> + '_ {
        self.0.iter().copied()
    }
}

/// Who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A car owner.
    Customer {
        /// The customer record.
        id: CustomerId,
    },
    /// A staff member, scoped to a location unless an HQ role.
    Staff {
        /// The staff record.
        id: StaffId,
        /// What they do.
        role: StaffRole,
        /// Their store or the warehouse; `None` for HQ staff.
        location: Option<StoreId>,
    },
}

impl Principal {
    /// The customer, if a customer is signed in.
    pub fn customer(&self) -> Option<CustomerId> {
        match self {
            Principal::Customer { id } => Some(*id),
            Principal::Staff { .. } => None,
        }
    }

    /// Whether this is a member of HQ's staff (operations or supply chain): they follow
    /// the whole chain, e.g. online orders no store has taken.
    pub fn works_at_hq(&self) -> bool {
        matches!(self, Principal::Staff { role, .. } if role.is_hq())
    }

    /// Publishing prices and discount policies is HQ operations' work.
    pub fn may_publish_prices(&self) -> bool {
        matches!(
            self,
            Principal::Staff {
                role: StaffRole::HqAdmin,
                ..
            }
        )
    }

    /// Importing and exporting the catalog, fitment, prices and stock counts changes
    /// what every surface shows: HQ administration's work, like publishing prices.
    pub fn may_administer_data(&self) -> bool {
        self.may_publish_prices()
    }

    /// Planning the supply chain (safety stock, replenishment proposals and their
    /// approval, purchase orders) is HQ supply chain's work.
    pub fn may_plan_supply(&self) -> bool {
        matches!(
            self,
            Principal::Staff {
                role: StaffRole::HqSupply,
                ..
            }
        )
    }

    /// The location whose stock this person sends and receives: a store's manager or
    /// service advisor at their store, warehouse staff at the warehouse.
    pub fn stock_location(&self) -> Option<StoreId> {
        match self {
            Principal::Staff { role, location, .. }
                if role.receives_customers() || *role == StaffRole::Warehouse =>
            {
                *location
            }
            _ => None,
        }
    }

    /// Adding store staff, moving them between stores and deactivating them is HQ
    /// operations' work.
    pub fn may_manage_staff(&self) -> bool {
        self.may_publish_prices()
    }

    /// Keeping the chain's vocabulary of customer tags is HQ operations' work.
    pub fn may_keep_tags(&self) -> bool {
        self.may_publish_prices()
    }

    /// Pairing iPads with stores and revoking them is HQ operations' work.
    pub fn may_manage_devices(&self) -> bool {
        self.may_publish_prices()
    }

    /// Whether this person may set or reset the PIN of staff member `target`, who works
    /// at `target_location`: themselves, their store's manager, or HQ operations (who
    /// enrol a new store's manager).
    pub fn may_set_pin_of(&self, target: StaffId, target_location: Option<StoreId>) -> bool {
        match self {
            Principal::Staff { id, .. } if *id == target => true,
            Principal::Staff {
                role: StaffRole::HqAdmin,
                ..
            } => true,
            Principal::Staff {
                role: StaffRole::StoreManager,
                location,
                ..
            } => location.is_some() && *location == target_location,
            _ => false,
        }
    }

    /// The store whose counter this person works: store managers and service advisors
    /// receive customers (search, register, tag, note) for their own store. Customers are
    /// the chain's, so any store's reception finds them; what a store did is its own.
    pub fn reception_store(&self) -> Option<StoreId> {
        match self {
            Principal::Staff { role, location, .. } if role.receives_customers() => *location,
            _ => None,
        }
    }

    /// The store this person manages: a store manager's own store. Only they change
    /// its settings (hours, bays, idle lock) and approve its price adjustments.
    pub fn managed_store(&self) -> Option<StoreId> {
        match self {
            Principal::Staff {
                role: StaffRole::StoreManager,
                location,
                ..
            } => *location,
            _ => None,
        }
    }

    /// Whether this person may see a store's bookings and stock: HQ sees every store,
    /// store staff their own.
    pub fn may_see_store(&self, store: StoreId) -> bool {
        match self {
            Principal::Staff { role, .. } if role.is_hq() => true,
            Principal::Staff { location, .. } => *location == Some(store),
            Principal::Customer { .. } => false,
        }
    }
}

/// Which accounts a sign-in is for: customers on the customer web, staff on the kiosk
/// and the HQ console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Realm {
    /// Car owners.
    Customer,
    /// Store and HQ staff.
    Staff,
}

impl Realm {
    /// The code forms send.
    pub fn code(self) -> &'static str {
        match self {
            Realm::Customer => "customer",
            Realm::Staff => "staff",
        }
    }

    /// The realm with this code, if any.
    pub fn parse(code: &str) -> Option<Realm> {
        match code.trim() {
            "customer" => Some(Realm::Customer),
            "staff" => Some(Realm::Staff),
            _ => None,
        }
    }
}

/// The signed-in person, as a session finds them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// Who they are and what they may do.
    pub principal: Principal,
    /// Their name as written in Chinese.
    pub name_zh: String,
    /// Their name as written in English.
    pub name_en: String,
    /// The kiosk device this session was unlocked on with a PIN; `None` for a session
    /// started with a password.
    #[serde(default)]
    pub device: Option<DeviceId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn phone() -> Phone {
        Phone::parse("13812345678").expect("phone")
    }

    #[test]
    fn new_passwords_follow_the_rules() {
        let p = phone();
        assert_eq!(
            Password::parse_new("abc123", &p),
            Err(Error::PasswordTooShort)
        );
        assert_eq!(
            Password::parse_new("abcdefgh", &p),
            Err(Error::PasswordTooSimple)
        );
        assert_eq!(
            Password::parse_new("12345678", &p),
            Err(Error::PasswordTooSimple)
        );
        assert_eq!(
            Password::parse_new("x13812345678", &p),
            Err(Error::PasswordTooSimple)
        );
        assert_eq!(
            Password::parse_new(&"a1".repeat(65), &p),
            Err(Error::PasswordTooLong)
        );
        assert!(Password::parse_new("oil-change", &p).is_ok());
        assert!(Password::parse_new("换机油保养2026", &p).is_ok());
        assert_eq!(
            Password::parse_new("secret99", &p).map(|p| p.expose().to_owned()),
            Ok("secret99".to_owned())
        );
    }

    #[test]
    fn attempts_are_only_bounded() {
        assert!(Password::parse_attempt("x").is_ok());
        assert_eq!(Password::parse_attempt(""), Err(Error::PasswordTooShort));
        assert_eq!(
            Password::parse_attempt(&"x".repeat(129)),
            Err(Error::PasswordTooLong)
        );
    }

    #[test]
    fn debug_never_shows_a_password() {
        let p = Password::parse_new("secret99", &phone()).expect("ok");
        assert!(!format!("{p:?}").contains("secret"));
    }

    #[test]
    fn names() {
        assert_eq!(
            PersonName::parse("  王  小明 ").map(|n| n.as_str().to_owned()),
            Ok("王 小明".to_owned())
        );
        assert_eq!(PersonName::parse("   "), Err(Error::NameInvalid));
        assert_eq!(PersonName::parse(&"名".repeat(41)), Err(Error::NameInvalid));
        assert!(PersonName::parse(&"名".repeat(40)).is_ok());
        assert_eq!(PersonName::parse("a\u{7}b"), Err(Error::NameInvalid));
    }

    #[test]
    fn mileage() {
        for (input, km) in [
            ("12345", 12_345),
            (" 12,345 km", 12_345),
            ("0", 0),
            ("88000公里", 88_000),
            ("2000000", 2_000_000),
        ] {
            assert_eq!(Mileage::parse(input).map(Mileage::km), Ok(km), "{input}");
        }
        for bad in ["", "-5", "12.5", "abc", "2000001", "99999999999", "1e5"] {
            assert_eq!(Mileage::parse(bad), Err(Error::MileageInvalid), "{bad}");
        }
        assert!(serde_json::from_str::<Mileage>("2000001").is_err());
    }

    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse("0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b").is_ok());
        for bad in [
            "short",
            "has space in it here",
            &"k".repeat(65),
            "ключ-ключ-ключ-ключ",
        ] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(Error::IdempotencyKeyInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn roles_round_trip_and_scope() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.code()), Some(r));
        }
        let store = StoreId::new();
        let other = StoreId::new();
        let hq = Principal::Staff {
            id: StaffId::new(),
            role: StaffRole::HqAdmin,
            location: None,
        };
        let advisor = Principal::Staff {
            id: StaffId::new(),
            role: StaffRole::ServiceAdvisor,
            location: Some(store),
        };
        let customer = Principal::Customer {
            id: CustomerId::new(),
        };
        assert!(hq.may_publish_prices());
        assert!(!advisor.may_publish_prices());
        assert!(!customer.may_publish_prices());
        assert!(hq.may_see_store(other));
        assert!(advisor.may_see_store(store));
        assert!(!advisor.may_see_store(other));
        assert!(!customer.may_see_store(store));
        assert!(customer.customer().is_some());
        assert!(hq.customer().is_none());
    }

    #[test]
    fn store_roles_and_skills() {
        assert_eq!(
            StaffRole::parse_store_role(" technician "),
            Ok(StaffRole::Technician)
        );
        for bad in ["hq_admin", "warehouse", "boss", ""] {
            assert_eq!(
                StaffRole::parse_store_role(bad),
                Err(Error::RoleNotForStore),
                "{bad}"
            );
        }
        let skills = Skills::parse_codes("tyres, maintenance,,tyres").expect("skills");
        assert_eq!(skills.codes(), "maintenance,tyres");
        assert!(skills.covers(crate::ServiceCategory::Tyres));
        assert!(!skills.covers(crate::ServiceCategory::Ev));
        assert_eq!(Skills::parse_codes(""), Ok(Skills::default()));
        assert_eq!(Skills::parse_codes("welding"), Err(Error::SkillUnknown));
    }

    proptest! {
        #[test]
        fn skills_round_trip_through_their_codes(picked in proptest::collection::vec(0usize..5, 0..8)) {
            let skills = Skills::from_categories(picked.iter().map(|i| crate::ServiceCategory::ALL[*i]));
            prop_assert_eq!(Skills::parse_codes(&skills.codes()), Ok(skills.clone()));
            for c in crate::ServiceCategory::ALL {
                prop_assert_eq!(skills.covers(c), picked.iter().any(|i| crate::ServiceCategory::ALL[*i] == c));
            }
        }
    }

    #[test]
    fn who_may_set_a_pin() {
        let store = StoreId::new();
        let other = StoreId::new();
        let staff = |role, location| Principal::Staff {
            id: StaffId::new(),
            role,
            location,
        };
        let advisor = StaffId::new();
        let manager = staff(StaffRole::StoreManager, Some(store));
        assert!(manager.may_set_pin_of(advisor, Some(store)));
        assert!(!manager.may_set_pin_of(advisor, Some(other)));
        assert!(!manager.may_set_pin_of(advisor, None));
        assert!(staff(StaffRole::HqAdmin, None).may_set_pin_of(advisor, Some(other)));
        assert!(!staff(StaffRole::HqSupply, None).may_set_pin_of(advisor, Some(store)));
        assert!(!staff(StaffRole::Technician, Some(store)).may_set_pin_of(advisor, Some(store)));
        let me = Principal::Staff {
            id: advisor,
            role: StaffRole::ServiceAdvisor,
            location: Some(store),
        };
        assert!(me.may_set_pin_of(advisor, Some(store)));
        let customer = Principal::Customer {
            id: CustomerId::new(),
        };
        assert!(!customer.may_set_pin_of(advisor, Some(store)));
        assert!(staff(StaffRole::HqAdmin, None).may_manage_devices());
        assert!(!manager.may_manage_devices());
    }

    #[test]
    fn only_a_store_manager_manages_a_store() {
        let store = StoreId::new();
        let staff = |role, location| Principal::Staff {
            id: StaffId::new(),
            role,
            location,
        };
        assert_eq!(
            staff(StaffRole::StoreManager, Some(store)).managed_store(),
            Some(store)
        );
        for role in [
            StaffRole::ServiceAdvisor,
            StaffRole::Technician,
            StaffRole::HqAdmin,
        ] {
            assert_eq!(staff(role, Some(store)).managed_store(), None, "{role:?}");
        }
        assert_eq!(staff(StaffRole::StoreManager, None).managed_store(), None);
        let customer = Principal::Customer {
            id: CustomerId::new(),
        };
        assert_eq!(customer.managed_store(), None);
    }

    proptest! {
        #[test]
        fn mileage_display_parse_round_trip(km in 0u32..=Mileage::MAX_KM) {
            prop_assert_eq!(Mileage::parse(&km.to_string()).map(Mileage::km), Ok(km));
        }

        #[test]
        fn accepted_passwords_meet_every_rule(input in "\\PC{0,140}") {
            if let Ok(p) = Password::parse_new(&input, &phone()) {
                let n = p.expose().chars().count();
                prop_assert!((Password::MIN_CHARS..=Password::MAX_CHARS).contains(&n));
                prop_assert!(!p.expose().contains("13812345678"));
            }
        }
    }
}
