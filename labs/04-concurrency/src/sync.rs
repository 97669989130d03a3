//! The synchronization types the model-checked primitives use: loom's with the `loom`
//! feature (so loom can explore every interleaving), std's otherwise.

#[cfg(feature = "loom")]
pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(feature = "loom")]
pub(crate) use loom::sync::{Condvar, Mutex};

#[cfg(not(feature = "loom"))]
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(feature = "loom"))]
pub(crate) use std::sync::{Condvar, Mutex};
