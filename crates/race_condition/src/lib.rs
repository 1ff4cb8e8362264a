//! The half of the `race_condition` lesson the compiler teaches: the
//! program Python runs, and Rust refuses.
//!
//! In Python, many threads may run `x = x + 1` on one shared `x`; the
//! switch can fall between the read and the write, and an update is lost
//! without a word. The same program in Rust does not compile:
//!
//! ```compile_fail,E0499
//! let mut x: u64 = 0;
//! std::thread::scope(|scope| {
//!     for _ in 0..4 {
//!         // Every thread wants `&mut x` at the same time.
//!         scope.spawn(|| {
//!             for _ in 0..1000 {
//!                 x = x + 1;
//!             }
//!         });
//!     }
//! });
//! ```
//!
//! The complaint is E0499, "cannot borrow `x` as mutable more than once at
//! a time": each closure captures `x` by unique (mutable) borrow, and the
//! scoped threads all hold their borrow at once. With `std::thread::spawn`
//! instead of a scope, the same code stops earlier, at E0373 (the closure
//! may outlive `x`), and adding `move` gives each thread its own copy of
//! the `u64`, which compiles and shares nothing.
//!
//! Rust's rule is "many readers or one writer", checked when compiling.
//! To mutate shared state from several threads, the state itself must say
//! how it may be shared: an atomic or a `Mutex`, as the binary shows.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! let x = AtomicU64::new(0);
//! std::thread::scope(|scope| {
//!     for _ in 0..4 {
//!         scope.spawn(|| {
//!             for _ in 0..1000 {
//!                 // One indivisible read-modify-write: no switch can
//!                 // fall in the middle of it.
//!                 x.fetch_add(1, Ordering::Relaxed);
//!             }
//!         });
//!     }
//! });
//! assert_eq!(x.into_inner(), 4000);
//! ```
