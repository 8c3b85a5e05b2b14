package functions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/nubo-run/nubo/internal/logs"
)

// instance is one OS process running one revision of a function, with its
// own Runtime API listener. At most one invocation owns it at a time.
//
// The warm path is a handoff: Invoke fills in the invocation fields, sends a
// token on work (the runtime's parked GET /next takes it and answers with the
// event), and waits on done (sent by the POST .../response or .../error
// handler), exited, the timeout timer or the caller's context.
type instance struct {
	p         *Pool
	id        string
	name      string
	gen       uint64
	cfg       *Config
	memMB     int
	timeout   time.Duration
	version   string
	logStream string

	ln   net.Listener
	srv  *http.Server
	cmd  *exec.Cmd
	pid  int
	dir  string
	mem  *memGroup
	logR *os.File
	logW *os.File // our copy of the log pipe's write end: sync markers

	startedAt time.Time
	readyAt   time.Time     // first /next; written before ready is closed
	ready     chan struct{} // closed at the runtime's first /next
	readyOnce sync.Once
	initErr   chan struct{} // closed when the runtime posts /init/error
	initOnce  sync.Once
	work      chan struct{} // cap 1: an invocation waits for /next
	done      chan struct{} // cap 1: the runtime answered the invocation
	quit      chan struct{} // closed when the process is gone: parked /next calls end
	quitOnce  sync.Once
	shutdown  chan struct{} // closed when stopping begins: extensions get SHUTDOWN
	shutOnce  sync.Once
	exited    chan struct{} // closed once the process has been reaped
	exitErr   error         // written before exited is closed
	oom       bool          // the OOM killer ended it; written before exited is closed
	killed    atomic.Bool   // we stopped it: an exit is not an OOM
	timer     *time.Timer   // the invocation's timeout (Invoke only)

	// lifeMu orders start against stop: stop before start means no process.
	lifeMu  sync.Mutex
	stopped bool

	// The invocation in flight, guarded by mu.
	mu        sync.Mutex
	req       *Request
	reqID     string
	deadline  time.Time
	busy      bool           // an invocation owns the instance
	answered  bool           // its response or error has arrived
	answering sync.WaitGroup // an answer handler is running
	initDoc   []byte
	exts      map[string]bool // extension id -> registered for SHUTDOWN

	// The answer, written by the runtime handler before it sends on done.
	resPayload []byte
	resErr     bool
	resType    string
	resBuf     bytes.Buffer // reused for buffered responses
	resLimit   io.LimitedReader

	// Logs: the reader attributes lines to logReq; syncs count markers.
	logMu    sync.Mutex
	logReq   string
	tailOn   bool
	tail     []byte
	syncSent atomic.Uint64
	syncSeen atomic.Uint64
	logBusy  atomic.Bool     // the reader holds bytes it has not handed on (readLogs)
	logRaw   syscall.RawConn // logR's descriptor, nil when it has none
	synced   chan struct{}
	syncT    *time.Timer
	logsDone chan struct{} // closed when the reader has seen EOF

	hdr [7][]string // reused header values for /next

	// apiPrefix is "/" and a per-instance secret: the Runtime API answers
	// only requests whose path begins with it. The process learns it from
	// AWS_LAMBDA_RUNTIME_API (host:port/secret), which runtimes prepend to
	// "/2018-06-01/..." (decision 005).
	apiPrefix string

	// RPC mode (rpc.go): rpcPort is offered to the runtime; rpc is set
	// before ready is closed when the runtime listens on it. rpcDone
	// receives each completed call; rpcReq and rpcResp are reused.
	offerRPC bool
	rpcPort  int
	rpc      atomic.Pointer[rpc.Client]
	rpcDone  chan *rpc.Call
	rpcReq   messages.InvokeRequest
	rpcResp  messages.InvokeResponse

	// Pool bookkeeping, guarded by p.mu.
	counted  bool
	lastUsed time.Time
}

