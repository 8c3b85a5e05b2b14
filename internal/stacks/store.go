package stacks

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// JetStream names.
const (
	stateBucket   = "nubo_stacks"
	eventsStream  = "NUBO_STACK_EVENTS"
	eventsSubject = "nubo.stacks.events."
)

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// ValidStackName checks a stack name (CloudFormation's rule).
func ValidStackName(name string) error {
	if !stackNameRE.MatchString(name) {
		return fmt.Errorf("stack name %q: must start with a letter and hold only letters, digits and hyphens (at most 128)", name)
	}
	return nil
}

// store keeps stack state, deployment history, locks and exports in one
// JetStream KV bucket:
//
//	state.NAME               the current StackState
//	history.NAME.00000042    the StackState each deployment ended with
//	lock.NAME                the deployment lock
//	export.HEX(name)         an export: name, value, exporting stack
//
// A deployment writes the whole state at its start and end; in between each
// resource change is a small record on the journal stream (subject
// nubo.stacks.journal.NAME), folded back in by get while the state says a
// deployment is in progress.
type store struct {
	kv jetstream.KeyValue
	js jetstream.JetStream
	bb *backbone.Backbone // names the region's streams and subjects
}

const (
	journalStream  = "NUBO_STACK_JOURNAL"
	journalSubject = "nubo.stacks.journal."
)

// journalRec is one resource change during a deployment.
type journalRec struct {
	Kind string         `json:"k"` // res, cleanup+, cleanup-
	ID   string         `json:"id,omitempty"`
	Res  *ResourceState `json:"r,omitempty"`
	Phys string         `json:"p,omitempty"`
}

func (s *store) journal(ctx context.Context, stack string, rec journalRec) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = s.js.Publish(ctx, s.bb.Subject(journalSubject+stack), b)
	return err
}

func (s *store) purgeJournal(ctx context.Context, stack string) error {
	st, err := s.js.Stream(ctx, s.bb.Name(journalStream))
	if err != nil {
		return err
	}
	return st.Purge(ctx, jetstream.WithPurgeSubject(s.bb.Subject(journalSubject+stack)))
}

// replay folds the journal into st.
func (s *store) replay(ctx context.Context, st *StackState) error {
	msgs, err := readSubject(ctx, s.js, s.bb.Name(journalStream), s.bb.Subject(journalSubject+st.Name))
	if err != nil {
		return err
	}
	for _, m := range msgs {
		var rec journalRec
		if json.Unmarshal(m, &rec) != nil {
			continue
		}
		switch rec.Kind {
		case "res":
			if rec.Res == nil {
				delete(st.Resources, rec.ID)
			} else {
				st.Resources[rec.ID] = rec.Res
			}
		case "cleanup+":
			if rec.Res != nil && findRes(st.Cleanup, rec.Res.PhysicalID) == nil {
				st.Cleanup = append(st.Cleanup, rec.Res)
			}
		case "cleanup-":
			st.Cleanup = removeRes(st.Cleanup, findRes(st.Cleanup, rec.Phys))
		}
	}
	return nil
}

// readSubject returns the stored messages of subject, oldest first.
func readSubject(ctx context.Context, js jetstream.JetStream, stream, subject string) ([][]byte, error) {
	c, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		return nil, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return nil, err
	}
	pending := info.NumPending
	var out [][]byte
	for pending > 0 {
		batch, err := c.Fetch(int(min(pending, 500)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			out = append(out, m.Data())
		}
		if n == 0 {
			break
		}
		pending -= uint64(n)
	}
	return out, nil
}

type exportRecord struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Stack string `json:"stack"`
}

// States larger than this are gzipped: a KV value is one NATS message,
// limited to the server's max payload (1 MiB by default).
const compressAbove = 256 << 10

