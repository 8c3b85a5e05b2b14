//go:build !linux

package functions

import (
	"errors"
	"net"
)

var errNoRPCGuard = errors.New("guarding the RPC port needs Linux (pidfd_getfd and socket filters)")

// rpcGuardSupported: elsewhere than Linux nubo cannot keep other local
// processes off a function's RPC port, so it offers none (decision 005).
func rpcGuardSupported() error { return errNoRPCGuard }

func guardRPC(pid, port int, conn net.Conn) error { return errNoRPCGuard }
