package parameters

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

const bucket = "nubo_parameters"

// Parameter types.
const (
	TypeString       = "String"
	TypeStringList   = "StringList"
	TypeSecureString = "SecureString"
)

// Parameter is one stored parameter.
type Parameter struct {
	Name           string            `json:"name"`
	Type           string            `json:"type"`
	Value          string            `json:"value"`
	Description    string            `json:"description,omitempty"`
	AllowedPattern string            `json:"allowed_pattern,omitempty"`
	Tier           string            `json:"tier,omitempty"`
	DataType       string            `json:"data_type,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	// Labels maps each label of the parameter to the version it is on;
	// kept on the current record only (a label moves between versions).
	Labels           map[string]int64 `json:"labels,omitempty"`
	Version          int64            `json:"version"`
	LastModified     time.Time        `json:"last_modified"`
	LastModifiedUser string           `json:"last_modified_user,omitempty"`
}

// Options configures a Store.
type Options struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	// Authorizer authorizes every SSM API request (nil: --iam off).
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
}

// Store is the parameter store.
type Store struct {
	opts Options
	log  *slog.Logger

	mu sync.Mutex
	kv jetstream.KeyValue
}

// New validates o; it starts nothing.
func New(o Options) (*Store, error) {
	if o.Backbone == nil {
		return nil, errors.New("parameters: a backbone is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Account.Region == "" {
		o.Account = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	}
	return &Store{opts: o, log: o.Logger}, nil
}

// Start opens the bucket.
func (s *Store) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return nil
	}
	kv, err := s.opts.Backbone.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, Description: "nubo SSM parameters", History: 1})
	if err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	s.kv = kv
	return nil
}

// Close is idempotent.
func (s *Store) Close(ctx context.Context) error { return nil }

func (s *Store) bucket() (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv == nil {
		return nil, errors.New("parameters: store not started")
	}
	return s.kv, nil
}

func key(name string) string { return "p." + hex.EncodeToString([]byte(name)) }

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)

// ValidateName checks an SSM parameter name.
func ValidateName(name string) error {
	if name == "" || len(name) > 2048 {
		return fmt.Errorf("%w: name must be 1 to 2048 characters", ErrInvalid)
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: name %q may hold only a-zA-Z0-9_.-/", ErrInvalid, name)
	}
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		return fmt.Errorf("%w: name %q: names beginning with aws or ssm are reserved", ErrInvalid, name)
	}
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "/") {
		return fmt.Errorf("%w: name %q: a hierarchical name must begin with /", ErrInvalid, name)
	}
	if strings.Count(name, "/") > 15 {
		return fmt.Errorf("%w: name %q: at most 15 levels", ErrInvalid, name)
	}
	return nil
}

// Tiers and their value limits (characters), after SSM.
const (
	TierStandard           = "Standard"
	TierAdvanced           = "Advanced"
	TierIntelligentTiering = "Intelligent-Tiering"

	maxStandardValue = 4096
	maxAdvancedValue = 8192
)

// EffectiveTier is the tier a value is stored in: the one asked for, or
// for Intelligent-Tiering the standard tier unless the value needs the
// advanced one. A value over its tier's limit is refused in SSM's words.
func EffectiveTier(tier, value string) (string, error) {
	n := utf8.RuneCountInString(value)
	switch tier {
	case "", TierStandard:
		if n > maxStandardValue {
			return "", fmt.Errorf("%w: Standard tier parameters support a maximum parameter value of %d characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html", ErrInvalid, maxStandardValue)
		}
		return TierStandard, nil
	case TierAdvanced, TierIntelligentTiering:
		if n > maxAdvancedValue {
			return "", fmt.Errorf("%w: Advanced tier parameters support a maximum parameter value of %d characters (this value has %d)", ErrInvalid, maxAdvancedValue, n)
		}
		if tier == TierAdvanced || n > maxStandardValue {
			return TierAdvanced, nil
		}
		return TierStandard, nil
	}
	return "", fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]", ErrInvalid, tier)
}

// ARN is the parameter's ARN.
func (s *Store) ARN(name string) string {
	return s.opts.Account.ARN("ssm", "parameter/"+strings.TrimPrefix(name, "/"))
}

// Get returns a parameter.
func (s *Store) Get(ctx context.Context, name string) (*Parameter, error) {
	p, _, err := s.get(ctx, name)
	return p, err
}

func (s *Store) get(ctx context.Context, name string) (*Parameter, uint64, error) {
	kv, err := s.bucket()
	if err != nil {
		return nil, 0, err
	}
	e, err := kv.Get(ctx, key(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, &notFoundError{name: name}
	}
	if err != nil {
		return nil, 0, fmt.Errorf("parameter %q: %w", name, err)
	}
	var p Parameter
	if err := json.Unmarshal(e.Value(), &p); err != nil {
		return nil, 0, fmt.Errorf("parameter %q: decode: %w", name, err)
	}
	return &p, e.Revision(), nil
}

// Value returns a parameter's value (a stacks.ParameterLookup).
func (s *Store) Value(ctx context.Context, name string) (string, error) {
	p, err := s.Get(ctx, name)
	if err != nil {
		return "", err
	}
	return p.Value, nil
}

// Put creates a parameter, or replaces it when overwrite is set, and returns
// the new version. A new parameter needs a Type; a replacement without one
// keeps the type it had, as on SSM.
func (s *Store) Put(ctx context.Context, p Parameter, overwrite bool) (int64, error) {
	if err := ValidateName(p.Name); err != nil {
		return 0, err
	}
	switch p.Type {
	case "", TypeString, TypeStringList, TypeSecureString: // "": the current type, required for a new parameter
	default:
		return 0, fmt.Errorf("%w: type %q must be String, StringList or SecureString", ErrInvalid, p.Type)
	}
	if p.Value == "" {
		return 0, fmt.Errorf("%w: parameter %q: a value is required", ErrInvalid, p.Name)
	}
	if _, err := EffectiveTier(p.Tier, p.Value); err != nil {
		return 0, err
	}
	if p.AllowedPattern != "" {
		re, err := regexp.Compile(p.AllowedPattern)
		if err != nil {
			return 0, fmt.Errorf("%w: allowed pattern %q: %v", ErrInvalid, p.AllowedPattern, err)
		}
		if !re.MatchString(p.Value) {
			return 0, fmt.Errorf("%w: parameter value, %q, failed to satisfy constraint: member must satisfy regular expression pattern: %s", ErrInvalid, p.Value, p.AllowedPattern)
		}
	}
	if p.Tier == "" {
		p.Tier = "Standard"
	}
	if p.DataType == "" {
		p.DataType = "text"
	}
	if err := checkDataType(p.DataType); err != nil {
		return 0, err
	}
	p.LastModifiedUser = callerARN(ctx, s.opts.Account)
	p.Labels = nil
	kv, err := s.bucket()
	if err != nil {
		return 0, err
	}
	var refused error   // ErrExists, returned as it is
	var prev *Parameter // the version an overwrite replaced
	e, err := backbone.Typed[Parameter](kv).Modify(ctx, key(p.Name), func(old *Parameter, exists bool) (*Parameter, error) {
		next := p
		prev = old
		if !exists {
			if next.Type == "" {
				refused = fmt.Errorf("%w: A parameter type is required when you create a parameter.", ErrInvalid)
				return nil, refused
			}
			next.Version, next.LastModified = 1, time.Now().UTC()
			return &next, nil
		}
		if !overwrite {
			refused = fmt.Errorf("parameter %q: %w", p.Name, ErrExists)
			return nil, refused
		}
		if next.Tags == nil {
			next.Tags = old.Tags
		}
		if next.Type == "" {
			next.Type = old.Type
		}
		next.Version, next.LastModified = old.Version+1, time.Now().UTC()
		next.Labels = keptLabels(old.Labels, next.Version)
		return &next, nil
	})
	if err != nil && err == refused {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("parameter %q: put: %w", p.Name, err)
	}
	if prev != nil {
		// The new version is written; a version the history then misses
		// is logged rather than reported as a failed put.
		if err := s.keepVersion(ctx, kv, prev, e.Value.Version); err != nil {
			s.log.Warn("parameters: history", "err", err)
		}
	}
	return e.Value.Version, nil
}

// Delete removes a parameter and every version it kept.
func (s *Store) Delete(ctx context.Context, name string) error {
	kv, err := s.bucket()
	if err != nil {
		return err
	}
	if _, _, err := s.get(ctx, name); err != nil {
		return err
	}
	if err := kv.Delete(ctx, key(name)); err != nil {
		return fmt.Errorf("parameter %q: delete: %w", name, err)
	}
	return s.dropHistory(ctx, kv, name)
}

// List returns every parameter, sorted by name.
func (s *Store) List(ctx context.Context) ([]*Parameter, error) {
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeysFiltered(ctx, "p.>")
	if err != nil {
		return nil, fmt.Errorf("parameters: list: %w", err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	var out []*Parameter
	for _, k := range keys {
		e, err := kv.Get(ctx, k)
		if err != nil {
			continue
		}
		var p Parameter
		if json.Unmarshal(e.Value(), &p) == nil {
			out = append(out, &p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ByPath returns the parameters under path (direct children, or all
// descendants when recursive), sorted by name.
func (s *Store) ByPath(ctx context.Context, path string, recursive bool) ([]*Parameter, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("%w: path %q must begin with /", ErrInvalid, path)
	}
	prefix := strings.TrimSuffix(path, "/") + "/"
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Parameter
	for _, p := range all {
		rest, ok := strings.CutPrefix(p.Name, prefix)
		if !ok || rest == "" {
			continue
		}
		if !recursive && strings.Contains(rest, "/") {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
