package functions

import (
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/rpc"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Go functions built with aws-lambda-go keep the go1.x runtime's RPC mode:
// when _LAMBDA_SERVER_PORT is set, lambda.Start listens on that loopback
// port and serves Function.Invoke over net/rpc (gob) instead of polling the
// Runtime API. One call on a kept connection replaces the two HTTP
// exchanges of a Runtime API invocation (GET /next, POST /response), which
// is most of what a warm invocation costs on both sides (decision 004).
//
// An instance of a provided* or go1.x function gets both variables:
// aws-lambda-go checks _LAMBDA_SERVER_PORT first, so a binary built with
// RPC support (the default) listens, and one built with -tags lambda.norpc,
// or any other custom runtime, polls the Runtime API as before. The pool
// learns which by whichever comes first: a connection to the port, or the
// first GET /next. Instances that serve response streaming always use the
// Runtime API: RPC returns the whole payload at once.

// rpcRuntime reports whether instances of cfg are offered the RPC port.
func rpcRuntime(cfg *Config) bool {
	return cfg.Runtime == "go1.x" || strings.HasPrefix(cfg.Runtime, "provided")
}

// Only nubo may call a function's RPC port: aws-lambda-go listens on it
// itself, so nubo attaches a filter to that listener once its own
// connection is up (rpcguard_linux.go). Where that cannot be done, no
// instance is offered the port and Go functions use the Runtime API, which
// only the instance's process can use (decision 005).

var (
	rpcHostOnce sync.Once
	rpcHost     string
	portRange   [2]int // the kernel's ephemeral ports: never offered
)

// rpcLoopback is the address aws-lambda-go's net.Listen("tcp",
// "localhost:PORT") binds: the first IPv4 address of localhost, as Go's
// resolver orders them.
func rpcLoopback() string {
	rpcHostOnce.Do(func() {
		rpcHost = "127.0.0.1"
		if addrs, err := net.LookupHost("localhost"); err == nil && len(addrs) > 0 {
			rpcHost = addrs[0]
			for _, a := range addrs {
				if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
					rpcHost = a
					break
				}
			}
		}
		portRange = [2]int{32768, 60999}
		if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
			if f := strings.Fields(string(b)); len(f) == 2 {
				lo, err1 := strconv.Atoi(f[0])
				hi, err2 := strconv.Atoi(f[1])
				if err1 == nil && err2 == nil && lo <= hi {
					portRange = [2]int{lo, hi}
				}
			}
		}
	})
	return rpcHost
}

// rpcPort picks a port for an instance to listen on. The function binds it
// itself after exec, so the port must stay free until then: it is chosen
// outside the kernel's ephemeral range (which outgoing connections draw
// from) when there is room below it, and checked free now.
func rpcPort() (int, error) {
	host := rpcLoopback()
	const lowest = 10000
	if lo := portRange[0]; lo-lowest > 1000 {
		for range 16 {
			port := lowest + rand.IntN(lo-lowest)
			ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err == nil {
				_ = ln.Close()
				return port, nil
			}
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port, nil
}

// dialRPC connects to the instance's RPC port once the function listens
// on it, polling as the go1.x runtime did. It gives up when the runtime
// polls the Runtime API instead (ready without RPC) or exits.
func (in *instance) dialRPC() {
	defer in.p.wg.Done()
	addr := net.JoinHostPort(rpcLoopback(), strconv.Itoa(in.rpcPort))
	wait := 150 * time.Microsecond
	t := time.NewTimer(wait)
	defer t.Stop()
	began := time.Now()
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			select {
			case <-in.ready: // the runtime took the Runtime API after all
				_ = conn.Close()
				return
			default:
			}
			if err := guardRPC(in.pid, in.rpcPort, conn); err != nil {
				// Not knowing who else may call the function, nubo does
				// not use it: the cold start fails as a crash at init, and
				// the next instances use the Runtime API.
				_ = conn.Close()
				in.p.log.Error("refusing an instance whose RPC port cannot be kept to nubo; Go functions now use the Runtime API", "function", in.name, "instance", in.id, "err", err)
				in.p.mu.Lock()
				in.p.o.RuntimeAPIOnly = true
				in.p.mu.Unlock()
				in.kill()
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetNoDelay(true)
			}
			in.rpc.Store(rpc.NewClient(conn))
			in.markReady()
			return
		}
		switch waited := time.Since(began); {
		case waited > 500*time.Millisecond:
			wait = 5 * time.Millisecond // a slow init: poll less often
		case waited > 20*time.Millisecond:
			wait = time.Millisecond
		}
		t.Reset(wait)
		select {
		case <-t.C:
		case <-in.ready:
			return
		case <-in.exited:
			return
		case <-in.quit:
			return
		}
	}
}

