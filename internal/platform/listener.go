package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// listener serves an http.Handler on an address. Start binds synchronously so
// "address in use" comes back from Start; Close shuts down within ctx.
type listener struct {
	name    string
	addr    string
	handler http.Handler
	log     *slog.Logger

	mu  sync.Mutex
	ln  net.Listener
	srv *http.Server
	wg  sync.WaitGroup
}

func (l *listener) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s listener: %w", l.name, err)
	}
	l.mu.Lock()
	l.ln = ln
	l.srv = &http.Server{Handler: l.handler, ReadHeaderTimeout: 30 * time.Second}
	srv := l.srv
	l.mu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.log.Error("listener stopped", "listener", l.name, "err", err)
		}
	}()
	return nil
}

// Addr is the bound address (useful with port 0).
func (l *listener) Addr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln == nil {
		return l.addr
	}
	return l.ln.Addr().String()
}

func (l *listener) Close(ctx context.Context) error {
	l.mu.Lock()
	srv := l.srv
	l.srv = nil
	l.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	l.wg.Wait()
	return err
}
