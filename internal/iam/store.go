package iam

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// Options configures a Store.
type Options struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	// Bucket is the JetStream KV bucket (default "iam").
	Bucket string
	Logger *slog.Logger
}

// Store keeps roles and customer managed policies in a JetStream KV bucket;
// AWS managed policies are built in. Every node sees every change: a KV
// watch tells the listeners (the Authorizer's cache) what changed.
type Store struct {
	bb      *backbone.Backbone
	account awsapi.Account
	bucket  string
	log     *slog.Logger
	now     func() time.Time

	mu        sync.Mutex
	kv        jetstream.KeyValue
	listeners []func()
	cancel    context.CancelFunc
	done      chan struct{}
}

// New validates o. It does no I/O.
func New(o Options) (*Store, error) {
	if o.Backbone == nil {
		return nil, errors.New("iam: a backbone is required")
	}
	if o.Account.ID == "" {
		o.Account.ID = awsapi.DefaultAccountID
	}
	if o.Account.Region == "" {
		o.Account.Region = awsapi.DefaultRegion
	}
	if o.Bucket == "" {
		o.Bucket = "iam"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{bb: o.Backbone, account: o.Account, bucket: o.Bucket, log: o.Logger, now: time.Now}, nil
}

// Start opens the bucket and watches it for changes made by any node.
func (s *Store) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return nil
	}
	kv, err := s.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: s.bucket, History: 1, Description: "nubo IAM roles and policies"})
	if err != nil {
		return fmt.Errorf("iam: %w", err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	w, err := kv.WatchFiltered(wctx, []string{"roles.>", "policies.>", "users.>", "groups.>"}, jetstream.UpdatesOnly(), jetstream.MetaOnly())
	if err != nil {
		cancel()
		return fmt.Errorf("iam: watch: %w", err)
	}
	s.kv, s.cancel, s.done = kv, cancel, make(chan struct{})
	go s.watch(w, s.done)
	return nil
}

func (s *Store) watch(w jetstream.KeyWatcher, done chan struct{}) {
	defer close(done)
	defer func() { _ = w.Stop() }()
	for e := range w.Updates() {
		if e != nil {
			s.changed()
		}
	}
}

// Close stops the watch. Idempotent.
func (s *Store) Close(ctx context.Context) error {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// OnChange registers f, called after any role or policy changes (here or on
// another node).
func (s *Store) OnChange(f func()) {
	s.mu.Lock()
	s.listeners = append(s.listeners, f)
	s.mu.Unlock()
}

func (s *Store) changed() {
	s.mu.Lock()
	ls := append([]func(){}, s.listeners...)
	s.mu.Unlock()
	for _, f := range ls {
		f()
	}
}

// Account is the account roles and policies belong to.
func (s *Store) Account() awsapi.Account { return s.account }

func (s *Store) bucketKV() (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv == nil {
		return nil, errors.New("iam: store not started")
	}
	return s.kv, nil
}

// keyPart encodes a case-insensitive name as a KV key token: IAM names are
// unique regardless of case, and may hold + = , . @ which keys may not.
func keyPart(name string) string {
	var b strings.Builder
	for _, c := range []byte(strings.ToLower(name)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02x", c)
		}
	}
	return b.String()
}

func roleKey(name string) string   { return "roles." + keyPart(name) }
func policyKey(name string) string { return "policies." + keyPart(name) }

func (s *Store) get(ctx context.Context, key string, v any) (uint64, error) {
	kv, err := s.bucketKV()
	if err != nil {
		return 0, err
	}
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, ErrNoSuchEntity
	}
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("decode %s: %w", key, err)
	}
	return e.Revision(), nil
}

func (s *Store) create(ctx context.Context, key string, v any) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := kv.Create(ctx, key, b); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return ErrEntityExists
		}
		return err
	}
	s.changed()
	return nil
}

