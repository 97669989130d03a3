//! Step 2: the repository and the shared state, tested without HTTP.
//! Read «Shared state and the repository».

use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use axum::extract::FromRef;
use frameworks::AppState;
use frameworks::domain::{NewTask, Priority, TaskId, TaskTitle};
use frameworks::state::TaskStore;
use frameworks::store::{InMemoryTasks, TaskRepository};

const SECTION: &str = "Shared state and the repository (book/01-frameworks/state.md)";

fn new_task(title: &str) -> NewTask {
    let title = TaskTitle::parse(title)
        .unwrap_or_else(|e| panic!("step 1 first: TaskTitle::parse({title:?}) failed with {e:?}"));
    NewTask { title, priority: Priority::Normal }
}

fn stored<T>(result: Result<T, frameworks::store::StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("the in-memory store failed: {e}. Read «{SECTION}»."))
}

#[test]
fn insert_assigns_increasing_ids_from_one() {
    let store = InMemoryTasks::new();
    let ids: Vec<TaskId> = ["a", "b", "c"]
        .into_iter()
        .map(|t| store.insert(new_task(t)).map(|task| task.id))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("insert failed: {e}"));
    assert_eq!(ids, [TaskId(1), TaskId(2), TaskId(3)], "ids start at 1 and grow by one. Read «{SECTION}».");
    let other = InMemoryTasks::new();
    assert_eq!(
        stored(other.insert(new_task("d"))).id,
        TaskId(1),
        "a second store counts from 1 too: the last id belongs to each store's own data, not to a static \
         that every store shares. Read «{SECTION}»."
    );
}

#[test]
fn get_finds_inserted_tasks_and_nothing_else() {
    let store = InMemoryTasks::new();
    let inserted = store.insert(new_task("Read chapter 1")).unwrap_or_else(|e| panic!("insert failed: {e}"));
    let found = store.get(inserted.id).unwrap_or_else(|e| panic!("get failed: {e}"));
    assert_eq!(
        found.as_ref(),
        Some(&inserted),
        "get(id) returns the task insert() returned. Read «{SECTION}»."
    );
    let missing = store.get(TaskId(99)).unwrap_or_else(|e| panic!("get failed: {e}"));
    assert_eq!(missing, None, "get() of an unknown id is Ok(None), not an error. Read «{SECTION}».");
}

#[test]
fn list_returns_tasks_oldest_first() {
    // Enough tasks that a map which keeps them in any other order cannot be right by luck.
    let store = InMemoryTasks::new();
    let titles: Vec<String> = (1..=40).map(|n| format!("task {n}")).collect();
    for title in &titles {
        stored(store.insert(new_task(title)));
    }
    let listed: Vec<String> = store
        .list()
        .unwrap_or_else(|e| panic!("list failed: {e}"))
        .into_iter()
        .map(|t| t.title.as_str().to_owned())
        .collect();
    assert!(
        listed == titles,
        "list() returns every task, oldest first: inserted {titles:?}, listed {listed:?}. Read «{SECTION}»."
    );
}

// ANCHOR: never_reused
#[test]
fn delete_removes_a_task_once_and_ids_are_not_reused() {
    let store = InMemoryTasks::new();
    stored(store.insert(new_task("keep")));
    let doomed = store.insert(new_task("delete me")).unwrap_or_else(|e| panic!("insert failed: {e}"));
    assert!(
        store.delete(doomed.id).unwrap_or(false),
        "delete() of an existing task returns Ok(true). Read «{SECTION}»."
    );
    assert!(
        !store.delete(doomed.id).unwrap_or(true),
        "deleting it again returns Ok(false). Read «{SECTION}»."
    );
    assert_eq!(store.get(doomed.id).ok().flatten(), None, "a deleted task is gone. Read «{SECTION}».");
    let next = store.insert(new_task("new")).unwrap_or_else(|e| panic!("insert failed: {e}"));
    assert_eq!(
        next.id,
        TaskId(3),
        "ids are never reused, even after a delete: a client may still hold the old one. Read «{SECTION}»."
    );
}
// ANCHOR_END: never_reused

const THREADS: usize = 4;

