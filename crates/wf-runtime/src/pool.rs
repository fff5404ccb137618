//! The threads outbound calls run on: at most [`MAX_CALL_THREADS`] at once in a process,
//! started when needed and ended after a minute idle. Calls beyond that wait in order for a
//! thread (back-pressure: a slow service holds threads, not the process), instead of each
//! call spawning an OS thread of its own until none can be made.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

/// The most outbound calls in flight at once in one process (`wf run` or `wf serve`).
pub const MAX_CALL_THREADS: usize = 64;

/// How long an idle thread waits for work before it ends.
const IDLE: Duration = Duration::from_secs(60);

/// A job: one outbound call and the delivery of its answer.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// A bounded pool of threads.
#[derive(Debug)]
pub struct Pool {
    state: Mutex<State>,
    work: Condvar,
    max_threads: usize,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").field("jobs", &self.jobs.len()).field("threads", &self.threads).finish()
    }
}

impl Pool {
    /// A pool of at most `max_threads` threads (at least one).
    pub const fn new(max_threads: usize) -> Pool {
        Pool {
            state: Mutex::new(State { jobs: VecDeque::new(), threads: 0, idle: 0 }),
            work: Condvar::new(),
            max_threads: if max_threads == 0 { 1 } else { max_threads },
        }
    }

    /// The process's pool for outbound calls.
    pub fn calls() -> &'static Pool {
        static CALLS: OnceLock<Pool> = OnceLock::new();
        CALLS.get_or_init(|| Pool::new(MAX_CALL_THREADS))
    }

    /// Runs `job` on a thread of the pool, now or when one is free. `Err` gives the job back
    /// when the pool has no thread and none can be started (the system is out of threads):
    /// the caller answers the call with an error instead.
    pub fn submit(&'static self, job: Job) -> Result<(), Job> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.jobs.push_back(job);
        if state.idle > 0 {
            self.work.notify_one();
            return Ok(());
        }
        if state.threads < self.max_threads {
            state.threads += 1;
            let started = std::thread::Builder::new().name("wf-call".into()).spawn(move || self.work_loop());
            if started.is_err() {
                state.threads -= 1;
                if state.threads == 0 {
                    return Err(state.jobs.pop_back().expect("the job just queued"));
                }
            }
        }
        Ok(())
    }

    /// Threads running now.
    pub fn threads(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).threads
    }

    fn work_loop(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(job) = state.jobs.pop_front() {
                drop(state);
                // A job that panics takes only itself down; the thread goes on.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            state.idle += 1;
            let (next, waited) = self.work.wait_timeout(state, IDLE).unwrap_or_else(|e| e.into_inner());
            state = next;
            state.idle -= 1;
            if waited.timed_out() && state.jobs.is_empty() {
                state.threads -= 1;
                return;
            }
        }
    }
}

/// The error of a call that found no thread to run on (the system is out of threads).
pub fn no_thread() -> wf_vm::Value {
    wf_vm::error::error(
        wf_vm::error::tags::CONNECTION,
        "the call was not sent: no thread could be started for it (the system is out of threads)",
    )
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, mpsc};

    use super::*;

    #[test]
    fn no_more_than_its_threads_run_at_once_and_every_job_runs() {
        static POOL: Pool = Pool::new(4);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (done, finished) = mpsc::channel();
        for _ in 0..40 {
            let (running, most, done) = (Arc::clone(&running), Arc::clone(&most), done.clone());
            let job: Job = Box::new(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                running.fetch_sub(1, Ordering::SeqCst);
                let _ = done.send(());
            });
            assert!(POOL.submit(job).is_ok());
        }
        for _ in 0..40 {
            finished.recv_timeout(Duration::from_secs(10)).expect("every job runs");
        }
        assert!(most.load(Ordering::SeqCst) <= 4, "{}", most.load(Ordering::SeqCst));
        assert!(POOL.threads() <= 4);
    }

    #[test]
    fn a_job_that_panics_leaves_the_pool_working() {
        static POOL: Pool = Pool::new(1);
        let (done, finished) = mpsc::channel();
        assert!(POOL.submit(Box::new(|| panic!("a bad job"))).is_ok());
        assert!(POOL.submit(Box::new(move || done.send(7).unwrap())).is_ok());
        assert_eq!(finished.recv_timeout(Duration::from_secs(10)), Ok(7));
    }
}
