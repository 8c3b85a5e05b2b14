package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

const (
	bucket = "nubo_events"
	// DefaultBus is the bus every account has.
	DefaultBus = "default"
)

// Options configures a Service.
type Options struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	// Authorizer authorizes every EventBridge API request (nil: --iam off).
	Authorizer awsapi.Authorizer
	// Functions invokes function targets; nil fails them.
	Functions FunctionInvoker
	// Queues sends to queue targets and dead-letter queues; nil fails them.
	Queues QueueSender
	// Topics publishes to topic targets; nil fails them.
	Topics TopicPublisher
	// HTTP sends API destination requests (default http.DefaultClient).
	HTTP   *http.Client
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// ScheduleTick is how often this node looks for due scheduled rules
	// (default 1 s; negative: never, for tests that fire them by hand).
	ScheduleTick time.Duration
	// RetryDelay is the first delay of a target's retries, doubled up to a
	// minute (default 1 s).
	RetryDelay time.Duration
}

// Service is the event bus.
type Service struct {
	opts Options
	log  *slog.Logger
	kv   *backbone.KV[Bus]

	ingest  *backbone.WorkQueue
	deliver *backbone.WorkQueue

	names   *backbone.KV[archiveName]
	replays *backbone.KV[Replay]
	archive jetstream.Stream
	replayQ *backbone.WorkQueue

	schedules *backbone.KV[scheduleState]
	stopTicks context.CancelFunc
	ticks     sync.WaitGroup

	conns    *backbone.KV[Connection]
	apiDests *backbone.KV[APIDestination]

	mu       sync.Mutex
	compiled map[string]compiledBus // bus name → its rule set at a revision
}

type compiledBus struct {
	rev uint64
	set *eventpattern.Set
}

// New validates o; it starts nothing.
func New(o Options) (*Service, error) {
	if o.Backbone == nil {
		return nil, errors.New("events: a backbone is required")
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
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Second
	}
	return &Service{opts: o, log: o.Logger, compiled: map[string]compiledBus{}}, nil
}

// Start opens the bucket, makes sure the default bus exists and starts
// this node's delivery workers.
func (s *Service) Start(ctx context.Context) error {
	kv, err := backbone.OpenKV[Bus](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: bucket, Description: "nubo event buses and their rules"})
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	s.kv = kv
	if _, err := kv.Modify(ctx, busKey(DefaultBus), func(cur *Bus, exists bool) (*Bus, error) {
		if exists {
			return cur, nil
		}
		now := s.opts.Now().UTC()
		return &Bus{Name: DefaultBus, Created: now, Modified: now}, nil
	}); err != nil {
		return fmt.Errorf("events: the default bus: %w", err)
	}
	s.startAPIDestinations()
	s.schedules = backbone.Typed[scheduleState](kv.Raw())
	if err := s.startArchives(ctx); err != nil {
		return err
	}
	if err := s.startDelivery(ctx); err != nil {
		return err
	}
	if s.opts.ScheduleTick >= 0 {
		tick := s.opts.ScheduleTick
		if tick == 0 {
			tick = time.Second
		}
		tctx, cancel := context.WithCancel(context.Background())
		s.stopTicks = cancel
		s.ticks.Add(1)
		go func() {
			defer s.ticks.Done()
			s.runSchedules(tctx, tick)
		}()
	}
	return nil
}

// Close stops this node's workers.
func (s *Service) Close(ctx context.Context) error {
	if s.stopTicks != nil {
		s.stopTicks()
		s.ticks.Wait()
	}
	var errs []error
	for _, q := range []*backbone.WorkQueue{s.ingest, s.deliver, s.replayQ} {
		if q != nil {
			errs = append(errs, q.Close(ctx))
		}
	}
	return errors.Join(errs...)
}

// Account is where the buses live.
func (s *Service) Account() awsapi.Account { return s.opts.Account }

// busKey is a bus's key: bus names may hold characters KV keys may not.
func busKey(name string) string {
	var b strings.Builder
	b.WriteString("bus.")
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "=%02X", c)
	}
	return b.String()
}

