package functions

import (
	"net/http"
)

// maxInvokeAsyncPayload is InvokeAsync's own limit (256 KB; Invoke's Event
// invocations take 1 MB).
const maxInvokeAsyncPayload = 256 * 1024

// invokeAsync is the deprecated InvokeAsync (authorized as
// lambda:InvokeAsync): the body (InvokeArgs) is queued as an Event
// invocation, on the same durable path as Invoke with InvocationType Event,
// and the answer is 202 with {"Status":202}.
func (a *lambdaAPI) invokeAsync(w http.ResponseWriter, r *http.Request) error {
	name, qual, err := a.refQ(r)
	if err != nil {
		return err
	}
	payload, err := readPayload(r, maxInvokeAsyncPayload)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := a.s.GetVersion(ctx, name, qual); err != nil {
		return a.notFound(name, err)
	}
	rid, err := a.s.InvokeAsync(ctx, qualified(name, qual), payload)
	if err != nil {
		return a.notFound(name, err)
	}
	w.Header().Set("X-Amzn-RequestId", rid)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"Status":202}`))
	return nil
}
