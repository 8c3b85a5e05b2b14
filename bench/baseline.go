package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// bareRuntime is the least a Runtime API server can be: it hands one event
// to whichever process asks, and reports when the response arrives. It is
// the floor nubo's cold start is compared with.
type bareRuntime struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	seq  atomic.Int64
}

func newBareRuntime() (*bareRuntime, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &bareRuntime{ln: ln, done: make(chan struct{}, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		id := strconv.FormatInt(b.seq.Add(1), 10)
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:echo")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-0-0")
		_, _ = w.Write([]byte(`{"hello":"world"}`))
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		b.done <- struct{}{}
	})
	b.srv = &http.Server{Handler: mux}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

func (b *bareRuntime) close() { _ = b.srv.Close() }

// coldOnce execs bin against the bare runtime and returns the time from
// exec to the first response.
func (b *bareRuntime) coldOnce(bin string) (time.Duration, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+b.ln.Addr().String(), "_HANDLER=bootstrap")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	select {
	case <-b.done:
		return time.Since(start), nil
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("bare cold start: no response after 10s")
	}
}

// coldOnceJoin is coldOnce plus what a memory limit costs on a cgroup v1
// host: the process is moved into a fresh memory group (limit 128 MB) as it
// starts, and the run ends when both the response and the move are done.
func (b *bareRuntime) coldOnceJoin(bin, group string) (time.Duration, error) {
	if err := os.Mkdir(group, 0o755); err != nil {
		return 0, err
	}
	defer removeGroup(group)
	if err := os.WriteFile(group+"/memory.limit_in_bytes", []byte(strconv.Itoa(128<<20)), 0o644); err != nil {
		return 0, err
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+b.ln.Addr().String(), "_HANDLER=bootstrap")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	joined := make(chan error, 1)
	go func() { joined <- os.WriteFile(group+"/cgroup.procs", []byte(strconv.Itoa(cmd.Process.Pid)), 0o644) }()
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("bare cold start: no response after 10s")
	}
	if err := <-joined; err != nil {
		return 0, fmt.Errorf("join memory cgroup: %w", err)
	}
	return time.Since(start), nil
}

// memCgroupV1 returns a directory where this process may make cgroup v1
// memory groups, or "" when it may not.
func memCgroupV1() string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && parts[1] == "memory" {
			dir := fmt.Sprintf("/sys/fs/cgroup/memory%s/nubo-bench-%d", strings.TrimSuffix(parts[2], "/"), os.Getpid())
			if err := os.Mkdir(dir, 0o755); err != nil {
				return ""
			}
			return dir
		}
	}
	return ""
}

