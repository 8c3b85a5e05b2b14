package platform

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
)

// gatewayInvoker adapts the functions service to the gateway's Invoker,
// mapping the functions context's errors onto the gateway's sentinels.
type gatewayInvoker struct{ fns *functions.Service }

var _ gateway.Invoker = gatewayInvoker{}

func (g gatewayInvoker) Invoke(ctx context.Context, function string, payload []byte, src gateway.Source) ([]byte, string, error) {
	res, err := g.fns.Invoke(ctx, function, &functions.Request{Payload: payload})
	if err != nil {
		return nil, "", gatewayError(err)
	}
	if timedOut(res) {
		return res.Payload, res.FunctionError, gateway.ErrTimeout
	}
	return res.Payload, res.FunctionError, nil
}

func (g gatewayInvoker) InvokeStream(ctx context.Context, function string, payload []byte, w io.Writer, src gateway.Source) (string, error) {
	res, err := g.fns.Invoke(ctx, function, &functions.Request{Payload: payload, Stream: w})
	if err != nil {
		return "", gatewayError(err)
	}
	if timedOut(res) {
		return res.FunctionError, gateway.ErrTimeout
	}
	if res.FunctionError == "" && len(res.Payload) > 0 {
		// A function that did not stream answered in one piece.
		_, err = w.Write(res.Payload)
	}
	return res.FunctionError, err
}

// timedOut tells a Lambda timeout from other function errors: API Gateway
// answers it with its own status, not as a bad integration response.
func timedOut(r *functions.Result) bool {
	return r.FunctionError != "" && bytes.Contains(r.Payload, []byte(`"Sandbox.Timedout"`))
}

func gatewayError(err error) error {
	switch {
	case errors.Is(err, functions.ErrReservedConcurrency), errors.Is(err, functions.ErrConcurrencyLimit):
		return errors.Join(gateway.ErrThrottled, err)
	case errors.Is(err, functions.ErrFunctionNotFound):
		return errors.Join(gateway.ErrFunctionNotFound, err)
	}
	return err
}