// ANCHOR: rendezvous
/// Forces a race instead of hoping for one. The store calls `released` each time a
/// thread lets go of its lock (its unlock hook, see src/store/memory.rs). Once armed, every
/// thread that lets go waits there until `THREADS` releases have happened: if a method
/// takes the lock twice, every thread has done its first part before any does its
/// second, on every run. A method that does all its work under one lock loses nothing.
/// The wait gives up 3 s after `arm` (a working store never waits that long), so that
/// a thread left waiting for others that never come (one panicked) cannot hang the test.
#[derive(Default)]
struct Rendezvous {
    /// When it was armed (`None`: not yet), and how many releases it has seen since.
    state: Mutex<(Option<Instant>, usize)>,
    changed: Condvar,
}

impl Rendezvous {
    /// From now on, releases are counted and held.
    fn arm(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = Some(Instant::now());
    }

    fn released(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(armed_at) = state.0 else {
            return;
        };
        state.1 += 1;
        self.changed.notify_all();
        let left = (armed_at + Duration::from_secs(3)).saturating_duration_since(Instant::now());
        let _held = self.changed.wait_timeout_while(state, left, |state| state.1 < THREADS);
    }
}

/// A store whose unlock hook is a (not yet armed) rendezvous.
fn racing_store() -> (InMemoryTasks, Arc<Rendezvous>) {
    let rendezvous = Arc::new(Rendezvous::default());
    let hook = Arc::clone(&rendezvous);
    (InMemoryTasks::with_unlock_hook(Arc::new(move || hook.released())), rendezvous)
}

/// Runs `work` on `THREADS` threads at once and returns what each returned.
fn on_threads<T: Send>(work: impl Fn() -> T + Sync) -> Vec<T> {
    thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS).map(|_| scope.spawn(&work)).collect();
        threads
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| panic!("a thread of the test panicked; see its message above"))
            })
            .collect()
    })
}
// ANCHOR_END: rendezvous

// ANCHOR: race
#[test]
fn concurrent_inserts_get_unique_ids() {
    let (store, rendezvous) = racing_store();
    rendezvous.arm();
    let ids: Vec<u64> = on_threads(|| stored(store.insert(new_task("t"))).id.0);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (1..=THREADS as u64).collect::<Vec<_>>(),
        "{THREADS} threads inserting at once got the ids {ids:?}, not 1 to {THREADS} once each: reading the \
         last id and storing the next one must be one step under the lock (one call of with_tasks), or two \
         threads read the same id. Read «{SECTION}»."
    );
    assert_eq!(
        stored(store.list()).len(),
        THREADS,
        "every insert that returned a task must have stored it. Read «{SECTION}»."
    );
}
// ANCHOR_END: race

#[test]
fn a_task_deleted_by_many_threads_at_once_is_deleted_once() {
    let (store, rendezvous) = racing_store();
    let doomed = stored(store.insert(new_task("doomed")));
    rendezvous.arm();
    // Every thread deletes the same task at the same moment: one of them may be told
    // that it deleted it.
    let answers = on_threads(|| stored(store.delete(doomed.id)));
    let yes = answers.iter().filter(|&&deleted| deleted).count();
    assert_eq!(
        yes, 1,
        "{THREADS} threads deleted the same task at once and {yes} of them got Ok(true) ({answers:?}): a task \
         can be deleted once, so finding it and removing it must be one step under the lock. Read «{SECTION}»."
    );
    assert_eq!(stored(store.get(doomed.id)), None, "the task was deleted. Read «{SECTION}».");
}

#[test]
fn app_state_clones_share_one_store() {
    let state = AppState::in_memory();
    let copy = state.clone();
    let task = state.tasks.insert(new_task("shared")).unwrap_or_else(|e| panic!("insert failed: {e}"));
    // This is how axum hands a handler its `State<TaskStore>`.
    let store = TaskStore::from_ref(&copy);
    assert_eq!(
        store.get(task.id).ok().flatten().map(|t| t.title),
        Some(task.title),
        "a clone of AppState, and the TaskStore taken from it with FromRef, must see the same tasks. Read «{SECTION}»."
    );
}