func newInstance(p *Pool, cfg *Config, gen, seq uint64, offerRPC bool) *instance {
	memMB := cfg.MemoryMB
	if memMB <= 0 {
		memMB = DefaultMemoryMB
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rnd := randomHex(16)
	in := &instance{
		p:         p,
		id:        cfg.Name + "-" + strconv.FormatUint(seq, 10) + "-" + rnd[:8],
		name:      cfg.Name,
		gen:       gen,
		cfg:       cfg,
		memMB:     memMB,
		timeout:   timeout,
		version:   cfg.VersionLabel(),
		logStream: time.Now().UTC().Format("2006/01/02") + "/[" + cfg.VersionLabel() + "]" + rnd,
		ready:     make(chan struct{}),
		initErr:   make(chan struct{}),
		work:      make(chan struct{}, 1),
		done:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		shutdown:  make(chan struct{}),
		exited:    make(chan struct{}),
		synced:    make(chan struct{}, 1),
		logsDone:  make(chan struct{}),
		rpcDone:   make(chan *rpc.Call, 1),
		offerRPC:  offerRPC,
		counted:   true,
		apiPrefix: "/" + randomHex(16),
	}
	for i := range in.hdr {
		in.hdr[i] = make([]string, 1)
	}
	return in
}

func (in *instance) hasExited() bool {
	select {
	case <-in.exited:
		return true
	default:
		return false
	}
}

// start execs the process with its listener already bound.
func (in *instance) start() (err error) {
	in.lifeMu.Lock()
	defer in.lifeMu.Unlock()
	if in.stopped {
		return ErrClosing
	}
	cfg, o := in.cfg, &in.p.o
	var argv []string
	if o.Command != nil {
		if argv, err = o.Command(cfg); err != nil {
			return fmt.Errorf("command: %w", err)
		}
	} else {
		if cfg.CodeDir == "" {
			return errors.New("config: CodeDir is required")
		}
		argv = []string{filepath.Join(cfg.CodeDir, "bootstrap")}
	}
	if len(argv) == 0 {
		return errors.New("command: empty argv")
	}
	// A spare made after the previous cold start saves making the working
	// directory and memory group here.
	sp := in.p.takeSpare(in.memMB)
	if sp != nil {
		in.dir, in.mem = sp.dir, sp.mem
	} else {
		in.dir = filepath.Join(o.WorkDir, in.id)
		if err := os.MkdirAll(in.dir, 0o755); err != nil {
			return fmt.Errorf("instance dir: %w", err)
		}
	}
	var cleanup []func() error
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				err = errors.Join(err, cleanup[i]())
			}
			close(in.exited)
		}
	}()
	cleanup = append(cleanup, func() error { return os.RemoveAll(in.dir) })
	in.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("runtime api listener: %w", err)
	}
	cleanup = append(cleanup, in.ln.Close)
	if in.offerRPC {
		if in.rpcPort, err = rpcPort(); err != nil {
			return fmt.Errorf("rpc port: %w", err)
		}
	}
	env, err := in.environ(argv)
	if err != nil {
		return err
	}
	if sp == nil {
		if in.mem, err = in.p.mem.newGroup(in.id, in.memMB); err != nil {
			return err
		}
	}
	cleanup = append(cleanup, in.mem.remove)
	in.logR, in.logW, err = os.Pipe()
	if err != nil {
		return fmt.Errorf("log pipe: %w", err)
	}
	cleanup = append(cleanup, in.logR.Close, in.logW.Close)
	if raw, err := in.logR.SyscallConn(); err == nil {
		in.logRaw = raw
	}
	path := argv[0]
	if filepath.Base(path) == path {
		if path, err = exec.LookPath(path); err != nil {
			return fmt.Errorf("command: %w", err)
		}
	}
	dir := cfg.CodeDir // Lambda runs functions in the task root
	if dir == "" {
		dir = in.dir
	}
	newCmd := func() *exec.Cmd {
		return &exec.Cmd{
			Path:        path,
			Args:        argv,
			Env:         env,
			Dir:         dir,
			Stdout:      in.logW,
			Stderr:      in.logW,
			SysProcAttr: in.mem.sysProcAttr(),
		}
	}
	in.startedAt = time.Now()
	in.cmd = newCmd()
	if err = in.cmd.Start(); err != nil && in.mem.intoGroupFailed() {
		in.cmd = newCmd() // no clone3 into a cgroup here: join after exec instead
		err = in.cmd.Start()
	}
	if err != nil {
		in.cmd = nil
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	in.pid = in.cmd.Process.Pid
	if err := in.mem.started(in.pid); err != nil {
		signalGroup(in.pid, syscall.SIGKILL)
		_ = in.cmd.Wait()
		in.pid = 0
		return err
	}
	in.timer = time.NewTimer(time.Hour)
	in.timer.Stop()
	in.syncT = time.NewTimer(time.Hour)
	in.syncT.Stop()
	in.srv = &http.Server{
		Handler:  in,
		ErrorLog: slog.NewLogLogger(in.p.log.Handler(), slog.LevelDebug),
	}
	in.p.wg.Add(3)
	go in.serve()
	go in.readLogs()
	go in.wait()
	if in.rpcPort != 0 {
		in.p.wg.Add(1)
		go in.dialRPC()
	}
	return nil
}