// BusARN is arn:aws:events:REGION:ACCOUNT:event-bus/NAME.
func (s *Service) BusARN(name string) string { return s.opts.Account.ARN("events", "event-bus/"+name) }

// RuleARN is rule/NAME on the default bus, rule/BUS/NAME on another.
func (s *Service) RuleARN(bus, name string) string {
	if bus == DefaultBus {
		return s.opts.Account.ARN("events", "rule/"+name)
	}
	return s.opts.Account.ARN("events", "rule/"+bus+"/"+name)
}

// GetBus reads a bus and its revision.
func (s *Service) GetBus(ctx context.Context, name string) (*Bus, uint64, error) {
	b, rev, err := s.kv.Get(ctx, busKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("event bus %s does not exist: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("events: reading bus %s: %w", name, err)
	}
	return b, rev, nil
}

// ListBuses lists every bus, by name.
func (s *Service) ListBuses(ctx context.Context) ([]*Bus, error) {
	entries, err := s.kv.List(ctx, "bus.")
	if err != nil {
		return nil, fmt.Errorf("events: listing buses: %w", err)
	}
	out := make([]*Bus, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Value)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// modifyBus changes an existing bus through fn.
func (s *Service) modifyBus(ctx context.Context, name string, fn func(b *Bus) error) (*Bus, error) {
	e, err := s.kv.Modify(ctx, busKey(name), func(cur *Bus, exists bool) (*Bus, error) {
		if !exists {
			return nil, fmt.Errorf("event bus %s does not exist: %w", name, ErrNotFound)
		}
		if cur.Rules == nil {
			cur.Rules = map[string]*Rule{}
		}
		if err := fn(cur); err != nil {
			return nil, err
		}
		cur.Modified = s.opts.Now().UTC()
		return cur, nil
	})
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

// CreateBus creates a bus.
func (s *Service) CreateBus(ctx context.Context, b Bus) (*Bus, error) {
	now := s.opts.Now().UTC()
	b.Created, b.Modified = now, now
	e, err := s.kv.Modify(ctx, busKey(b.Name), func(cur *Bus, exists bool) (*Bus, error) {
		if exists {
			return nil, fmt.Errorf("event bus %s already exists: %w", b.Name, ErrExists)
		}
		return &b, nil
	})
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

// DeleteBus deletes a bus (not the default one); deleting one that does
// not exist succeeds, as on EventBridge.
func (s *Service) DeleteBus(ctx context.Context, name string) error {
	if name == DefaultBus {
		return fmt.Errorf("cannot delete event bus default: %w", ErrValidation)
	}
	b, rev, err := s.GetBus(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(b.Rules) > 0 || len(b.Archives) > 0 {
		return fmt.Errorf("event bus %s has rules or archives: delete them first: %w", name, ErrValidation)
	}
	if err := s.kv.Delete(ctx, busKey(name), rev); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("events: deleting bus %s: %w", name, err)
	}
	return nil
}

// ruleSet answers the compiled rule set of a bus, compiling it once per
// revision of the bus's record.
func (s *Service) ruleSet(b *Bus, rev uint64) (*eventpattern.Set, error) {
	s.mu.Lock()
	c, ok := s.compiled[b.Name]
	s.mu.Unlock()
	if ok && c.rev == rev {
		return c.set, nil
	}
	var pats []eventpattern.Pattern
	names := make([]string, 0, len(b.Rules))
	for n := range b.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := b.Rules[n]
		if r.EventPattern == "" || r.State != StateEnabled {
			continue
		}
		pats = append(pats, eventpattern.Pattern{ID: n, JSON: r.EventPattern})
	}
	set, err := eventpattern.Compile(pats)
	if err != nil {
		return nil, fmt.Errorf("events: bus %s: %w", b.Name, err)
	}
	s.mu.Lock()
	s.compiled[b.Name] = compiledBus{rev: rev, set: set}
	s.mu.Unlock()
	return set, nil
}
