package functions

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The RPC port is the function's own listener (aws-lambda-go calls
// net.Listen itself), so nubo cannot hand it a secret. Instead, once nubo's
// connection is up, it takes a duplicate of the function's listening socket
// (pidfd_getfd, allowed to a parent on its child) and attaches a socket
// filter that drops every segment not from nubo's own end of that
// connection: a connection from anyone else never completes its handshake.
// Children of the listener (accepted connections) inherit the filter. A
// connection that slipped in between the function's listen and the filter
// is found in /proc/net/tcp and the instance is refused (decision 005).

var (
	rpcGuardOnce sync.Once
	rpcGuardErr  error
)

// rpcGuardSupported reports whether this kernel lets nubo guard RPC ports
// (pidfd_getfd and socket filters, probed once on a socket of nubo's own);
// instances are not offered the RPC port when it does not.
func rpcGuardSupported() error {
	rpcGuardOnce.Do(func() { rpcGuardErr = probeRPCGuard() })
	return rpcGuardErr
}

func probeRPCGuard() error {
	// Yama at 2 or 3 denies a parent pidfd_getfd on its child.
	if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil {
		if v := strings.TrimSpace(string(b)); v != "0" && v != "1" {
			return fmt.Errorf("kernel.yama.ptrace_scope is %s", v)
		}
	}
	if ip := net.ParseIP(rpcLoopback()); ip == nil || ip.To4() == nil {
		return fmt.Errorf("localhost is %s, not IPv4", rpcLoopback())
	}
	var lc net.ListenConfig
	lc.SetMultipathTCP(false) // as the instance's listener (GODEBUG in environ)
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		return err
	}
	defer f.Close()
	fd, err := dupFromProcess(os.Getpid(), int(f.Fd()))
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return attachPeerFilter(fd, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1})
}

// guardRPC restricts the function's RPC listener on port to the peer
// nubo's connection conn comes from. pid is the instance's process; the
// listener may be in it or in one of its descendants.
func guardRPC(pid, port int, conn net.Conn) error {
	local, ok := conn.LocalAddr().(*net.TCPAddr)
	listener, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	if !ok || !ok2 || local.IP.To4() == nil || listener.IP.To4() == nil {
		return fmt.Errorf("rpc guard: connection %v -> %v is not IPv4 TCP", conn.LocalAddr(), conn.RemoteAddr())
	}
	socks, err := readTCP4(pid)
	if err != nil {
		return err
	}
	var inode string
	ours := func(s tcpSock) bool { return s.localPort == port && s.localIP.Equal(listener.IP) }
	for _, s := range socks {
		if ours(s) && s.state == tcpListen {
			inode = s.inode
			break
		}
	}
	if inode == "" {
		return fmt.Errorf("rpc guard: no listener on port %d", port)
	}
	owner, target, err := findSocketFD(pid, inode)
	if err != nil {
		return err
	}
	fd, err := dupFromProcess(owner, target)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := attachPeerFilter(fd, local); err != nil {
		return err
	}
	// Anything that connected before the filter went on is still queued or
	// accepted: refuse the instance rather than let it answer a stranger.
	if socks, err = readTCP4(pid); err != nil {
		return err
	}
	for _, s := range socks {
		if !ours(s) || s.state == tcpListen || s.state == tcpTimeWait || s.state == tcpClose {
			continue // a TIME_WAIT here is an earlier instance's, on a port now reused
		}
		if !(s.remotePort == local.Port && s.remoteIP.Equal(local.IP)) {
			return fmt.Errorf("rpc guard: a foreign connection from %s:%d reached the RPC port before it was guarded", s.remoteIP, s.remotePort)
		}
	}
	return nil
}

// dupFromProcess duplicates file descriptor target of process pid into nubo.
func dupFromProcess(pid, target int) (int, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("rpc guard: pidfd_open: %w", err)
	}
	defer unix.Close(pidfd)
	fd, err := unix.PidfdGetfd(pidfd, target, 0)
	if err != nil {
		return -1, fmt.Errorf("rpc guard: pidfd_getfd: %w", err)
	}
	return fd, nil
}

// ipv4SrcOff is where a classic BPF load finds the IPv4 source address:
// SKF_NET_OFF (-0x100000, the network header instead of the TCP header a
// TCP socket filter starts at) plus 12, as the kernel's unsigned k.
const ipv4SrcOff = 1<<32 - 0x100000 + 12

// attachPeerFilter makes the TCP socket fd (and the connections it accepts
// later) drop every segment that does not come from peer, and locks the
// filter so the process cannot take it off by mistake.
func attachPeerFilter(fd int, peer *net.TCPAddr) error {
	ip := peer.IP.To4()
	src := uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, K: 0}, // TCP source port
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 3, K: uint32(peer.Port)},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: ipv4SrcOff}, // IPv4 source address
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: src},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
		return fmt.Errorf("rpc guard: attach filter: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_LOCK_FILTER, 1); err != nil {
		return fmt.Errorf("rpc guard: lock filter: %w", err)
	}
	return nil
}

// TCP states in /proc/net/tcp.
const (
	tcpTimeWait = 0x06
	tcpClose    = 0x07
	tcpListen   = 0x0A
)

type tcpSock struct {
	localIP    net.IP
	localPort  int
	remoteIP   net.IP
	remotePort int
	state      int
	inode      string
}

// readTCP4 lists the IPv4 TCP sockets of pid's network namespace.
func readTCP4(pid int) ([]tcpSock, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/net/tcp")
	if err != nil {
		return nil, fmt.Errorf("rpc guard: %w", err)
	}
	defer f.Close()
	var out []tcpSock
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		s, err := parseTCPLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("rpc guard: /proc/net/tcp: %w", err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// parseTCPLine reads one line of /proc/net/tcp:
// "sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ...".
func parseTCPLine(line string) (tcpSock, error) {
	f := strings.Fields(line)
	if len(f) < 10 {
		return tcpSock{}, fmt.Errorf("short line %q", line)
	}
	lip, lport, err := parseHexAddr(f[1])
	if err != nil {
		return tcpSock{}, err
	}
	rip, rport, err := parseHexAddr(f[2])
	if err != nil {
		return tcpSock{}, err
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return tcpSock{}, fmt.Errorf("state %q: %w", f[3], err)
	}
	return tcpSock{localIP: lip, localPort: lport, remoteIP: rip, remotePort: rport, state: int(st), inode: f[9]}, nil
}

// parseHexAddr reads "0100007F:1F90": the IPv4 address as the kernel's
// native-endian word (little-endian here) and the port in hex.
func parseHexAddr(s string) (net.IP, int, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok || len(h) != 8 {
		return nil, 0, fmt.Errorf("address %q", s)
	}
	a, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return nil, 0, fmt.Errorf("address %q: %w", s, err)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("port %q: %w", s, err)
	}
	return net.IPv4(byte(a), byte(a>>8), byte(a>>16), byte(a>>24)), int(port), nil
}

// findSocketFD finds which of pid and its descendants holds the socket
// inode, and under which descriptor number.
func findSocketFD(pid int, inode string) (owner, fd int, err error) {
	want := "socket:[" + inode + "]"
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		dir := "/proc/" + strconv.Itoa(p) + "/fd"
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // it exited
		}
		for _, e := range ents {
			if link, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && link == want {
				n, err := strconv.Atoi(e.Name())
				if err == nil {
					return p, n, nil
				}
			}
		}
		queue = append(queue, childrenOf(p)...)
	}
	return 0, 0, errors.New("rpc guard: the RPC listener is not in the instance's processes")
}

// childrenOf lists the children of every thread of pid.
func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