func (in *instance) serve() {
	defer in.p.wg.Done()
	_ = in.srv.Serve(in.ln)
}

// wait reaps the process and releases everything the instance held.
func (in *instance) wait() {
	defer in.p.wg.Done()
	err := in.cmd.Wait()
	// Read before the group goes away; killed is set before we signal.
	in.oom = err != nil && !in.killed.Load() && in.mem.oomKilled()
	in.exitErr = err
	close(in.exited)
	signalGroup(in.pid, syscall.SIGKILL) // whatever the runtime left behind
	in.p.forget(in)
	in.quitOnce.Do(func() { close(in.quit) })
	in.mu.Lock()
	if !in.busy {
		in.closeRPC() // an invocation that now begins fails unsent: rpcNeverSent
	}
	in.mu.Unlock()
	_ = in.logW.Close() // the reader sees EOF once the group is gone
	_ = in.srv.Close()
	if err := in.mem.remove(); err != nil {
		in.p.log.Warn("instance cleanup", "function", in.name, "instance", in.id, "err", err)
	}
	if err := os.RemoveAll(in.dir); err != nil {
		in.p.log.Warn("instance cleanup", "function", in.name, "instance", in.id, "err", err)
	}
}

// stop ends the instance: extensions get SHUTDOWN, the process group
// SIGTERM, and SIGKILL after stopGrace (at once when !graceful).
func (in *instance) stop(graceful bool) {
	in.p.forget(in)
	defer in.closeRPC() // no invocation is in flight on a stopping instance
	in.lifeMu.Lock()
	in.stopped = true
	running := in.cmd != nil && in.pid != 0
	in.lifeMu.Unlock()
	in.shutOnce.Do(func() { close(in.shutdown) })
	if !running {
		in.quitOnce.Do(func() { close(in.quit) })
		return
	}
	if in.hasExited() {
		return
	}
	in.killed.Store(true)
	if graceful {
		signalGroup(in.pid, syscall.SIGTERM)
		t := time.NewTimer(stopGrace)
		select {
		case <-in.exited:
			t.Stop()
			return
		case <-t.C:
		}
	}
	signalGroup(in.pid, syscall.SIGKILL)
	<-in.exited
}

