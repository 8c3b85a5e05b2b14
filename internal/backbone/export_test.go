package backbone

// Test hooks for the external tests of the work queue. Set them before
// Consume.

// OnInProgress makes q call f after each InProgress it sends.
func OnInProgress(q *WorkQueue, f func()) { q.onInProgress = f }

// OnClosing makes q call f when Close starts to drain.
func OnClosing(q *WorkQueue, f func()) { q.onClosing = f }