func encodeState(st *StackState) ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil || len(b) <= compressAbove {
		return b, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeState(b []byte, st *StackState) error {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if b, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	return json.Unmarshal(b, st)
}

func (s *store) get(ctx context.Context, name string) (*StackState, uint64, error) {
	e, err := s.kv.Get(ctx, "state."+name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("stack %q: read state: %w", name, err)
	}
	var st StackState
	if err := decodeState(e.Value(), &st); err != nil {
		return nil, 0, fmt.Errorf("stack %q: decode state: %w", name, err)
	}
	if st.Resources == nil {
		st.Resources = map[string]*ResourceState{}
	}
	if st.InProgress() {
		if err := s.replay(ctx, &st); err != nil {
			return nil, 0, fmt.Errorf("stack %q: replay journal: %w", name, err)
		}
	}
	return &st, e.Revision(), nil
}

func (s *store) put(ctx context.Context, st *StackState) error {
	b, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("stack %q: encode state: %w", st.Name, err)
	}
	if _, err := s.kv.Put(ctx, "state."+st.Name, b); err != nil {
		return fmt.Errorf("stack %q: write state: %w", st.Name, err)
	}
	return nil
}

func (s *store) record(ctx context.Context, st *StackState) error {
	b, err := encodeState(st)
	if err != nil {
		return err
	}
	if _, err := s.kv.Put(ctx, fmt.Sprintf("history.%s.%08d", st.Name, st.Version), b); err != nil {
		return fmt.Errorf("stack %q: record deployment %d: %w", st.Name, st.Version, err)
	}
	return nil
}

func (s *store) remove(ctx context.Context, name string) error {
	if err := s.kv.Delete(ctx, "state."+name); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("stack %q: delete state: %w", name, err)
	}
	return nil
}