// run performs one invocation on in (started here when cold). retry means
// the warm instance died before taking the event: run it elsewhere.
func (p *Pool) run(ctx context.Context, in *instance, cold bool, req *Request, id string) (res *Result, retry bool, err error) {
	res = &Result{}
	logging := p.o.Logs != nil || req.Tail
	if cold {
		if err := in.start(); err != nil {
			p.forget(in)
			p.release(in, false)
			return nil, false, fmt.Errorf("start instance: %w", err)
		}
		res.ColdStart = true
		in.timer.Reset(initTimeout)
		select {
		case <-in.ready:
			in.timer.Stop()
			if err := in.mem.waitJoined(); err != nil {
				in.kill()
				p.release(in, false)
				return nil, false, fmt.Errorf("start instance: %w", err)
			}
			res.InitDuration = in.readyAt.Sub(in.startedAt)
			p.prepareSpare(in.memMB) // for the next cold start, off its path
		case <-in.initErr:
			in.timer.Stop()
			in.mu.Lock()
			res.Payload = in.initDoc
			in.mu.Unlock()
			res.FunctionError = "Unhandled"
			res.InitDuration = time.Since(in.startedAt)
			in.kill()
			in.beginLog(id, req.Tail, logging)
			if logging {
				in.drainLogs()
			}
			in.logLines(id, req.Tail, res, logging)
			p.release(in, false)
			return res, false, nil
		case <-in.exited:
			in.timer.Stop()
			res.InitDuration = time.Since(in.startedAt)
			in.crashResult(res, id)
			in.beginLog(id, req.Tail, logging)
			if logging {
				in.drainLogs()
			}
			in.logLines(id, req.Tail, res, logging)
			p.release(in, false)
			return res, false, nil
		case <-in.timer.C:
			res.InitDuration = time.Since(in.startedAt)
			in.kill()
			res.FunctionError, res.TimedOut = "Unhandled", true
			res.Payload = errorDoc("Sandbox.Timedout", "RequestId: "+id+" Error: Task timed out after "+seconds(initTimeout)+" seconds")
			in.beginLog(id, req.Tail, logging)
			if logging {
				in.drainLogs()
			}
			in.logLines(id, req.Tail, res, logging)
			p.release(in, false)
			return res, false, nil
		case <-ctx.Done():
			in.timer.Stop()
			in.kill()
			p.release(in, false)
			return nil, false, context.Cause(ctx)
		}
	}

	in.beginLog(id, req.Tail, logging)

	start := time.Now()
	in.mu.Lock()
	in.req, in.reqID, in.busy, in.answered = req, id, true, false
	in.deadline = start.Add(in.timeout)
	in.mu.Unlock()
	rc := in.rpc.Load()
	if rc != nil {
		in.invokeRPC(rc, req, id, start.Add(in.timeout))
	} else {
		in.work <- struct{}{}
	}
	in.timer.Reset(in.timeout)

	crashed := func() (*Result, bool, error) {
		in.abandon()
		res.Duration = time.Since(start)
		in.crashResult(res, id)
		if logging {
			in.drainLogs()
		}
		in.logLines(id, req.Tail, res, logging)
		p.release(in, false)
		return res, false, nil
	}
	// rpcEnded settles an RPC invocation from its completed call.
	rpcEnded := func(call *rpc.Call) (done bool, _ *Result, retry bool, _ error) {
		if call.Error == nil {
			if in.rpcAnswer(req) {
				in.kill() // a panic: the runtime would exit now
			}
			if logging || req.Tail {
				in.syncLogs()
			}
			return false, nil, false, nil
		}
		if rpcNeverSent(call.Error) && !cold {
			p.release(in, false)
			return true, nil, true, nil // died while idle: run it elsewhere
		}
		in.awaitExit()
		r, retry, err := crashed()
		return true, r, retry, err
	}

	reusable := false
	select {
	case <-in.done:
		in.timer.Stop()
		reusable = true
	case call := <-in.rpcDone:
		in.timer.Stop()
		if done, r, retry, err := rpcEnded(call); done {
			return r, retry, err
		}
		reusable = !in.killed.Load()
	case <-in.exited:
		in.timer.Stop()
		if rc != nil {
			// The connection ends with the process: the call's outcome
			// says whether the answer came first.
			if done, r, retry, err := rpcEnded(in.awaitCall()); done {
				return r, retry, err
			}
			break
		}
		select {
		case <-in.done: // answered, then exited (a panic): the answer stands
		default:
			select {
			case <-in.work:
				if !cold {
					p.release(in, false)
					return nil, true, nil
				}
			default:
			}
			return crashed()
		}
	case <-in.timer.C:
		in.kill()
		in.abandon()
		res.Duration = time.Since(start)
		res.FunctionError, res.TimedOut = "Unhandled", true
		res.Payload = errorDoc("Sandbox.Timedout", "RequestId: "+id+" Error: Task timed out after "+seconds(in.timeout)+" seconds")
		res.MaxMemoryMB = in.mem.maxUsedMB(res.Duration)
		if logging {
			in.drainLogs()
		}
		in.logLines(id, req.Tail, res, logging)
		p.release(in, false)
		return res, false, nil
	case <-ctx.Done():
		in.timer.Stop()
		in.kill()
		in.abandon()
		p.release(in, false)
		return nil, false, context.Cause(ctx)
	}
	res.Duration = time.Since(start)
	res.Payload, res.ContentType = in.resPayload, in.resType
	if in.resErr {
		res.FunctionError = "Unhandled"
	}
	res.MaxMemoryMB = in.mem.maxUsedMB(res.Duration)
	in.logLines(id, req.Tail, res, logging)
	p.release(in, reusable)
	return res, false, nil
}

