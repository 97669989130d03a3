//! The synchronization types the model-checked primitives use: loom's under
//! `--cfg lab_loom` (so loom can explore every interleaving), std's otherwise.

#[cfg(lab_loom)]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(lab_loom)]
pub(crate) use loom::sync::{Condvar, Mutex};

#[cfg(not(lab_loom))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(lab_loom))]
pub(crate) use std::sync::{Condvar, Mutex};
