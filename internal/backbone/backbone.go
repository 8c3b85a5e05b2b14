package backbone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configures a Backbone.
type Options struct {
	// DataDir holds the embedded server's JetStream files (DataDir/jetstream).
	DataDir string
	// URL, when set, connects to an external NATS server instead of embedding one.
	URL string
	// Replicas for streams and buckets created on an external cluster
	// (default 1, 3 is typical for a cluster); always 1 embedded.
	Replicas int
	// StartTimeout bounds how long the embedded server may take to be ready.
	StartTimeout time.Duration
	Logger       *slog.Logger
}

// Backbone is the JetStream connection shared by every service, or a view
// of it (In) that names one region's buckets and streams apart.
type Backbone struct {
	*conn
	space space // the view's region and part; zero on the root
}

// conn is what a Backbone and its views share.
type conn struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	ns *server.Server
	nc *nats.Conn
	js jetstream.JetStream

	spaces spaces
}

// New validates opts. It starts nothing.
func New(o Options) (*Backbone, error) {
	if o.URL == "" && o.DataDir == "" {
		return nil, errors.New("backbone: a data directory or a NATS URL is required")
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 15 * time.Second
	}
	if o.Replicas <= 0 || o.URL == "" {
		o.Replicas = 1 // the embedded server is a cluster of one
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Backbone{conn: &conn{opts: o, log: o.Logger}}, nil
}

// Start starts the embedded server (or dials the external one) and returns
// once JetStream answers.
func (b *Backbone) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.js != nil {
		return nil
	}
	var err error
	if b.opts.URL != "" {
		b.nc, err = nats.Connect(b.opts.URL, nats.Name("nubo"), nats.MaxReconnects(-1))
		if err != nil {
			return fmt.Errorf("backbone: connect %s: %w", b.opts.URL, err)
		}
	} else {
		b.ns, b.nc, err = startEmbedded(b.opts)
		if err != nil {
			return err
		}
	}
	b.js, err = jetstream.New(b.nc)
	if err == nil {
		_, err = b.js.AccountInfo(ctx)
	}
	if err != nil {
		b.closeLocked()
		return fmt.Errorf("backbone: jetstream: %w", err)
	}
	return nil
}

// maxPayload is the largest message the embedded server takes.
const maxPayload = 8 << 20

func startEmbedded(o Options) (*server.Server, *nats.Conn, error) {
	ns, err := server.NewServer(&server.Options{
		ServerName: "nubo",
		JetStream:  true,
		StoreDir:   filepath.Join(o.DataDir, "jetstream"),
		DontListen: true, // in-process clients only; --nats-url is the scale-out path
		NoSigs:     true, // nubo owns SIGINT/SIGTERM
		NoLog:      true,
		// Room for a 1 MB asynchronous invocation with its headers (NATS's
		// default is exactly 1 MB, payload and headers together).
		MaxPayload:         maxPayload,
		JetStreamMaxMemory: -1,
		JetStreamMaxStore:  -1,
		SyncInterval:       0,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded nats: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(o.StartTimeout) {
		ns.Shutdown()
		return nil, nil, fmt.Errorf("embedded nats: not ready after %s", o.StartTimeout)
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns), nats.Name("nubo"))
	if err != nil {
		ns.Shutdown()
		return nil, nil, fmt.Errorf("embedded nats: connect in-process: %w", err)
	}
	return ns, nc, nil
}

// JetStream returns the JetStream context. Valid after Start.
func (b *Backbone) JetStream() jetstream.JetStream { return b.js }

// Conn returns the core NATS connection. Valid after Start.
func (b *Backbone) Conn() *nats.Conn { return b.nc }

// Embedded reports whether the server runs in this process.
func (b *Backbone) Embedded() bool { return b.opts.URL == "" }

// Replicas is the replica count for new streams and buckets.
func (b *Backbone) Replicas() int { return b.opts.Replicas }

// KeyValue creates the bucket if it does not exist, or opens it.
func (b *Backbone) KeyValue(ctx context.Context, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = b.opts.Replicas
	}
	cfg.Bucket = b.Name(cfg.Bucket)
	if err := b.record(ctx, "KV_"+cfg.Bucket); err != nil {
		return nil, err
	}
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("backbone: kv %q: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// ObjectStore creates the store if it does not exist, or opens it.
func (b *Backbone) ObjectStore(ctx context.Context, cfg jetstream.ObjectStoreConfig) (jetstream.ObjectStore, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = b.opts.Replicas
	}
	cfg.Bucket = b.Name(cfg.Bucket)
	if err := b.record(ctx, "OBJ_"+cfg.Bucket); err != nil {
		return nil, err
	}
	os, err := b.js.CreateOrUpdateObjectStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("backbone: object store %q: %w", cfg.Bucket, err)
	}
	return os, nil
}

// Stream creates the stream if it does not exist, or updates it to cfg.
// On a view, the stream's name and subjects are the view's (Name, Subject).
func (b *Backbone) Stream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = b.opts.Replicas
	}
	cfg.Name = b.Name(cfg.Name)
	subjects := make([]string, len(cfg.Subjects))
	for i, s := range cfg.Subjects {
		subjects[i] = b.Subject(s)
	}
	cfg.Subjects = subjects
	if err := b.record(ctx, cfg.Name); err != nil {
		return nil, err
	}
	s, err := b.js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("backbone: stream %q: %w", cfg.Name, err)
	}
	return s, nil
}

// Close drains the connection and shuts the embedded server down. Idempotent.
func (b *Backbone) Close(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closeLocked()
	return nil
}

func (b *Backbone) closeLocked() {
	if b.nc != nil {
		_ = b.nc.Drain()
		for i := 0; i < 200 && !b.nc.IsClosed(); i++ {
			time.Sleep(5 * time.Millisecond)
		}
		b.nc.Close()
		b.nc = nil
	}
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
		b.ns = nil
	}
	b.js = nil
}