// kill stops the process group at once (timeouts, init failures).
func (in *instance) kill() {
	in.killed.Store(true)
	in.p.forget(in)
	if !in.hasExited() {
		signalGroup(in.pid, syscall.SIGKILL)
	}
}

// abandon ends an invocation that did not complete: no answer can claim it
// any more, and one being received (a stream into the caller's writer) has
// finished before the caller gets the result back.
func (in *instance) abandon() {
	in.mu.Lock()
	in.busy = false
	in.mu.Unlock()
	in.answering.Wait()
}

// crashResult describes a process that exited mid-invocation, as Lambda does.
func (in *instance) crashResult(res *Result, id string) {
	<-in.exited
	msg := "exit"
	if in.exitErr != nil {
		msg = in.exitErr.Error()
	}
	typ := "Runtime.ExitError"
	if in.oom {
		typ = "Runtime.OutOfMemory"
		res.MaxMemoryMB = in.memMB
	}
	res.FunctionError = "Unhandled"
	res.Payload = errorDoc(typ, "RequestId: "+id+" Error: Runtime exited with error: "+msg)
}

// drainLogs waits (bounded) until the output of a process that died or was
// killed has been read, so its last words (a crash's stack trace) belong to
// the invocation.
func (in *instance) drainLogs() {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-in.exited:
	case <-t.C:
		return
	}
	select {
	case <-in.logsDone:
	case <-t.C:
	}
}

// logLines ends the invocation's log: END and REPORT, the tail if asked.
func (in *instance) logLines(id string, tail bool, res *Result, logging bool) {
	var end, rep []byte
	if logging {
		end, rep = []byte("END RequestId: "+id), []byte(report(id, res, in.memMB))
	}
	at := time.Now()
	in.logMu.Lock()
	if logging && in.tailOn {
		in.appendTail(end)
		in.appendTail(rep)
	}
	if tail {
		t := in.tail
		if len(t) > tailBytes {
			t = t[len(t)-tailBytes:]
		}
		res.LogTail = bytes.Clone(t)
	}
	in.logReq, in.tailOn, in.tail = "", false, in.tail[:0]
	in.logMu.Unlock()
	if logging {
		// END and REPORT are written together: one message holds both.
		in.store(id, logs.Line{At: at, Text: end}, logs.Line{At: at, Text: rep})
	}
}

const tailBytes = 4096

func report(id string, res *Result, memMB int) string {
	ms := float64(res.Duration) / float64(time.Millisecond)
	b := make([]byte, 0, 160)
	b = append(b, "REPORT RequestId: "...)
	b = append(b, id...)
	b = append(b, "\tDuration: "...)
	b = strconv.AppendFloat(b, ms, 'f', 2, 64)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, max(1, int64(math.Ceil(ms))), 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(memMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	b = strconv.AppendInt(b, int64(res.MaxMemoryMB), 10)
	b = append(b, " MB"...)
	if res.ColdStart {
		b = append(b, "\tInit Duration: "...)
		b = strconv.AppendFloat(b, float64(res.InitDuration)/float64(time.Millisecond), 'f', 2, 64)
		b = append(b, " ms"...)
	}
	return string(b)
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64)
}