func removeGroup(dir string) {
	for range 100 {
		if err := syscall.Rmdir(dir); err == nil || errors.Is(err, syscall.ENOENT) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// echoServer is a plain Go net/http echo server: the floor for any HTTP hop.
func echoServer() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// loadResult is what a load run measured.
type loadResult struct {
	lat  sample
	rate float64 // calls per second
	// cpu is this process's CPU time (user+system) per call: the load
	// generator plus whatever serves in-process (nubo, the bare servers),
	// not the function processes. Less sensitive to a shared machine's
	// load than latencies are.
	cpu time.Duration
}

// loadEach runs a call function per client (made by newClient) from
// `clients` goroutines for d, after a warm-up of d/5 at the same
// concurrency.
func loadEach(ctx context.Context, clients int, d time.Duration, newClient func() func() error) (loadResult, error) {
	fns := make([]func() error, clients)
	for i := range fns {
		fns[i] = newClient()
	}
	if _, err := loadRun(ctx, fns, d/5); err != nil {
		return loadResult{}, err
	}
	return loadRun(ctx, fns, d)
}

// rowProfile profiles the measured part of chosen rows (--rowprofile):
// rows call profileRow with their name; it returns the stop function.
var rowProfile struct {
	file, match string
	f           *os.File
}

func profileRow(what string) (stop func()) {
	if rowProfile.file == "" || rowProfile.f != nil || !strings.Contains(what, rowProfile.match) {
		return func() {}
	}
	f, err := os.Create(rowProfile.file)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: row profile:", err)
		return func() {}
	}
	rowProfile.f = f
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadRun(ctx context.Context, fns []func() error, d time.Duration) (loadResult, error) {
	var (
		mu      sync.Mutex
		all     sample
		firstEr error
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	cpu0 := cpuTime()
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make(sample, 0, 4096)
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if err := fn(); err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					return
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			all = append(all, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	if firstEr == nil && ctx.Err() != nil {
		firstEr = ctx.Err()
	}
	r := loadResult{lat: all, rate: float64(len(all)) / el.Seconds()}
	if len(all) > 0 {
		r.cpu = cpu / time.Duration(len(all))
	}
	return r, firstEr
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/1e3) }

func httpEcho(client *http.Client, url string, body []byte) func() error {
	return func() error {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// bareLoop is the floor for a warm invocation: a minimal Runtime API that
// hands each call to whichever poller of one function process asks, and
// wakes the caller when the response arrives. No routing, no accounting.
type bareLoop struct {
	ln      net.Listener
	srv     *http.Server
	cmds    []*exec.Cmd
	calls   chan *bareCall
	pending sync.Map // request id -> *bareCall
	seq     atomic.Int64
}

type bareCall struct {
	payload []byte
	done    chan struct{}
}

// newBareLoop starts `procs` processes of bin, each with `pollers`
// concurrent Runtime API pollers (aws-lambda-go's
// AWS_LAMBDA_MAX_CONCURRENCY), and waits for their first polls.
func newBareLoop(bin string, procs, pollers int) (*bareLoop, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &bareLoop{ln: ln, calls: make(chan *bareCall)}
	polled := make(chan struct{}, procs*pollers)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case polled <- struct{}{}:
		default:
		}
		var c *bareCall
		select {
		case c = <-b.calls:
		case <-r.Context().Done():
			return
		}
		id := strconv.FormatInt(b.seq.Add(1), 10)
		b.pending.Store(id, c)
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:echo")
		_, _ = w.Write(c.payload)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		if c, ok := b.pending.LoadAndDelete(r.PathValue("id")); ok {
			c.(*bareCall).done <- struct{}{}
		}
	})
	b.srv = &http.Server{Handler: mux}
	go func() { _ = b.srv.Serve(ln) }()
	for range procs {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(), "_HANDLER=bootstrap",
			"AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(pollers))
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			b.close()
			return nil, err
		}
		b.cmds = append(b.cmds, cmd)
	}
	deadline := time.After(10 * time.Second)
	for range procs * pollers {
		select {
		case <-polled:
		case <-deadline:
			b.close()
			return nil, fmt.Errorf("bare runtime loop: not every poller polled after 10s")
		}
	}
	return b, nil
}

// invoker returns a function that makes one invocation; each load client
// needs its own.
func (b *bareLoop) invoker(payload []byte) func() error {
	c := &bareCall{payload: payload, done: make(chan struct{}, 1)}
	return func() error {
		b.calls <- c
		select {
		case <-c.done:
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("bare runtime loop: no response after 10s")
		}
	}
}

func (b *bareLoop) close() {
	for _, cmd := range b.cmds {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}
	_ = b.srv.Close()
}

// bareRPC is the floor for nubo's transport to Go functions: processes of
// bin in aws-lambda-go's RPC mode (what the go1.x runtime used), each
// serving one call at a time, handed out to callers from an idle list.
type bareRPC struct {
	cmds []*exec.Cmd
	idle chan *rpc.Client
}

func newBareRPC(bin string, procs int) (*bareRPC, error) {
	b := &bareRPC{idle: make(chan *rpc.Client, procs)}
	for range procs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.close()
			return nil, err
		}
		addr := l.Addr().String()
		_, port, _ := net.SplitHostPort(addr)
		_ = l.Close()
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "_LAMBDA_SERVER_PORT="+port, "_HANDLER=bootstrap")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			b.close()
			return nil, err
		}
		b.cmds = append(b.cmds, cmd)
		deadline := time.Now().Add(10 * time.Second)
		for {
			conn, err := net.Dial("tcp", addr)
			if err == nil {
				b.idle <- rpc.NewClient(conn)
				break
			}
			if time.Now().After(deadline) {
				b.close()
				return nil, fmt.Errorf("bare RPC: %s not listening after 10s", addr)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	return b, nil
}

func (b *bareRPC) call(payload []byte) ([]byte, error) {
	c := <-b.idle
	defer func() { b.idle <- c }()
	req := &messages.InvokeRequest{Payload: payload, RequestId: "bench", InvokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:echo",
		Deadline: messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(time.Minute).Unix()}}
	var res messages.InvokeResponse
	if err := c.Call("Function.Invoke", req, &res); err != nil {
		return nil, err
	}
	if res.Error != nil {
		return nil, fmt.Errorf("bare RPC: %s", res.Error.Message)
	}
	return res.Payload, nil
}

func (b *bareRPC) invoker(payload []byte) func() error {
	return func() error { _, err := b.call(payload); return err }
}

// httpServer is a bare net/http server that answers each request with a
// call to a function process: the floor for an HTTP request a function
// answers, on nubo's transport.
func (b *bareRPC) httpServer() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, err := b.call(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func (b *bareRPC) close() {
	for _, cmd := range b.cmds {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}
}
