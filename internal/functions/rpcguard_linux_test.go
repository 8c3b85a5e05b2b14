package functions

import (
	"context"
	"io"
	"net"
	"net/rpc"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// outsiderDialTimeout bounds an outsider's attempt to reach a guarded
// port: its SYN is dropped, so without a bound the dial would retry for
// minutes. A connection that completes at all fails the test.
const outsiderDialTimeout = 2 * time.Second

// plainListener listens as an instance's aws-lambda-go does once nubo sets
// GODEBUG=multipathtcp=0: plain TCP on loopback.
func plainListener(t *testing.T) net.Listener {
	t.Helper()
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func TestRPCGuardKeepsListenerToNubo(t *testing.T) {
	if err := rpcGuardSupported(); err != nil {
		t.Fatalf("this machine cannot guard RPC ports: %v", err)
	}
	ln := plainListener(t)
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	nubo, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nubo.Close()
	if err := guardRPC(os.Getpid(), port, nubo); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), outsiderDialTimeout); err == nil {
		c.Close()
		t.Fatal("an outsider connected to the guarded listener")
	}
	// nubo's own connection still carries traffic both ways.
	server := <-accepted
	defer server.Close()
	if _, err := nubo.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(server, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if len(accepted) != 0 {
		t.Fatal("the listener accepted a second connection")
	}
}

func TestRPCGuardRefusesEarlyOutsider(t *testing.T) {
	if err := rpcGuardSupported(); err != nil {
		t.Fatalf("this machine cannot guard RPC ports: %v", err)
	}
	ln := plainListener(t)
	port := ln.Addr().(*net.TCPAddr).Port
	early, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	nubo, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nubo.Close()
	err = guardRPC(os.Getpid(), port, nubo)
	if err == nil || !strings.Contains(err.Error(), "foreign connection from 127.0.0.1:"+strconv.Itoa(early.LocalAddr().(*net.TCPAddr).Port)) {
		t.Fatalf("guard with an outsider already connected: %v", err)
	}
}

// TestOutsiderCannotCallRPC: a local process that finds a Go function's
// RPC port cannot run Function.Invoke on it (and so gets neither its
// answer nor anything of its environment), while nubo keeps invoking it.
func TestOutsiderCannotCallRPC(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("gate")
	invoke(t, p, cfg, `{"n":0}`)
	if got := transportOf(p, "gate"); got != "rpc" {
		t.Fatalf("transport %q, want rpc", got)
	}
	p.mu.Lock()
	port := p.fns["gate"].idle[0].rpcPort
	p.mu.Unlock()
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(rpcLoopback(), strconv.Itoa(port)), outsiderDialTimeout)
	if err == nil {
		defer conn.Close()
		var resp messages.InvokeResponse
		req := &messages.InvokeRequest{Payload: []byte(`{"n":99}`), RequestId: "outsider", Deadline: messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(time.Minute).Unix()}}
		callErr := rpc.NewClient(conn).Call("Function.Invoke", req, &resp)
		t.Fatalf("an outsider reached the RPC port: Function.Invoke answered %s (err %v)", resp.Payload, callErr)
	}
	for i := 1; i <= 3; i++ {
		res := invoke(t, p, cfg, `{"n":`+strconv.Itoa(i)+`}`)
		if !answered(res, i) {
			t.Fatalf("invoke %d: %s %s", i, res.FunctionError, res.Payload)
		}
	}
	if got := transportOf(p, "gate"); got != "rpc" {
		t.Fatalf("transport %q after the outsider, want rpc", got)
	}
}

func TestParseTCPLine(t *testing.T) {
	tests := []struct {
		line  string
		want  tcpSock
		isErr bool
	}{
		{line: "   0: 0100007F:2710 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0",
			want: tcpSock{localPort: 10000, remoteIP: net.IPv4(0, 0, 0, 0), remotePort: 0, state: tcpListen, inode: "123456"}},
		{line: "   1: 0100007F:2710 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1",
			want: tcpSock{localPort: 10000, remoteIP: net.IPv4(127, 0, 0, 1), remotePort: 0xA1B2, state: 1, inode: "777"}},
		{line: "   2: 0100007F:2710 0100007F", isErr: true},
		{line: "   3: 0100007F:ZZZZ 0100007F:A1B2 01 0 0 0 0 0 9", isErr: true},
		{line: "   4: 7F:2710 0100007F:A1B2 01 0 0 0 0 0 9", isErr: true},
		{line: "   5: 0100007F:2710 0100007F:A1B2 XYZ 0 0 0 0 0 9", isErr: true},
	}
	for _, tt := range tests {
		got, err := parseTCPLine(tt.line)
		if tt.isErr {
			if err == nil {
				t.Errorf("%q: no error", tt.line)
			}
			continue
		}
		if err != nil || got.localPort != tt.want.localPort || !got.remoteIP.Equal(tt.want.remoteIP) || got.remotePort != tt.want.remotePort || got.state != tt.want.state || got.inode != tt.want.inode {
			t.Errorf("%q: got %+v, %v; want %+v", tt.line, got, err, tt.want)
		}
	}
}

// FuzzParseTCPLine: no line of /proc/net/tcp, however mangled, panics the
// parser, and what it accepts has ports in range.
func FuzzParseTCPLine(f *testing.F) {
	f.Add("   0: 0100007F:2710 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0")
	f.Add("   1: 0100007F:2710 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 777 1")
	f.Add("sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")
	f.Fuzz(func(t *testing.T, line string) {
		s, err := parseTCPLine(line)
		if err != nil {
			return
		}
		if s.localPort < 0 || s.localPort > 65535 || s.remotePort < 0 || s.remotePort > 65535 || s.state < 0 || s.state > 255 || s.remoteIP.To4() == nil {
			t.Fatalf("%q parsed to %+v", line, s)
		}
	})
}