// beginLog attributes the instance's lines to invocation id from now on.
func (in *instance) beginLog(id string, tail, logging bool) {
	in.logMu.Lock()
	in.logReq, in.tailOn, in.tail = id, tail, in.tail[:0]
	var start []byte
	if logging {
		start = []byte("START RequestId: " + id + " Version: " + in.version)
		if in.tailOn {
			in.appendTail(start)
		}
	}
	in.logMu.Unlock()
	if logging {
		in.store(id, logs.Line{At: time.Now(), Text: start})
	}
}

// lineBatcher is a LogSink that stores several lines of one invocation at
// once (logs.Writer: the log store).
type lineBatcher interface {
	Lines(function, requestID string, lines []logs.Line)
}

// store gives lines of invocation id to the pool's log sink, together when
// it takes batches. Text may be reused after store returns.
func (in *instance) store(id string, lines ...logs.Line) {
	sink := in.p.o.Logs
	if sink == nil {
		return
	}
	if b, ok := sink.(lineBatcher); ok {
		b.Lines(in.name, id, lines)
		return
	}
	for _, l := range lines {
		sink.Line(in.name, id, l.At, bytes.Clone(l.Text))
	}
}

// appendTail keeps at least the last tailBytes of the invocation's lines.
func (in *instance) appendTail(line []byte) {
	if len(in.tail) > 4*tailBytes {
		n := copy(in.tail, in.tail[len(in.tail)-tailBytes:])
		in.tail = in.tail[:n]
	}
	in.tail = append(in.tail, line...)
	in.tail = append(in.tail, '\n')
}

// syncMarker is what the pool writes into an instance's log pipe to learn
// that every line the runtime wrote before it has been read.
var syncMarker = []byte("\x00\x1bnubo-log-sync\x1b\x00\n")

const maxLogLine = 256 << 10

// readLogs reads the instance's stdout+stderr, one line at a time.
//
// logBusy is set before each read from the pipe and cleared once what it
// read has been handed on whole (no partial line held back): syncLogs
// needs no marker when the pipe is empty and the reader is not busy.
func (in *instance) readLogs() {
	defer in.p.wg.Done()
	defer close(in.logsDone)
	defer in.logR.Close()
	buf := make([]byte, 32<<10)
	var line []byte
	read := func() (int, error) {
		if in.logRaw == nil {
			return in.logR.Read(buf)
		}
		var n int
		var err error
		cerr := in.logRaw.Read(func(fd uintptr) bool {
			in.logBusy.Store(true)
			n, err = syscall.Read(int(fd), buf)
			if err == syscall.EAGAIN {
				in.logBusy.Store(len(line) > 0)
				return false // wait until readable
			}
			return true
		})
		switch {
		case cerr != nil:
			return 0, cerr
		case err != nil:
			return 0, err
		case n <= 0:
			return 0, io.EOF
		}
		return n, nil
	}
	in.logBusy.Store(true)
	for {
		n, err := read()
		chunk := buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				line = append(line, chunk...)
				if len(line) >= maxLogLine {
					in.emit(line)
					line = line[:0]
				}
				break
			}
			l := chunk[:i]
			if len(line) > 0 {
				line = append(line, l...)
				l = line
			}
			chunk = chunk[i+1:]
			in.handleLine(l)
			line = line[:0]
		}
		if err != nil {
			if len(line) > 0 {
				in.emit(line)
			}
			return
		}
		in.logBusy.Store(len(line) > 0)
	}
}

func (in *instance) handleLine(l []byte) {
	marker := syncMarker[:len(syncMarker)-1]
	if !bytes.HasSuffix(l, marker) {
		in.emit(l)
		return
	}
	if l = l[:len(l)-len(marker)]; len(l) > 0 {
		in.emit(l) // a partial line the runtime wrote before answering
	}
	in.syncSeen.Add(1)
	select {
	case in.synced <- struct{}{}:
	default:
	}
}

func (in *instance) emit(l []byte) {
	l = bytes.TrimSuffix(l, []byte{'\r'})
	in.logMu.Lock()
	id := in.logReq
	if in.tailOn {
		in.appendTail(l)
	}
	in.logMu.Unlock()
	in.store(id, logs.Line{At: time.Now(), Text: l})
}

