//! The process pool, driven through a real worker binary (`pool_test_worker`).
//! Every test runs under a watchdog, so a pool that hangs fails instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use support::pool::{Pool, PoolBuilder, TaskError};

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Task {
    Square(i64),
    Sleep { ms: u64, value: i64 },
    Die(i32),
    Fail(String),
    Panic(String),
}

#[derive(Deserialize, Debug, Clone)]
struct Done {
    value: i64,
    worker: usize,
    pid: u32,
    prefix: String,
    tasks_run: usize,
}

fn pool(workers: usize) -> Pool<Task, Done> {
    PoolBuilder::new(workers)
        .program(env!("CARGO_BIN_EXE_pool_test_worker"))
        .initializer(&"pre-")
        .spawn()
        .expect("the test worker binary starts")
}

/// Run `body` on its own thread; fail the test if it takes over 30 s.
fn within_30s<X: Send + 'static>(body: impl FnOnce() -> X + Send + 'static) -> X {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(body());
    });
    receiver
        .recv_timeout(Duration::from_secs(30))
        .expect("the pool hung (or the test body panicked)")
}

fn values(results: &[Result<Done, TaskError>]) -> Vec<i64> {
    results
        .iter()
        .map(|r| r.as_ref().expect("task succeeded").value)
        .collect()
}

fn sleep(ms: u64, value: i64) -> Task {
    Task::Sleep { ms, value }
}

#[test]
fn map_keeps_input_order_though_completion_order_differs() {
    let results = within_30s(|| {
        let tasks = vec![
            sleep(300, 0),
            sleep(0, 1),
            sleep(150, 2),
            sleep(0, 3),
            sleep(50, 4),
        ];
        pool(3).map(tasks)
    });
    assert_eq!(values(&results), vec![0, 1, 2, 3, 4]);
}

#[test]
fn imap_unordered_yields_in_completion_order() {
    let order = within_30s(|| {
        // One task per worker, sleeps far apart: completion order is sleep order.
        let tasks = vec![sleep(400, 10), sleep(0, 11), sleep(200, 12)];
        let mut pool = pool(3);
        let order: Vec<(usize, i64)> = pool
            .imap_unordered(tasks)
            .map(|(index, result)| (index, result.expect("task succeeded").value))
            .collect();
        order
    });
    assert_eq!(order, vec![(1, 11), (2, 12), (0, 10)]);
}

#[test]
fn initializer_reaches_every_worker_once_and_results_name_their_worker() {
    let (pids, results) = within_30s(|| {
        let mut pool = pool(4);
        assert_eq!(pool.workers(), 4);
        // Four idle workers and four tasks: the scheduler gives one to each.
        let results = pool.map((1..=4).map(Task::Square).collect());
        (pool.pids(), results)
    });
    let done: Vec<Done> = results
        .into_iter()
        .map(|r| r.expect("task succeeded"))
        .collect();
    assert_eq!(
        done.iter().map(|d| d.value).collect::<Vec<_>>(),
        vec![1, 4, 9, 16]
    );
    assert!(done.iter().all(|d| d.prefix == "pre-"), "{done:?}");
    let ran_on: HashSet<u32> = done.iter().map(|d| d.pid).collect();
    assert_eq!(ran_on, pids.iter().copied().collect::<HashSet<_>>());
    assert_eq!(ran_on.len(), 4);
    let workers: HashSet<usize> = done.iter().map(|d| d.worker).collect();
    assert_eq!(workers, (0..4).collect::<HashSet<_>>());
}

#[test]
fn worker_state_from_init_persists_across_tasks() {
    let results = within_30s(|| pool(1).map((0..5).map(Task::Square).collect()));
    let counts: Vec<usize> = results
        .iter()
        .map(|r| r.as_ref().expect("ok").tasks_run)
        .collect();
    assert_eq!(counts, vec![1, 2, 3, 4, 5]);
}

#[test]
fn failing_and_panicking_tasks_are_errors_and_the_worker_lives_on() {
    let (results, pids_before, pids_after) = within_30s(|| {
        let mut pool = pool(1);
        let before = pool.pids();
        let results = pool.map(vec![
            Task::Fail("boom".into()),
            Task::Panic("oops".into()),
            Task::Square(5),
        ]);
        (results, before, pool.pids())
    });
    assert_eq!(
        results[0].as_ref().unwrap_err(),
        &TaskError::Failed("boom".into())
    );
    assert_eq!(
        results[1].as_ref().unwrap_err(),
        &TaskError::Failed("task panicked".into())
    );
    assert_eq!(results[2].as_ref().expect("ok").value, 25);
    assert_eq!(pids_before, pids_after, "no worker was replaced");
}

