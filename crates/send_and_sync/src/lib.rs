//! The compiler's half of the `send_and_sync` lesson: three programs that
//! asyncio would run and Rust refuses, each with the fix beside it.
//!
//! asyncio runs every task on one thread, so its tasks can share anything.
//! tokio's default runtime moves tasks between several threads, so what a
//! task owns must be safe to send to another thread (`Send`), and what two
//! threads share must be safe to reach from both at once (`Sync`). Nobody
//! checks that by hand: the compiler does, and says which type is at fault.
//!
//! # 1. An `Rc` moved into a thread, or into `tokio::spawn`
//!
//! `Rc` counts its owners with a plain integer; two threads dropping clones
//! at once could lose a decrement and free the value twice. So `Rc` is not
//! `Send`, and `std::thread::spawn` wants a `Send` closure: E0277,
//! "`Rc<Vec<&str>>` cannot be sent between threads safely".
//!
//! ```compile_fail,E0277
//! use std::rc::Rc;
//!
//! let sites = Rc::new(vec!["/sites/1", "/sites/2"]);
//! let worker = std::thread::spawn(move || sites.len());
//! println!("{}", worker.join().unwrap());
//! ```
//!
//! `tokio::spawn` may run the task on any worker thread, so it wants a
//! `Send` future, and refuses one that owns an `Rc`. Here rustc says
//! "future cannot be sent between threads safely" and "the trait `Send` is
//! not implemented for `Rc<Vec<&str>>`"; this diagnostic carries no error
//! code (checked with rustc 1.95), so the fence names none.
//!
//! ```compile_fail
//! use std::rc::Rc;
//!
//! #[tokio::main]
//! async fn main() {
//!     let sites = Rc::new(vec!["/sites/1", "/sites/2"]);
//!     let task = tokio::spawn(async move { sites.len() });
//!     println!("{}", task.await.unwrap());
//! }
//! ```
//!
//! The fix: `Arc` counts with an atomic, so it is `Send` and `Sync`.
//!
//! ```
//! use std::sync::Arc;
//!
//! #[tokio::main]
//! async fn main() {
//!     let sites = Arc::new(vec!["/sites/1", "/sites/2"]);
//!     let task = tokio::spawn(async move { sites.len() });
//!     assert_eq!(task.await.unwrap(), 2);
//! }
//! ```
//!
//! # 2. A `std::sync::MutexGuard` held across `.await`
//!
//! An `.await` may end on another worker thread than the one it started
//! on, and a std mutex must be unlocked by the thread that locked it; so
//! its guard is not `Send`, and a future that keeps one alive across an
//! `.await` is not `Send` either. rustc says "future cannot be sent between
//! threads safely", points at the guard and at the `.await`, and (as above)
//! gives no error code.
//!
//! ```compile_fail
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! #[tokio::main]
//! async fn main() {
//!     let pages = Arc::new(Mutex::new(0));
//!     let task = tokio::spawn(async move {
//!         let mut count = pages.lock().unwrap();
//!         tokio::time::sleep(Duration::from_millis(1)).await;
//!         *count += 1;
//!     });
//!     task.await.unwrap();
//! }
//! ```
//!
//! The fix: let the guard go before awaiting (a block ends it), so the
//! lock is held for the addition only. (`tokio::sync::Mutex`, whose guard
//! may cross an `.await`, is the other fix, for a lock that must stay held
//! while waiting.)
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! #[tokio::main]
//! async fn main() {
//!     let pages = Arc::new(Mutex::new(0));
//!     let shared = Arc::clone(&pages);
//!     let task = tokio::spawn(async move {
//!         tokio::time::sleep(Duration::from_millis(1)).await;
//!         *shared.lock().unwrap() += 1;
//!     });
//!     task.await.unwrap();
//!     assert_eq!(*pages.lock().unwrap(), 1);
//! }
//! ```
//!
//! # 3. A `RefCell` shared by two threads
//!
//! `RefCell` checks its borrows with a plain counter at run time; two
//! threads borrowing at once could both see "free". So `RefCell` is not
//! `Sync`, and a closure that borrows one from two threads is refused:
//! E0277, "`RefCell<u64>` cannot be shared between threads safely".
//!
//! ```compile_fail,E0277
//! use std::cell::RefCell;
//!
//! let total = RefCell::new(0u64);
//! std::thread::scope(|scope| {
//!     for _ in 0..2 {
//!         scope.spawn(|| *total.borrow_mut() += 1);
//!     }
//! });
//! ```
//!
//! The fix: a `Mutex` is the thread-safe `RefCell` (an atomic, for a
//! number).
//!
//! ```
//! use std::sync::Mutex;
//!
//! let total = Mutex::new(0u64);
//! std::thread::scope(|scope| {
//!     for _ in 0..2 {
//!         scope.spawn(|| *total.lock().unwrap() += 1);
//!     }
//! });
//! assert_eq!(total.into_inner().unwrap(), 2);
//! ```
//!
//! On one thread, the asyncio promise does hold in Rust: a current-thread
//! runtime with `spawn_local` accepts `Rc<RefCell<..>>`, because nothing
//! ever leaves the thread. The binary runs both worlds.