// syncLogs returns once the log reader has seen every line the runtime
// wrote before now (bounded: a wedged pipe does not hold up the answer).
func (in *instance) syncLogs() {
	// Every line written before now is in the pipe or has been read; when
	// the pipe is empty and the reader has handed on all it read, there
	// is nothing to wait for (the usual case: most invocations say
	// nothing). The order of the two checks matters: a read begins with
	// logBusy set, so an empty pipe then an idle reader means done.
	if pipeEmpty(in.logRaw) && !in.logBusy.Load() {
		return
	}
	target := in.syncSent.Add(1)
	if _, err := in.logW.Write(syncMarker); err != nil {
		return
	}
	if in.syncSeen.Load() >= target {
		return
	}
	in.syncT.Reset(time.Second)
	defer in.syncT.Stop()
	for in.syncSeen.Load() < target {
		select {
		case <-in.synced:
		case <-in.exited:
			return
		case <-in.syncT.C:
			return
		}
	}
}

// environ is the process environment: Lambda's reserved variables win over
// the function's own, and the pool's Env (credentials, endpoint) comes last.
func (in *instance) environ(argv []string) ([]string, error) {
	cfg, o := in.cfg, &in.p.o
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	runtimeDir := cfg.CodeDir
	if filepath.IsAbs(argv[0]) {
		runtimeDir = filepath.Dir(argv[0])
	}
	logGroup := cfg.LogGroup
	if logGroup == "" {
		logGroup = LogGroupName(cfg.Name)
	}
	env := make([]string, 0, 24+len(cfg.Environment))
	env = append(env,
		"PATH="+path,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"HOME="+in.dir,
		"TMPDIR="+in.dir,
	)
	keys := make([]string, 0, len(cfg.Environment))
	for k := range cfg.Environment {
		if !reservedEnv(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "GODEBUG" && in.rpcPort != 0 {
			continue // merged below
		}
		env = append(env, k+"="+cfg.Environment[k])
	}
	if in.rpcPort != 0 {
		env = append(env, "_LAMBDA_SERVER_PORT="+strconv.Itoa(in.rpcPort))
		// Go 1.24+ listens with MPTCP by default, and an MPTCP listener
		// takes no socket filter: keep the RPC listener plain TCP so nubo
		// can keep it to itself (rpcguard_linux.go). Later GODEBUG
		// settings win, so the function's own stay otherwise in force.
		godebug := "multipathtcp=0"
		if v := cfg.Environment["GODEBUG"]; v != "" {
			godebug = v + "," + godebug
		}
		env = append(env, "GODEBUG="+godebug)
	}
	env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+in.ln.Addr().String()+in.apiPrefix,
		"_HANDLER="+cfg.Handler,
		"LAMBDA_TASK_ROOT="+cfg.CodeDir,
		"LAMBDA_RUNTIME_DIR="+runtimeDir,
		"AWS_LAMBDA_FUNCTION_NAME="+cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION="+in.version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(in.memMB),
		"AWS_REGION="+o.Region,
		"AWS_DEFAULT_REGION="+o.Region,
		"AWS_LAMBDA_LOG_GROUP_NAME="+logGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME="+in.logStream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
	)
	if cfg.Runtime != "" {
		env = append(env, "AWS_EXECUTION_ENV=AWS_Lambda_"+cfg.Runtime)
	}
	if o.Env != nil {
		extra, err := o.Env(cfg)
		if err != nil {
			return nil, fmt.Errorf("environment: %w", err)
		}
		for _, kv := range extra {
			if !bytes.HasPrefix([]byte(kv), []byte("_LAMBDA_SERVER_PORT=")) {
				env = append(env, kv)
			}
		}
	}
	return env, nil
}

// reservedEnv reports whether Lambda reserves the variable (a function's
// own environment cannot set it). _LAMBDA_SERVER_PORT switches
// aws-lambda-go to its RPC mode: only the pool sets it (rpc.go).
func reservedEnv(k string) bool {
	switch k {
	case "_HANDLER", "_X_AMZN_TRACE_ID", "_LAMBDA_SERVER_PORT",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
		"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR":
		return true
	}
	return false
}
