package functions

import (
	"bytes"
	"testing"
)

// An Event invocation of 1 MB, Lambda's asynchronous limit, is queued, runs
// with its payload whole, and its destination record carries it.
func TestAsyncOneMegabytePayload(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "big", "echo")
	h.createFn(t, "dest", "echo")
	h.putEIC(t, "big", 0, "dest", "", 0)
	payload := bigJSON(MaxAsyncPayload)
	if len(payload) != 1<<20 {
		t.Fatalf("payload of %d bytes, want 1 MB", len(payload))
	}
	h.invokeEvent(t, "big", string(payload))
	waitFor(t, "the 1 MB event to run", func() bool { return len(h.exec.payloadsOf("big")) > 0 })
	if got := h.exec.payloadsOf("big")[0]; !bytes.Equal(got, payload) {
		t.Fatalf("the function got %d bytes, want the %d sent", len(got), len(payload))
	}
	rec := h.record(t, "dest")
	if !bytes.Equal(rec.RequestPayload, payload) {
		t.Fatalf("the destination record carries %d bytes of request payload, want %d", len(rec.RequestPayload), len(payload))
	}
}
