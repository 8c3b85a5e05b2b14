package tables

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/tables/attr"
)

const metaBucket = "nubo_tables"

// KeyElement is one element of a key schema.
type KeyElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

// AttributeDefinition declares a key attribute's type.
type AttributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// Projection is an index's projection.
type Projection struct {
	ProjectionType   string   `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string `json:"NonKeyAttributes,omitempty"`
}

// Throughput is provisioned throughput (recorded, not enforced).
type Throughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

// Index is a secondary index as stored (recorded; queries on indexes are
// not served yet).
type Index struct {
	IndexName             string       `json:"IndexName"`
	KeySchema             []KeyElement `json:"KeySchema"`
	Projection            Projection   `json:"Projection"`
	ProvisionedThroughput *Throughput  `json:"ProvisionedThroughput,omitempty"`
}

// StreamSpec is a table's stream specification (recorded).
type StreamSpec struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// Table is a table's description as stored.
type Table struct {
	Name               string                `json:"name"`
	ID                 string                `json:"id"`
	KeySchema          []KeyElement          `json:"key_schema"`
	Attributes         []AttributeDefinition `json:"attributes"`
	BillingMode        string                `json:"billing_mode"`
	Throughput         *Throughput           `json:"throughput,omitempty"`
	GSIs               []Index               `json:"gsis,omitempty"`
	LSIs               []Index               `json:"lsis,omitempty"`
	Stream             *StreamSpec           `json:"stream,omitempty"`
	StreamLabel        string                `json:"stream_label,omitempty"`
	Tags               map[string]string     `json:"tags,omitempty"`
	TTL                string                `json:"ttl_attribute,omitempty"`
	Created            time.Time             `json:"created"`
	DeletionProtection bool                  `json:"deletion_protection,omitempty"`
}

// Hash and Range are the key attribute names ("" for no sort key).
func (t *Table) Hash() string { return t.keyOf("HASH") }

// Range is the sort key's name, "" without one.
func (t *Table) Range() string { return t.keyOf("RANGE") }

func (t *Table) keyOf(kind string) string {
	for _, k := range t.KeySchema {
		if k.KeyType == kind {
			return k.AttributeName
		}
	}
	return ""
}

// KindOf is a key attribute's declared type.
func (t *Table) KindOf(name string) attr.Kind {
	for _, a := range t.Attributes {
		if a.AttributeName == name {
			return attr.Kind(a.AttributeType)
		}
	}
	return ""
}

func (t *Table) bucket() string { return "nubo_tbl_" + t.ID }

// Options configures a Store.
type Options struct {
	// Backbone is the region's view the platform passes.
	Backbone   *backbone.Backbone
	Account    awsapi.Account
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
	// Now is the clock (tests inject one); default time.Now.
	Now func() time.Time
}

// Store is the tables of one region.
type Store struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	meta    *backbone.KV[Table]
	cache   *backbone.Cache[Table]
	buckets map[string]jetstream.KeyValue
}

// New validates o; it starts nothing.
func New(o Options) (*Store, error) {
	if o.Backbone == nil {
		return nil, errors.New("tables: a backbone is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Account.Region == "" {
		o.Account = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{opts: o, log: o.Logger, buckets: map[string]jetstream.KeyValue{}}, nil
}

// Start opens the table bucket and the watched view of it.
func (s *Store) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.meta != nil {
		return nil
	}
	meta, err := backbone.OpenKV[Table](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: metaBucket, Description: "nubo DynamoDB tables", History: 1})
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	cache, err := backbone.NewCache(ctx, meta)
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	s.meta, s.cache = meta, cache
	s.buckets = map[string]jetstream.KeyValue{}
	return nil
}

// Close stops the watch; idempotent.
func (s *Store) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache != nil {
		s.cache.Close()
	}
	s.meta, s.cache = nil, nil
	return nil
}

func (s *Store) started() (*backbone.KV[Table], *backbone.Cache[Table], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.meta == nil {
		return nil, nil, errors.New("tables: store not started")
	}
	return s.meta, s.cache, nil
}

// ARN is a table's ARN.
func (s *Store) ARN(name string) string { return s.opts.Account.ARN("dynamodb", "table/"+name) }

// Table returns a table's description: from the watched view, or from the
// bucket when this node has not seen it yet.
func (s *Store) Table(ctx context.Context, name string) (*Table, error) {
	meta, cache, err := s.started()
	if err != nil {
		return nil, err
	}
	if t, _, ok := cache.Get(name); ok {
		return t, nil
	}
	t, _, err := meta.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound(name)
	}
	return t, err
}

// TableNow returns a table's description as the bucket holds it now (what
// DescribeTable answers: a change this or another node just made shows at
// once, where the watched view may lag).
func (s *Store) TableNow(ctx context.Context, name string) (*Table, error) {
	meta, _, err := s.started()
	if err != nil {
		return nil, err
	}
	t, _, err := meta.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound(name)
	}
	return t, err
}

// Tables lists the tables' names, sorted.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	meta, _, err := s.started()
	if err != nil {
		return nil, err
	}
	return meta.Keys(ctx, "")
}

// Create stores a new table and opens its item bucket.
func (s *Store) Create(ctx context.Context, t *Table) (*Table, error) {
	meta, _, err := s.started()
	if err != nil {
		return nil, err
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	t.ID = hex.EncodeToString(id)
	t.Created = s.opts.Now().UTC()
	if _, err := s.itemsOf(ctx, t, true); err != nil {
		return nil, err
	}
	if _, err := meta.Create(ctx, t.Name, t); err != nil {
		if backbone.IsConflict(err) {
			_ = s.dropBucket(ctx, t)
			return nil, awsapi.Errorf(400, "ResourceInUseException", "Table already exists: %s", t.Name)
		}
		return nil, err
	}
	return t, nil
}

// Update changes a table's description.
func (s *Store) Update(ctx context.Context, name string, fn func(t *Table) error) (*Table, error) {
	meta, _, err := s.started()
	if err != nil {
		return nil, err
	}
	e, err := meta.Modify(ctx, name, func(cur *Table, exists bool) (*Table, error) {
		if !exists {
			return nil, notFound(name)
		}
		return cur, fn(cur)
	})
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

// Delete deletes a table and its items.
func (s *Store) Delete(ctx context.Context, name string) (*Table, error) {
	meta, _, err := s.started()
	if err != nil {
		return nil, err
	}
	var gone *Table
	_, err = meta.Modify(ctx, name, func(cur *Table, exists bool) (*Table, error) {
		if !exists {
			return nil, notFound(name)
		}
		if cur.DeletionProtection {
			return nil, awsapi.Errorf(400, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
		}
		gone = cur
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return gone, s.dropBucket(ctx, gone)
}

func (s *Store) dropBucket(ctx context.Context, t *Table) error {
	name := s.opts.Backbone.Name(t.bucket())
	s.mu.Lock()
	delete(s.buckets, name)
	s.mu.Unlock()
	err := s.opts.Backbone.JetStream().DeleteKeyValue(ctx, name)
	if err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("tables: drop %s: %w", t.Name, err)
	}
	return nil
}

// itemsOf opens (create: makes) a table's item bucket.
func (s *Store) itemsOf(ctx context.Context, t *Table, create bool) (jetstream.KeyValue, error) {
	name := s.opts.Backbone.Name(t.bucket())
	s.mu.Lock()
	kv := s.buckets[name]
	s.mu.Unlock()
	if kv != nil {
		return kv, nil
	}
	var err error
	if create {
		kv, err = s.opts.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: t.bucket(), Description: "nubo DynamoDB table " + t.Name, History: 1})
	} else {
		kv, err = s.opts.Backbone.JetStream().KeyValue(ctx, name)
	}
	if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, notFound(t.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("tables: open %s: %w", t.Name, err)
	}
	s.mu.Lock()
	s.buckets[name] = kv
	s.mu.Unlock()
	return kv, nil
}

func notFound(name string) error {
	return awsapi.Errorf(400, "ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}