#[test]
fn a_worker_that_exits_mid_task_fails_that_task_and_is_replaced() {
    let (results, workers) = within_30s(|| {
        let mut pool = pool(2);
        let results = pool.map(vec![
            Task::Square(2),
            Task::Die(3),
            Task::Square(3),
            Task::Square(4),
        ]);
        (results, pool.workers())
    });
    match &results[1] {
        Err(TaskError::WorkerDied { detail, .. }) => assert!(detail.contains("3"), "{detail}"),
        other => panic!("expected WorkerDied, got {other:?}"),
    }
    for (index, square) in [(0, 4), (2, 9), (3, 16)] {
        assert_eq!(results[index].as_ref().expect("ok").value, square);
    }
    assert_eq!(workers, 2, "the dead worker was replaced");
}

#[test]
fn a_worker_killed_from_outside_mid_task_fails_that_task_only() {
    let (victim, results) = within_30s(|| {
        let mut pool = pool(1);
        let victim = pool.pids()[0];
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            // SAFETY: sends a signal to our own child process.
            unsafe { libc::kill(victim as i32, libc::SIGKILL) };
        });
        let results = pool.map(vec![sleep(20_000, 1), Task::Square(7), Task::Square(8)]);
        (victim, results)
    });
    match &results[0] {
        Err(TaskError::WorkerDied { worker: 0, detail }) => {
            assert!(detail.contains("signal"), "{detail}")
        }
        other => panic!("expected WorkerDied, got {other:?}"),
    }
    let later: Vec<&Done> = results[1..]
        .iter()
        .map(|r| r.as_ref().expect("ok"))
        .collect();
    assert_eq!(
        later.iter().map(|d| d.value).collect::<Vec<_>>(),
        vec![49, 64]
    );
    assert!(
        later.iter().all(|d| d.pid != victim),
        "a fresh worker ran them"
    );
}

#[test]
fn apply_async_callbacks_see_every_result_once_in_completion_order() {
    let seen = within_30s(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut pool = pool(3);
        for value in 0..9 {
            // Every third task is slow, so later quick tasks overtake it.
            let ms = if value % 3 == 0 { 200 } else { 0 };
            let seen = Rc::clone(&seen);
            pool.apply_async(sleep(ms, value), move |result| {
                seen.borrow_mut()
                    .push(result.expect("task succeeded").value)
            });
        }
        pool.join();
        seen.take()
    });
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        (0..9).collect::<Vec<_>>(),
        "each result exactly once"
    );
    assert_ne!(
        seen[0], 0,
        "a quick task finished before the slow first one: {seen:?}"
    );
}

#[test]
fn unreadable_replies_are_errors_for_their_tasks() {
    let results = within_30s(|| {
        // A "worker" that answers every task with garbage.
        let mut pool: Pool<Task, Done> = PoolBuilder::new(2)
            .program("/bin/sh")
            .arg("-c")
            .arg("read init; while read task; do echo not-json; done")
            .spawn()
            .expect("sh starts");
        pool.map((0..4).map(Task::Square).collect())
    });
    assert_eq!(results.len(), 4);
    for result in results {
        assert!(
            matches!(result, Err(TaskError::Pool(ref m)) if m.contains("unreadable")),
            "{result:?}"
        );
    }
}

#[test]
fn a_missing_program_is_a_spawn_error() {
    let pool = PoolBuilder::new(2)
        .program("/nonexistent/worker")
        .spawn::<Task, Done>();
    assert!(pool.is_err());
}

#[test]
fn drop_leaves_no_child_running_even_a_busy_one() {
    let pids = within_30s(|| {
        let mut pool = pool(3);
        let pids = pool.pids();
        // One worker is busy with a long task when the pool is dropped.
        pool.apply_async(sleep(20_000, 1), |_| {});
        drop(pool);
        pids
    });
    assert_eq!(pids.len(), 3);
    for pid in pids {
        // Reaped children vanish from /proc; a zombie would still be listed.
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "pid {pid} left behind"
        );
    }
}
