package backbone

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// Watcher follows a bucket's changes after Watch has delivered its
// current values.
type Watcher[T any] struct {
	kv     *KV[T]
	w      jetstream.KeyWatcher
	cancel context.CancelFunc
	once   sync.Once
	done   chan struct{}
}

// Watch reads the last entry of every key of the bucket (a key deleted
// last comes as a Deleted entry) and returns them, in revision order, with
// a Watcher whose Follow applies the changes made since. It returns once the current
// values are in, or when ctx ends. The watch itself lives until Stop.
func (k *KV[T]) Watch(ctx context.Context) ([]Entry[T], *Watcher[T], error) {
	wctx, cancel := context.WithCancel(context.Background())
	w, err := k.kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: watch: %w", k.kv.Bucket(), err)
	}
	var initial []Entry[T]
	for {
		select {
		case <-ctx.Done():
			_ = w.Stop()
			cancel()
			return nil, nil, fmt.Errorf("%s: watch: load: %w", k.kv.Bucket(), context.Cause(ctx))
		case e, ok := <-w.Updates():
			if !ok {
				cancel()
				return nil, nil, fmt.Errorf("%s: watch: load: %w", k.kv.Bucket(), errors.New("watcher closed"))
			}
			if e == nil { // the marker: every current value has been delivered
				return initial, &Watcher[T]{kv: k, w: w, cancel: cancel, done: make(chan struct{})}, nil
			}
			initial = append(initial, k.entry(e))
		}
	}
}

// Follow calls apply with each later change (puts, deletes, purges), one
// at a time, from a goroutine of its own, until Stop or until the watch
// ends (then ended, when not nil, is called). Call it once.
func (w *Watcher[T]) Follow(apply func(Entry[T]), ended func()) {
	go func() {
		defer close(w.done)
		if ended != nil {
			defer ended()
		}
		for e := range w.w.Updates() {
			if e != nil {
				apply(w.kv.entry(e))
			}
		}
	}()
}

// Stop ends the watch and, when Follow runs, waits for its last apply.
// Idempotent.
func (w *Watcher[T]) Stop() {
	w.once.Do(func() {
		_ = w.w.Stop()
		w.cancel()
	})
}

// Wait waits for Follow's goroutine to return (after Stop, or when the
// watch ended by itself).
func (w *Watcher[T]) Wait() { <-w.done }
