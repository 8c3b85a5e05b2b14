package gateway

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The connection registry. A WebSocket connection lives on the node that
// accepted it; the registry (KV bucket nubo-gateway-connections, key: the
// connection id) records which node that is, with what GetConnection
// answers. A management call (@connections) on any node reads the record
// and, when the connection is another node's, forwards the call on that
// node's NATS subject (nubo.gateway.ws.NODE); the owner writes to the
// socket, closes it, or reports its last activity. A record whose node no
// longer answers (the node is gone, and its sockets with it) is removed,
// and the call answers GoneException, as API Gateway does for a connection
// that no longer exists.

const (
	connectionsBucket = "nubo-gateway-connections"
	wsSubjectPrefix   = "nubo.gateway.ws."
)

// ErrGone: no such connection (GoneException, 410).
var ErrGone = errors.New("connection gone")

// connRecord is a connection's registry entry.
type connRecord struct {
	ID          string    `json:"id"`
	APIID       string    `json:"apiId"`
	Stage       string    `json:"stage"`
	Node        string    `json:"node"`
	DomainName  string    `json:"domainName"`
	SourceIP    string    `json:"sourceIp"`
	UserAgent   string    `json:"userAgent"`
	ConnectedAt time.Time `json:"connectedAt"`
}

// ConnectionInfo is what GetConnection answers.
type ConnectionInfo struct {
	ConnectedAt  time.Time
	LastActiveAt time.Time
	SourceIP     string
	UserAgent    string
}

// wsConn is a connection this node holds. It is registered before the
// upgrade completes (a client may have its id used by the time it reads
// the 101): ready closes once c is set (nil when the upgrade failed).
type wsConn struct {
	rec        connRecord
	ready      chan struct{}
	c          *websocket.Conn
	lastActive atomic.Int64 // unix nanoseconds
	closing    atomic.Bool  // closed by DeleteConnection: $disconnect says so
}

// wsHub holds this node's connections and answers forwarded calls.
type wsHub struct {
	g    *Gateway
	node string

	kvMu sync.Mutex
	kv   jetstream.KeyValue

	mu    sync.Mutex
	conns map[string]*wsConn
	sub   *nats.Subscription
	wg    sync.WaitGroup // connections being served
}

func newHub(g *Gateway) *wsHub {
	return &wsHub{g: g, node: randomID(16), conns: map[string]*wsConn{}}
}

// start subscribes to this node's subject.
func (h *wsHub) start() error {
	nc := h.g.opts.Backbone.Conn()
	if nc == nil {
		return errors.New("gateway: websocket hub: no NATS connection")
	}
	sub, err := nc.Subscribe(wsSubjectPrefix+h.node, h.onForward)
	if err != nil {
		return fmt.Errorf("gateway: websocket hub: subscribe: %w", err)
	}
	h.mu.Lock()
	h.sub = sub
	h.mu.Unlock()
	return nil
}

// stop closes this node's connections (their $disconnect runs) and
// stops answering forwarded calls.
func (h *wsHub) stop(ctx context.Context) {
	h.mu.Lock()
	sub := h.sub
	h.sub = nil
	conns := make([]*wsConn, 0, len(h.conns))
	for _, c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	if sub != nil {
		_ = sub.Unsubscribe()
	}
	for _, c := range conns {
		select {
		case <-c.ready:
			if c.c != nil {
				_ = c.c.Close(websocket.StatusGoingAway, "Going away")
			}
		default: // its upgrade is under way: serveWebSocket closes it
		}
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (h *wsHub) store(ctx context.Context) (jetstream.KeyValue, error) {
	h.kvMu.Lock()
	defer h.kvMu.Unlock()
	if h.kv != nil {
		return h.kv, nil
	}
	kv, err := h.g.opts.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: connectionsBucket, Description: "nubo WebSocket connections: the node holding each", History: 1})
	if err != nil {
		return nil, fmt.Errorf("websocket connections: %w", err)
	}
	h.kv = kv
	return kv, nil
}

// register records c as this node's and holds it.
func (h *wsHub) register(ctx context.Context, c *wsConn) error {
	kv, err := h.store(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(c.rec)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, c.rec.ID, b); err != nil {
		return fmt.Errorf("connection %s: register: %w", c.rec.ID, err)
	}
	h.mu.Lock()
	h.conns[c.rec.ID] = c
	h.mu.Unlock()
	return nil
}

// unregister forgets c (its record only if it is still this node's).
func (h *wsHub) unregister(ctx context.Context, c *wsConn) {
	h.mu.Lock()
	delete(h.conns, c.rec.ID)
	h.mu.Unlock()
	h.dropRecord(ctx, c.rec.ID, h.node)
}

// dropRecord deletes the record of id if node owns it.
func (h *wsHub) dropRecord(ctx context.Context, id, node string) {
	kv, err := h.store(ctx)
	if err != nil {
		return
	}
	e, err := kv.Get(ctx, id)
	if err != nil {
		return
	}
	var rec connRecord
	if json.Unmarshal(e.Value(), &rec) == nil && rec.Node == node {
		_ = kv.Delete(ctx, id, jetstream.LastRevision(e.Revision()))
	}
}

func (h *wsHub) local(id string) *wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns[id]
}

// lookup reads a connection's record (ErrGone when there is none).
func (h *wsHub) lookup(ctx context.Context, id string) (connRecord, error) {
	if !validConnID(id) {
		return connRecord{}, ErrGone
	}
	kv, err := h.store(ctx)
	if err != nil {
		return connRecord{}, err
	}
	e, err := kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return connRecord{}, ErrGone
	}
	if err != nil {
		return connRecord{}, fmt.Errorf("connection %s: %w", id, err)
	}
	var rec connRecord
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return connRecord{}, fmt.Errorf("connection %s: decode: %w", id, err)
	}
	return rec, nil
}

