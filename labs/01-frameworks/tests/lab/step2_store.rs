//! Step 2: the repository and the shared state, tested without HTTP.
//! Read «Shared state and the repository».

use std::sync::{Arc, Barrier};
use std::thread;

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
    let store = InMemoryTasks::new();
    for title in ["first", "second", "third"] {
        stored(store.insert(new_task(title)));
    }
    let titles: Vec<String> = store
        .list()
        .unwrap_or_else(|e| panic!("list failed: {e}"))
        .into_iter()
        .map(|t| t.title.as_str().to_owned())
        .collect();
    assert_eq!(
        titles,
        ["first", "second", "third"],
        "list() returns every task, oldest first. Read «{SECTION}»."
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

const THREADS: usize = 8;

/// Runs `work` on `THREADS` threads that all start at the same instant (a barrier
/// releases them together), so their calls overlap on every run, not by luck.
fn race<T: Send + 'static>(work: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let start = Arc::new(Barrier::new(THREADS));
    let work = Arc::new(work);
    let threads: Vec<_> = (0..THREADS)
        .map(|n| {
            let (start, work) = (Arc::clone(&start), Arc::clone(&work));
            thread::spawn(move || {
                start.wait();
                work(n)
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().unwrap_or_else(|_| panic!("a thread of the test panicked")))
        .collect()
}

// ANCHOR: race
#[test]
fn concurrent_inserts_get_unique_ids() {
    // Several trials, each on a fresh store: one overlap of two threads inside an
    // insert is enough to show the race, and a busy machine can starve a single trial.
    const TRIALS: usize = 6;
    const ROUNDS: u64 = 20;
    const EACH: u64 = 250;
    let total = THREADS as u64 * ROUNDS * EACH;
    for trial in 1..=TRIALS {
        let store = Arc::new(InMemoryTasks::new());
        let inserting = Arc::clone(&store);
        // Every round starts all the threads together again, so they overlap all along,
        // not only at the start.
        let round = Arc::new(Barrier::new(THREADS));
        let per_thread = race(move |_| {
            let mut ids = Vec::new();
            for _ in 0..ROUNDS {
                round.wait();
                ids.extend((0..EACH).map(|_| stored(inserting.insert(new_task("t"))).id.0));
            }
            ids
        });
        let mut ids: Vec<u64> = per_thread.into_iter().flatten().collect();
        ids.sort_unstable();
        let duplicates = ids.windows(2).filter(|w| w[0] == w[1]).count();
        assert_eq!(
            duplicates, 0,
            "trial {trial}: {THREADS} threads inserting at once got {duplicates} duplicate ids: reading the last id \
             and storing the next one must be one step under the lock, or two threads read the same id. Read «{SECTION}»."
        );
        assert_eq!(
            ids,
            (1..=total).collect::<Vec<_>>(),
            "{total} inserts from {THREADS} threads must get the ids 1..={total}, each once. Read «{SECTION}»."
        );
        assert_eq!(
            stored(store.list()).len(),
            ids.len(),
            "every insert that returned a task must have stored it. Read «{SECTION}»."
        );
    }
}
// ANCHOR_END: race

#[test]
fn list_is_oldest_first_even_while_others_insert() {
    let store = Arc::new(InMemoryTasks::new());
    let shared = Arc::clone(&store);
    // Half the threads insert, half list; every list they see must be in id order.
    let unordered = race(move |n| {
        let mut unordered = 0;
        for _ in 0..300 {
            if n % 2 == 0 {
                stored(shared.insert(new_task("t")));
            } else {
                let ids: Vec<u64> = stored(shared.list()).iter().map(|t| t.id.0).collect();
                unordered += usize::from(ids.windows(2).any(|w| w[0] >= w[1]));
            }
        }
        unordered
    });
    let unordered: usize = unordered.into_iter().sum();
    assert_eq!(
        unordered, 0,
        "while other threads inserted, list() returned {unordered} lists that were not strictly oldest first \
         (increasing ids, none twice). Read «{SECTION}»."
    );
    let ids: Vec<u64> = stored(store.list()).iter().map(|t| t.id.0).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "after the inserts, list() is oldest first. Read «{SECTION}»."
    );
}

#[test]
fn a_task_deleted_by_many_threads_at_once_is_deleted_once() {
    const TRIALS: usize = 6;
    const ROUNDS: u64 = 20;
    const EACH: u64 = 50;
    let tasks = ROUNDS * EACH;
    for trial in 1..=TRIALS {
        let store = Arc::new(InMemoryTasks::new());
        for _ in 0..tasks {
            stored(store.insert(new_task("doomed")));
        }
        let shared = Arc::clone(&store);
        let round = Arc::new(Barrier::new(THREADS));
        // Every thread tries to delete the same tasks at the same moment; for each task,
        // exactly one of them may be told that it deleted it.
        let successes = race(move |_| {
            let mut successes = 0;
            for r in 0..ROUNDS {
                round.wait();
                let ids = r * EACH + 1..=(r + 1) * EACH;
                successes += ids.filter(|&id| stored(shared.delete(TaskId(id)))).count();
            }
            successes
        });
        let successes: usize = successes.into_iter().sum();
        assert_eq!(
            successes, tasks as usize,
            "trial {trial}: {THREADS} threads deleted the same {tasks} tasks at once and got Ok(true) {successes} \
             times: each task can be deleted once, so finding it and removing it must be one step under the lock. \
             Read «{SECTION}»."
        );
        assert!(stored(store.list()).is_empty(), "every task was deleted. Read «{SECTION}».");
    }
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