// modify applies f to the record at key, retrying on concurrent updates.
func modify[T any](ctx context.Context, s *Store, key string, f func(*T) error) (T, error) {
	kv, err := s.bucketKV()
	if err != nil {
		var zero T
		return zero, err
	}
	e, err := backbone.Typed[T](kv).Modify(ctx, key, func(cur *T, exists bool) (*T, error) {
		if !exists {
			return nil, ErrNoSuchEntity
		}
		if err := f(cur); err != nil {
			return nil, err
		}
		return cur, nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	s.changed()
	return *e.Value, nil
}

func (s *Store) remove(ctx context.Context, key string, rev uint64) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, key, jetstream.LastRevision(rev)); err != nil {
		return err
	}
	s.changed()
	return nil
}

func (s *Store) list(ctx context.Context, prefix string, each func([]byte) error) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	l, err := kv.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		return err
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := each(e.Value()); err != nil {
			return err
		}
	}
	return nil
}

// newID returns prefix + 17 random characters, the shape of IAM unique ids.
func newID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b [17]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b[:])
}

// ---- validation ----

func validName(kind, name string, max int) error {
	if name == "" || len(name) > max {
		return fmt.Errorf("%w: %s must be 1 to %d characters", ErrInvalidInput, kind, max)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c)) {
			return fmt.Errorf("%w: %s %q may contain only alphanumerics and _+=,.@-", ErrInvalidInput, kind, name)
		}
	}
	return nil
}

func validPath(path string) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > 512 || path[0] != '/' || path[len(path)-1] != '/' {
		return "", fmt.Errorf("%w: path %q must begin and end with /", ErrInvalidInput, path)
	}
	for _, c := range path {
		if c < 0x21 || c > 0x7e {
			return "", fmt.Errorf("%w: path %q has an invalid character", ErrInvalidInput, path)
		}
	}
	return path, nil
}

// IAM's hard quotas: what can never work on AWS fails here too (the
// defaults some of them can be raised from are lower).
const (
	maxInlineChars   = 10240 // all inline policies of a role, whitespace excluded
	maxManagedChars  = 6144  // one managed policy version, whitespace excluded
	maxTrustChars    = 4096  // a role trust policy (default quota 2048)
	maxAttachedRoles = 20    // managed policies per role (default quota 10)
)

// policyChars counts a document's characters, whitespace excluded, as IAM's
// size quotas do.
func policyChars(doc string) int {
	n := 0
	for _, c := range doc {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	return n
}

// MalformedPolicyError is a policy document that does not parse or validate.
type MalformedPolicyError struct{ Err error }

func (e *MalformedPolicyError) Error() string { return e.Err.Error() }
func (e *MalformedPolicyError) Unwrap() error { return e.Err }

// CheckPolicy checks doc against IAM's policy grammar (identity and trust
// policies: IAM's MalformedPolicyDocument messages), then parses, validates
// and compiles it as a policy of kind k.
func CheckPolicy(doc string, k policy.Kind) (*policy.Policy, error) {
	return checkPolicy(doc, policy.GrammarOptions{Kind: k})
}

// checkManagedPolicy is CheckPolicy for a managed policy's version, which
// must be "Version": "2012-10-17".
func checkManagedPolicy(doc string) (*policy.Policy, error) {
	return checkPolicy(doc, policy.GrammarOptions{Kind: policy.Identity, RequireVersion2012: true})
}

func checkPolicy(doc string, o policy.GrammarOptions) (*policy.Policy, error) {
	k := o.Kind
	if k != policy.ResourceBased {
		if err := policy.CheckGrammar([]byte(doc), o); err != nil {
			return nil, &MalformedPolicyError{Err: err}
		}
	}
	p, err := policy.Parse([]byte(doc))
	if err == nil {
		err = p.Validate(k)
	}
	if err == nil {
		_, err = p.Compile("check")
	}
	if err != nil {
		return nil, &MalformedPolicyError{Err: err}
	}
	return p, nil
}