// validConnID: connection ids are letters, digits and '=' (the shape
// newConnID draws), which KV keys allow.
func validConnID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '=') {
			return false
		}
	}
	return true
}

const connIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newConnID draws a connection id in API Gateway's shape ("GmK4ncDPoAMCKxg=").
func newConnID() string {
	var rnd [15]byte
	_, _ = rand.Read(rnd[:])
	out := make([]byte, 0, 16)
	for _, b := range rnd {
		out = append(out, connIDAlphabet[int(b)%len(connIDAlphabet)])
	}
	return string(out) + "="
}

// forward is a management call sent to the owning node.
type forward struct {
	Op   string `json:"op"` // post, get, delete
	ID   string `json:"id"`
	Data []byte `json:"data,omitempty"`
}

type forwardReply struct {
	Gone  bool            `json:"gone,omitempty"`
	Error string          `json:"error,omitempty"`
	Info  *ConnectionInfo `json:"info,omitempty"`
}

// onForward serves a call another node forwarded.
func (h *wsHub) onForward(m *nats.Msg) {
	var f forward
	var reply forwardReply
	if err := json.Unmarshal(m.Data, &f); err != nil {
		reply.Error = "bad forward: " + err.Error()
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		info, err := h.doLocal(ctx, f)
		cancel()
		switch {
		case errors.Is(err, ErrGone):
			reply.Gone = true
		case err != nil:
			reply.Error = err.Error()
		default:
			reply.Info = info
		}
	}
	b, _ := json.Marshal(reply)
	_ = m.Respond(b)
}

// doLocal runs a management call on a connection this node holds.
func (h *wsHub) doLocal(ctx context.Context, f forward) (*ConnectionInfo, error) {
	c := h.local(f.ID)
	if c == nil {
		return nil, ErrGone
	}
	select {
	case <-c.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if c.c == nil {
		return nil, ErrGone
	}
	switch f.Op {
	case "post":
		typ := websocket.MessageText
		if !utf8.Valid(f.Data) {
			typ = websocket.MessageBinary
		}
		if err := c.c.Write(ctx, typ, f.Data); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrGone, err)
		}
		return nil, nil
	case "get":
		return &ConnectionInfo{ConnectedAt: c.rec.ConnectedAt, LastActiveAt: time.Unix(0, c.lastActive.Load()).UTC(),
			SourceIP: c.rec.SourceIP, UserAgent: c.rec.UserAgent}, nil
	case "delete":
		// The close handshake waits for the client (up to 5 s): the caller
		// does not, as on AWS.
		c.closing.Store(true)
		go func() { _ = c.c.Close(websocket.StatusNormalClosure, "") }()
		return nil, nil
	}
	return nil, fmt.Errorf("unknown operation %q", f.Op)
}

// call runs a management call wherever the connection lives.
func (h *wsHub) call(ctx context.Context, f forward) (*ConnectionInfo, error) {
	rec, err := h.lookup(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	if rec.Node == h.node {
		info, err := h.doLocal(ctx, f)
		if errors.Is(err, ErrGone) {
			h.dropRecord(ctx, f.ID, h.node)
		}
		return info, err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	nc := h.g.opts.Backbone.Conn()
	m, err := nc.RequestWithContext(ctx, wsSubjectPrefix+rec.Node, b)
	if errors.Is(err, nats.ErrNoResponders) {
		// The owner is gone, and its sockets with it.
		h.dropRecord(ctx, f.ID, rec.Node)
		return nil, ErrGone
	}
	if err != nil {
		return nil, fmt.Errorf("connection %s: node %s: %w", f.ID, rec.Node, err)
	}
	var reply forwardReply
	if err := json.Unmarshal(m.Data, &reply); err != nil {
		return nil, fmt.Errorf("connection %s: node %s: %w", f.ID, rec.Node, err)
	}
	switch {
	case reply.Gone:
		return nil, ErrGone
	case reply.Error != "":
		return nil, fmt.Errorf("connection %s: node %s: %s", f.ID, rec.Node, reply.Error)
	}
	return reply.Info, nil
}

// PostToConnection sends data to a connection, on whichever node holds it.
func (g *Gateway) PostToConnection(ctx context.Context, id string, data []byte) error {
	_, err := g.ws.call(ctx, forward{Op: "post", ID: id, Data: data})
	return err
}

// GetConnection describes a connection.
func (g *Gateway) GetConnection(ctx context.Context, id string) (ConnectionInfo, error) {
	info, err := g.ws.call(ctx, forward{Op: "get", ID: id})
	if err != nil {
		return ConnectionInfo{}, err
	}
	if info == nil {
		return ConnectionInfo{}, ErrGone
	}
	return *info, nil
}

// DeleteConnection closes a connection; its $disconnect route runs.
func (g *Gateway) DeleteConnection(ctx context.Context, id string) error {
	_, err := g.ws.call(ctx, forward{Op: "delete", ID: id})
	return err
}

// ConnectionAPI is the API and stage a connection belongs to (for the
// ARN the management API authorizes on); ErrGone when unknown.
func (g *Gateway) ConnectionAPI(ctx context.Context, id string) (apiID, stage string, err error) {
	rec, err := g.ws.lookup(ctx, id)
	return rec.APIID, rec.Stage, err
}