func (in *instance) closeRPC() {
	if c := in.rpc.Load(); c != nil {
		_ = c.Close()
	}
}

// invokeRPC sends the invocation; the call completes on in.rpcDone.
func (in *instance) invokeRPC(c *rpc.Client, req *Request, id string, deadline time.Time) {
	r := &in.rpcReq
	*r = messages.InvokeRequest{
		Payload:            req.Payload,
		RequestId:          id,
		XAmznTraceId:       traceOf(req, deadline),
		Deadline:           messages.InvokeRequest_Timestamp{Seconds: deadline.Unix(), Nanos: int64(deadline.Nanosecond())},
		InvokedFunctionArn: in.invokedARN(req),
	}
	if req.ClientContext != "" {
		r.ClientContext = clientContextJSON(req.ClientContext)
	}
	if req.CognitoIdentity != "" {
		var ci struct {
			ID     string `json:"cognitoIdentityId"`
			PoolID string `json:"cognitoIdentityPoolId"`
		}
		if json.Unmarshal([]byte(req.CognitoIdentity), &ci) == nil {
			r.CognitoIdentityId, r.CognitoIdentityPoolId = ci.ID, ci.PoolID
		}
	}
	in.rpcResp = messages.InvokeResponse{}
	c.Go("Function.Invoke", r, &in.rpcResp, in.rpcDone)
}

// rpcAnswer turns a completed call into the invocation's answer, as the
// Runtime API handlers would have stored it. exit reports a panic: the
// runtime asks to be discarded, as it exits after one in Runtime API mode.
func (in *instance) rpcAnswer(req *Request) (exit bool) {
	in.rpcReq.Payload, in.rpcReq.ClientContext = nil, nil
	res := &in.rpcResp
	if e := res.Error; e != nil {
		doc, err := json.Marshal(e)
		if err != nil {
			doc = errorDoc(e.Type, e.Message)
		}
		in.resPayload, in.resErr, in.resType = doc, true, ""
		in.logError(doc)
		if e.ShouldExit {
			in.logError([]byte("calling the handler function resulted in a panic, the process should exit"))
		}
		return e.ShouldExit
	}
	in.resType = "" // a buffered response is JSON to the caller
	payload := res.Payload
	res.Payload = nil
	switch {
	case req.Stream != nil:
		if len(payload) > maxStreamBytes {
			in.resPayload, in.resErr = tooLarge(maxStreamBytes), true
			return false
		}
		if _, err := req.Stream.Write(payload); err == nil {
			flush(req.Stream)
		}
		in.resPayload, in.resErr = nil, false
	case len(payload) > maxResponseBytes:
		in.resPayload, in.resErr = tooLarge(maxResponseBytes), true
	default:
		if payload == nil {
			payload = []byte{} // a nil handler result is an empty body, as over HTTP
		}
		in.resPayload, in.resErr = payload, false
	}
	return false
}

// rpcNeverSent reports a call that failed before it was written: the
// connection was already known to be closed (the input loop saw the
// process go, or wait closed the client of an idle instance), so the
// function never saw the event. The client is closed only when no call is
// in flight, so a call in flight never ends this way.
func rpcNeverSent(err error) bool { return errors.Is(err, rpc.ErrShutdown) }

// awaitExit waits (bounded) for the process of a broken RPC connection to
// be reaped, so the crash is described by its exit status (an OOM kill is
// told apart); one that lingers is killed.
func (in *instance) awaitExit() {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-in.exited:
	case <-t.C:
		in.kill()
		<-in.exited
	}
}

// awaitCall returns the RPC call in flight once the process is gone: its
// connection closes with it. A connection some orphan keeps open is closed
// here after a grace period; the call then counts as a crash.
func (in *instance) awaitCall() *rpc.Call {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case call := <-in.rpcDone:
		return call
	case <-t.C:
		in.closeRPC()
		call := <-in.rpcDone
		if rpcNeverSent(call.Error) {
			call.Error = io.ErrUnexpectedEOF
		}
		return call
	}
}

// logError writes a line as aws-lambda-go logs it over the Runtime API
// (log.Printf of the error document; after a panic, the fatal line it
// exits with), which its RPC mode leaves to the go1.x runtime: the
// function's log reads the same on both transports.
func (in *instance) logError(doc []byte) {
	now := time.Now().UTC()
	if tz := in.cfg.Environment["TZ"]; tz != "" {
		if loc, err := time.LoadLocation(strings.TrimPrefix(tz, ":")); err == nil {
			now = now.In(loc)
		}
	}
	line := make([]byte, 0, 20+len(doc))
	line = now.AppendFormat(line, "2006/01/02 15:04:05 ")
	in.emit(append(line, doc...))
}
