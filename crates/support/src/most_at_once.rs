//! How many threads are inside some section of code right now, and the most
//! there ever were at once: the timing-free way for an example to show how
//! much of its work really overlapped (gil_sim counts threads computing,
//! gil_sim_io threads holding the GIL and threads waiting).

use std::sync::atomic::{AtomicUsize, Ordering};

/// A counter of threads inside a section, and of the most at once. It can
/// be a `static`, since `new` is `const`.
#[derive(Debug, Default)]
pub struct MostAtOnce {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// A thread inside the section; dropping it leaves.
#[must_use = "the thread leaves the section when this is dropped"]
pub struct Inside<'a>(&'a MostAtOnce);

impl MostAtOnce {
    pub const fn new() -> Self {
        MostAtOnce {
            now: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
        }
    }

    /// Enter the section until the returned guard is dropped.
    pub fn enter(&self) -> Inside<'_> {
        // SeqCst: one order of all entries and exits, so the peak counts
        // threads that were really inside together.
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        Inside(self)
    }

    /// The most threads that were inside at once so far.
    pub fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_counts_who_was_inside_together() {
        let counter = MostAtOnce::new();
        assert_eq!(counter.most(), 0);
        let a = counter.enter();
        let b = counter.enter();
        drop(a);
        let c = counter.enter();
        assert_eq!(counter.most(), 2);
        drop((b, c));
        drop(counter.enter());
        assert_eq!(counter.most(), 2);
    }
}