// keys lists keys with prefix (an empty bucket is no error).
func (s *store) keys(ctx context.Context, prefix string) ([]string, error) {
	lister, err := s.kv.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

func (s *store) list(ctx context.Context) ([]*StackState, error) {
	keys, err := s.keys(ctx, "state.")
	if err != nil {
		return nil, fmt.Errorf("list stacks: %w", err)
	}
	var out []*StackState
	for _, k := range keys {
		st, _, err := s.get(ctx, strings.TrimPrefix(k, "state."))
		if err != nil {
			return nil, err
		}
		if st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

func (s *store) history(ctx context.Context, name string) ([]*StackState, error) {
	keys, err := s.keys(ctx, "history."+name+".")
	if err != nil {
		return nil, fmt.Errorf("stack %q: history: %w", name, err)
	}
	var out []*StackState
	for _, k := range keys {
		e, err := s.kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var st StackState
		if decodeState(e.Value(), &st) == nil {
			out = append(out, &st)
		}
	}
	return out, nil
}

// lastVersion is the highest deployment recorded for name (0 if none).
func (s *store) lastVersion(ctx context.Context, name string) int {
	keys, err := s.keys(ctx, "history."+name+".")
	if err != nil || len(keys) == 0 {
		return 0
	}
	var v int
	_, _ = fmt.Sscanf(keys[len(keys)-1], "history."+name+".%d", &v)
	return v
}

func exportKey(name string) string { return "export." + hex.EncodeToString([]byte(name)) }

func (s *store) export(ctx context.Context, name string) (*exportRecord, error) {
	e, err := s.kv.Get(ctx, exportKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export %q: %w", name, err)
	}
	var r exportRecord
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return nil, fmt.Errorf("export %q: %w", name, err)
	}
	return &r, nil
}

func (s *store) exports(ctx context.Context) ([]exportRecord, error) {
	keys, err := s.keys(ctx, "export.")
	if err != nil {
		return nil, fmt.Errorf("list exports: %w", err)
	}
	var out []exportRecord
	for _, k := range keys {
		e, err := s.kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var r exportRecord
		if json.Unmarshal(e.Value(), &r) == nil {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// syncExports makes the stored exports of stack equal want.
func (s *store) syncExports(ctx context.Context, stack string, old, want map[string]string) error {
	for name := range old {
		if _, keep := want[name]; keep {
			continue
		}
		if r, err := s.export(ctx, name); err == nil && r != nil && r.Stack == stack {
			if err := s.kv.Delete(ctx, exportKey(name)); err != nil {
				return fmt.Errorf("export %q: delete: %w", name, err)
			}
		}
	}
	for _, name := range sortedKeys(want) {
		b, _ := json.Marshal(exportRecord{Name: name, Value: want[name], Stack: stack})
		if _, err := s.kv.Put(ctx, exportKey(name), b); err != nil {
			return fmt.Errorf("export %q: write: %w", name, err)
		}
	}
	return nil
}

// importers returns, for each export name, the stacks (other than except)
// that import it.
func (s *store) importers(ctx context.Context, except string) (map[string][]string, error) {
	all, err := s.list(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, st := range all {
		if st.Name == except {
			continue
		}
		for _, imp := range st.Imports {
			out[imp] = append(out[imp], st.Name)
		}
	}
	return out, nil
}

// LockInfo is the content of a stack's lock.
type LockInfo struct {
	Owner     string    `json:"owner"` // the engine instance holding it
	Operation string    `json:"operation"`
	Since     time.Time `json:"since"`
	Heartbeat time.Time `json:"heartbeat"`
}

type lock struct {
	s    *store
	key  string
	info LockInfo
	rev  uint64
	stop chan struct{}
	done chan struct{}
}

// acquire takes the lock of stack name. A lock whose holder is gone (another
// engine instance on an embedded backbone, or a heartbeat older than
// staleAfter) is taken over; the stale holder's info is returned then.
func (s *store) acquire(ctx context.Context, name, owner, op string, embedded bool, staleAfter time.Duration) (*lock, *LockInfo, error) {
	key := "lock." + name
	now := time.Now().UTC()
	info := LockInfo{Owner: owner, Operation: op, Since: now, Heartbeat: now}
	b, _ := json.Marshal(info)
	rev, err := s.kv.Create(ctx, key, b)
	if err == nil {
		return s.hold(key, info, rev, staleAfter), nil, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, nil, fmt.Errorf("stack %q: lock: %w", name, err)
	}
	e, gerr := s.kv.Get(ctx, key)
	if gerr != nil {
		return nil, nil, fmt.Errorf("stack %q: lock: %w", name, gerr)
	}
	var held LockInfo
	_ = json.Unmarshal(e.Value(), &held)
	stale := held.Owner != owner && (embedded || time.Since(held.Heartbeat) > staleAfter)
	if !stale {
		return nil, &held, fmt.Errorf("stack %q: %w (%s since %s); try again when it finishes", name, ErrStackBusy, held.Operation, held.Since.Format(time.RFC3339))
	}
	rev, err = s.kv.Update(ctx, key, b, e.Revision())
	if err != nil {
		return nil, &held, fmt.Errorf("stack %q: %w", name, ErrStackBusy)
	}
	return s.hold(key, info, rev, staleAfter), &held, nil
}

func (s *store) hold(key string, info LockInfo, rev uint64, staleAfter time.Duration) *lock {
	l := &lock{s: s, key: key, info: info, rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
	go l.heartbeat(staleAfter / 3)
	return l
}

func (l *lock) heartbeat(every time.Duration) {
	defer close(l.done)
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.info.Heartbeat = time.Now().UTC()
			b, _ := json.Marshal(l.info)
			ctx, cancel := context.WithTimeout(context.Background(), every)
			if rev, err := l.s.kv.Update(ctx, l.key, b, l.rev); err == nil {
				l.rev = rev
			}
			cancel()
		}
	}
}

func (l *lock) release(ctx context.Context) error {
	close(l.stop)
	<-l.done
	if err := l.s.kv.Delete(ctx, l.key, jetstream.LastRevision(l.rev)); err != nil {
		return fmt.Errorf("release %s: %w", l.key, err)
	}
	return nil
}

func (s *store) lockInfo(ctx context.Context, name string) *LockInfo {
	e, err := s.kv.Get(ctx, "lock."+name)
	if err != nil {
		return nil
	}
	var li LockInfo
	if json.Unmarshal(e.Value(), &li) != nil {
		return nil
	}
	return &li
}
