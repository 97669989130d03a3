//! Step 7: a TTL store, tested as a state machine against a model: a plain `HashMap`
//! and a clock in milliseconds. proptest generates sequences of operations and shrinks
//! a failing one to the shortest. Read «Testing a state machine».

use std::collections::HashMap;
use std::time::{Duration, Instant};

use concurrency::ttl_store::TtlStore;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

const SECTION: &str = "Testing a state machine (book/04-concurrency/state-machine.md)";

#[test]
fn an_entry_expires_at_its_deadline() {
    let start = Instant::now();
    let mut store = TtlStore::new();
    store.insert("session", "alice", Duration::from_secs(60), start);
    assert_eq!(
        store.get("session", start + Duration::from_secs(59)),
        Some("alice"),
        "59 s into a 60 s TTL the entry is still there. Read «{SECTION}»."
    );
    assert_eq!(
        store.get("session", start + Duration::from_secs(60)),
        None,
        "at 60 s exactly the entry has expired: the deadline is exclusive. Read «{SECTION}»."
    );
}

#[test]
fn purging_at_the_deadline_drops_the_entry() {
    let start = Instant::now();
    let mut store = TtlStore::new();
    store.insert("session", "alice", Duration::from_secs(60), start);
    store.purge_expired(start + Duration::from_secs(60));
    assert!(
        store.is_empty(),
        "at its deadline an entry has expired, so purge drops it: get and purge agree. Read «{SECTION}»."
    );
}

#[test]
fn purging_frees_expired_entries_only() {
    let start = Instant::now();
    let mut store = TtlStore::new();
    store.insert("short", "1", Duration::from_secs(1), start);
    store.insert("long", "2", Duration::from_secs(100), start);
    store.purge_expired(start + Duration::from_secs(10));
    assert_eq!(store.len(), 1, "purge drops the expired entry and keeps the live one. Read «{SECTION}».");
    assert!(!store.is_empty(), "a store that holds an entry is not empty. Read «{SECTION}».");
    assert_eq!(
        store.get("long", start + Duration::from_secs(10)),
        Some("2"),
        "the live entry is still served after a purge. Read «{SECTION}»."
    );
}

#[test]
fn remove_returns_an_expired_entry_until_it_is_purged() {
    // Inserted an hour ago with a TTL of zero: expired by any clock, the real one included.
    let long_ago = Instant::now().checked_sub(Duration::from_secs(3600)).unwrap_or_else(Instant::now);
    let mut store = TtlStore::new();
    store.insert("old", "1", Duration::ZERO, long_ago);
    assert_eq!(
        store.remove("old"),
        Some("1".to_owned()),
        "remove takes no `now`: an expired entry is held until a purge drops it, and remove still returns \
         its value. Read «{SECTION}»."
    );
}

// ANCHOR: model
/// One operation on the store.
#[derive(Clone, Debug)]
pub enum Op {
    Insert { key: &'static str, value: u8, ttl_ms: u64 },
    Get { key: &'static str },
    Remove { key: &'static str },
    Advance { ms: u64 },
    Purge,
}

/// The model: what the store should hold, and the answer the last read should give.
#[derive(Clone, Debug, Default)]
pub struct Model {
    now_ms: u64,
    entries: HashMap<&'static str, (String, u64)>,
    expected: Option<Option<String>>,
}

impl Model {
    fn live(&self, key: &str) -> Option<String> {
        self.entries.get(key).filter(|(_, expires)| self.now_ms < *expires).map(|(v, _)| v.clone())
    }
}
// ANCHOR_END: model

pub struct TtlModel;

impl ReferenceStateMachine for TtlModel {
    type State = Model;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model::default()).boxed()
    }

    // ANCHOR: transitions
    fn transitions(_: &Model) -> BoxedStrategy<Op> {
        // A few keys, so operations collide; short TTLs and steps, so entries expire.
        let key = prop_oneof![Just("a"), Just("b"), Just("c")];
        prop_oneof![
            (key.clone(), any::<u8>(), 0u64..50).prop_map(|(key, value, ttl_ms)| Op::Insert {
                key,
                value,
                ttl_ms
            }),
            key.clone().prop_map(|key| Op::Get { key }),
            key.prop_map(|key| Op::Remove { key }),
            (0u64..30).prop_map(|ms| Op::Advance { ms }),
            Just(Op::Purge),
        ]
        .boxed()
    }
    // ANCHOR_END: transitions

    fn apply(mut model: Model, op: &Op) -> Model {
        model.expected = None;
        match op {
            Op::Insert { key, value, ttl_ms } => {
                model.entries.insert(key, (value.to_string(), model.now_ms + ttl_ms));
            }
            Op::Get { key } => model.expected = Some(model.live(key)),
            Op::Remove { key } => {
                model.expected =
                    Some(model.live(key).or_else(|| model.entries.get(key).map(|(v, _)| v.clone())));
                model.entries.remove(key);
            }
            Op::Advance { ms } => model.now_ms += ms,
            Op::Purge => {
                let now = model.now_ms;
                model.entries.retain(|_, (_, expires)| now < *expires);
            }
        }
        model
    }
}

/// The store under test, and the instant the model's clock counts from.
pub struct Sut {
    store: TtlStore,
    start: Instant,
}

pub struct TtlStoreTest;

impl StateMachineTest for TtlStoreTest {
    type SystemUnderTest = Sut;
    type Reference = TtlModel;

    fn init_test(_: &Model) -> Sut {
        Sut { store: TtlStore::new(), start: Instant::now() }
    }

    fn apply(mut sut: Sut, model: &Model, op: Op) -> Sut {
        let now = sut.start + Duration::from_millis(model.now_ms);
        match op {
            Op::Insert { key, value, ttl_ms } => {
                sut.store.insert(key, &value.to_string(), Duration::from_millis(ttl_ms), now)
            }
            Op::Get { key } => {
                let got = sut.store.get(key, now).map(str::to_owned);
                assert_eq!(
                    Some(got),
                    model.expected,
                    "get({key:?}) at {} ms disagrees with the model. Read «{SECTION}».",
                    model.now_ms
                );
            }
            Op::Remove { key } => {
                let removed = sut.store.remove(key);
                assert_eq!(
                    Some(removed),
                    model.expected,
                    "remove({key:?}) returns the value it removed. Read «{SECTION}»."
                );
            }
            Op::Advance { .. } => {}
            Op::Purge => sut.store.purge_expired(now),
        }
        sut
    }

    fn check_invariants(sut: &Sut, model: &Model) {
        assert_eq!(
            sut.store.len(),
            model.entries.len(),
            "the store holds {} entries, the model {}: an entry was lost, or one a purge should have dropped was kept. Read «{SECTION}».",
            sut.store.len(),
            model.entries.len()
        );
    }
}

// ANCHOR: run
prop_state_machine! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_store_behaves_like_the_model(sequential 1..40 => TtlStoreTest);
}
// ANCHOR_END: run
