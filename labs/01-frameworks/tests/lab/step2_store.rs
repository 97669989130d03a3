//! Step 2: the repository and the shared state, tested without HTTP.
//! Read «Shared state and the repository».

use std::sync::Arc;

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

#[test]
fn concurrent_inserts_get_unique_ids() {
    let store = Arc::new(InMemoryTasks::new());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                (0..50).filter_map(|_| store.insert(new_task("t")).ok()).map(|t| t.id.0).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<u64> = threads.into_iter().flat_map(|t| t.join().unwrap_or_default()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (1..=200).collect::<Vec<_>>(),
        "200 inserts from 4 threads must get the ids 1..=200, each once. Read «{SECTION}»."
    );
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
