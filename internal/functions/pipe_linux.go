package functions

import (
	"syscall"
	"unsafe"
)

// pipeEmpty reports whether nothing is waiting to be read from raw
// (FIONREAD); false when it cannot tell.
func pipeEmpty(raw syscall.RawConn) bool {
	if raw == nil {
		return false
	}
	var n int32
	var errno syscall.Errno
	if err := raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	}); err != nil || errno != 0 {
		return false
	}
	return n == 0
}
