//! Running a port call as its own task, so that it (its concurrency permit, the request and
//! the decoding of its answer, the CPU-heavy part of a page of orders) goes on on any worker
//! thread of the runtime, and ends — its permit released — as soon as the answer is read,
//! even while the one task that drives a run's pipeline is busy mapping another page.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::task::JoinHandle;

use crate::engine::ports::PortError;

/// Runs `call` as a task and waits for it. Dropping the returned future aborts the task,
/// so a cancelled run leaves no request behind.
pub(crate) async fn on_worker<T, F>(call: F) -> Result<T, PortError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, PortError>> + Send + 'static,
{
    AbortOnDrop(tokio::spawn(call)).await
}

/// A task handle that aborts its task when dropped before it finished.
struct AbortOnDrop<T>(JoinHandle<Result<T, PortError>>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, PortError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|joined| {
            joined.unwrap_or_else(|error| {
                Err(PortError::permanent(format!(
                    "the port call did not finish: {error}"
                )))
            })
        })
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_answer_comes_back() {
        let answer = on_worker(async { Ok::<_, PortError>(7) }).await;
        assert_eq!(answer.ok(), Some(7));
    }

    #[tokio::test]
    async fn a_dropped_call_is_aborted() {
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        let call = on_worker(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            flag.store(true, Ordering::SeqCst);
            Ok::<_, PortError>(())
        });
        let cut = tokio::time::timeout(Duration::from_millis(1), call).await;
        assert!(cut.is_err(), "the call cannot finish within 1 ms");
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(
            !finished.load(Ordering::SeqCst),
            "the task ran on after the drop"
        );
    }

    #[tokio::test]
    async fn a_panicking_call_is_an_error_not_a_panic() {
        let answer = on_worker(async {
            if true {
                panic!("decoder bug");
            }
            Ok::<u8, PortError>(0)
        })
        .await;
        assert!(answer.is_err());
    }
}
