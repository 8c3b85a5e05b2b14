package functions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// Versions, aliases and provisioned concurrency configs live in their own
// KV bucket, keyed under the function's name:
//
//	NAME.v.N        a published version: an immutable Config snapshot
//	NAME.a.ALIAS    an alias (Alias)
//	NAME.pc.QUAL    a provisioned concurrency config (ProvisionedConcurrency)
//
// The next version number is the function's own Config.LastVersion, moved
// with the registry's optimistic update, so two nodes publishing at once
// get different numbers. Numbers are never reused while the function lives.
const versionsBucket = "nubo-function-versions"

// latestVersion is the unpublished version, the one Update* change.
const latestVersion = "$LATEST"

// Sentinel errors of versions and aliases (api_versions.go maps them).
var (
	errAliasNotFound   = errors.New("alias not found")
	errAliasExists     = errors.New("alias already exists")
	errVersionInUse    = errors.New("version is referenced by an alias")
	errNoProvisioned   = errors.New("no provisioned concurrency config")
	errUnchangedLatest = errors.New("unchanged since the last published version")
)

// aliasNameRE is Lambda's alias name pattern: letters, digits, - and _,
// not only digits (that would be a version), at most 128 characters.
var aliasNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

// qualifierKind tells what a qualifier names.
type qualifierKind int

const (
	qualLatest qualifierKind = iota
	qualVersion
	qualAlias
)

// classifyQualifier returns what q names; an error for a malformed one.
func classifyQualifier(q string) (qualifierKind, int, error) {
	switch {
	case q == "" || q == latestVersion:
		return qualLatest, 0, nil
	case isDigits(q):
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return 0, 0, invalidf("Qualifier %q: a version is a number from 1", q)
		}
		return qualVersion, n, nil
	case aliasNameRE.MatchString(q):
		return qualAlias, 0, nil
	}
	return 0, 0, invalidf("Qualifier %q: must be $LATEST, a version number or an alias name (letters, digits, - and _, at most 128)", q)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Alias is a named pointer to a version, optionally sending a share of the
// invocations to a second version (weighted routing).
type Alias struct {
	Function        string `json:"function"`
	Name            string `json:"name"`
	FunctionVersion string `json:"functionVersion"`
	Description     string `json:"description,omitempty"`
	// Weights is RoutingConfig.AdditionalVersionWeights: version -> share
	// (0-1) of the invocations it takes from FunctionVersion.
	Weights    map[string]float64 `json:"weights,omitempty"`
	RevisionID string             `json:"revisionId"`
}

// pick chooses the version an invocation of the alias runs.
func (a *Alias) pick() string {
	r := rand.Float64()
	for v, w := range a.Weights { // at most one
		if r < w {
			return v
		}
	}
	return a.FunctionVersion
}

// references reports whether the alias routes any invocation to version.
func (a *Alias) references(version string) bool {
	if a.FunctionVersion == version {
		return true
	}
	_, ok := a.Weights[version]
	return ok
}

// ProvisionedConcurrency is a provisioned concurrency config. nubo records
// it and reports it READY: on one machine an instance starts on demand.
type ProvisionedConcurrency struct {
	Function     string    `json:"function"`
	Qualifier    string    `json:"qualifier"`
	Requested    int       `json:"requested"`
	LastModified time.Time `json:"lastModified"`
}

// ---- registry ----

func versionKey(name string, n int) string { return name + ".v." + strconv.Itoa(n) }
func aliasKey(name, alias string) string   { return name + ".a." + alias }
func provisionedKey(name, q string) string { return name + ".pc." + q }

func (r *registry) startVersions(ctx context.Context) error {
	kv, err := r.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: versionsBucket, Description: "nubo function versions and aliases", History: 1})
	if err != nil {
		return err
	}
	r.ver = kv
	return nil
}

// getJSON decodes key of the versions bucket into v and returns its revision.
func (r *registry) getJSON(ctx context.Context, key string, v any) (uint64, error) {
	e, err := r.ver.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return 0, fmt.Errorf("%s: decode: %w", key, err)
	}
	return e.Revision(), nil
}

// keys lists the versions bucket's keys matching filter, sorted.
func (r *registry) keys(ctx context.Context, filter string) ([]string, error) {
	l, err := r.ver.ListKeysFiltered(ctx, filter)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", filter, err)
	}
	var out []string
	for k := range l.Keys() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// version returns a published version; errors.Is ErrFunctionNotFound when
// it does not exist.
func (r *registry) version(ctx context.Context, name string, n int) (*Config, error) {
	var c Config
	_, err := r.getJSON(ctx, versionKey(name, n), &c)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("function %q version %d: %w", name, n, ErrFunctionNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("function %q version %d: %w", name, n, err)
	}
	return &c, nil
}

// publishWait bounds how long a publish of unchanged code waits for the
// version a concurrent publish of the same code is writing.
const publishWait = 10 * time.Second

// awaitVersion returns version n of the function, waiting for its record
// when a concurrent publisher has numbered it but not yet written it.
func (r *registry) awaitVersion(ctx context.Context, name string, n int) (*Config, error) {
	c, err := r.version(ctx, name, n)
	if !errors.Is(err, ErrFunctionNotFound) {
		return c, err
	}
	wctx, cancel := context.WithTimeout(ctx, publishWait)
	defer cancel()
	w, err := r.ver.Watch(wctx, versionKey(name, n))
	if err != nil {
		return nil, fmt.Errorf("function %q version %d: watch: %w", name, n, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("function %q version %d: %w", name, n, ErrFunctionNotFound)
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var c Config
			if err := json.Unmarshal(e.Value(), &c); err != nil {
				return nil, fmt.Errorf("function %q version %d: decode: %w", name, n, err)
			}
			return &c, nil
		case <-wctx.Done():
			return nil, fmt.Errorf("function %q version %d: not written within %s: %w", name, n, publishWait, ErrFunctionNotFound)
		}
	}
}

// versions returns the function's published versions, oldest first.
func (r *registry) versions(ctx context.Context, name string) ([]*Config, error) {
	keys, err := r.keys(ctx, name+".v.*")
	if err != nil {
		return nil, err
	}
	out := make([]*Config, 0, len(keys))
	for _, k := range keys {
		var c Config
		if _, err := r.getJSON(ctx, k, &c); errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].Version)
		b, _ := strconv.Atoi(out[j].Version)
		return a < b
	})
	return out, nil
}

// versionUses reports whether any published version of any function runs
// the package (collect keeps it then).
func (r *registry) versionUses(ctx context.Context, codeSHA256 string) (bool, error) {
	keys, err := r.keys(ctx, "*.v.*")
	if err != nil {
		return false, err
	}
	for _, k := range keys {
		var c Config
		if _, err := r.getJSON(ctx, k, &c); errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		} else if err != nil {
			return false, err
		}
		if c.CodeSHA256 == codeSHA256 {
			return true, nil
		}
	}
	return false, nil
}

func (r *registry) alias(ctx context.Context, name, alias string) (*Alias, uint64, error) {
	var a Alias
	rev, err := r.getJSON(ctx, aliasKey(name, alias), &a)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("function %q alias %q: %w: %w", name, alias, errAliasNotFound, ErrFunctionNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("function %q alias %q: %w", name, alias, err)
	}
	return &a, rev, nil
}

func (r *registry) aliases(ctx context.Context, name string) ([]*Alias, error) {
	keys, err := r.keys(ctx, name+".a.*")
	if err != nil {
		return nil, err
	}
	out := make([]*Alias, 0, len(keys))
	for _, k := range keys {
		var a Alias
		if _, err := r.getJSON(ctx, k, &a); errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, nil
}

func (r *registry) putJSON(ctx context.Context, key string, v any, create bool, rev uint64) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", key, err)
	}
	switch {
	case create:
		_, err = r.ver.Create(ctx, key, b)
	case rev != 0:
		_, err = r.ver.Update(ctx, key, b, rev)
	default:
		_, err = r.ver.Put(ctx, key, b)
	}
	return err
}

// removeVersions deletes everything the versions bucket holds for the
// function and returns the packages its versions ran.
func (r *registry) removeVersions(ctx context.Context, name string) ([]string, error) {
	vs, err := r.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	keys, err := r.keys(ctx, name+".>")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := r.ver.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, fmt.Errorf("function %q: delete %s: %w", name, k, err)
		}
	}
	if err := r.purgeInvokeConfigs(ctx, name+".*"); err != nil {
		return nil, err
	}
	var codes []string
	for _, v := range vs {
		codes = append(codes, v.CodeSHA256)
	}
	return codes, nil
}

// eicKey is the invoke config bucket's key of NAME or NAME:QUALIFIER: a
// version or alias has its own config; $LATEST's is the function's.
func eicKey(ref string) string {
	name, q, _ := strings.Cut(ref, ":")
	if q == "" || q == latestVersion {
		return name
	}
	return name + "." + q
}

// purgeInvokeConfigs deletes the invoke configs of the function's versions
// and aliases (filter: "NAME.*"), or of one (key "NAME.QUALIFIER").
func (r *registry) purgeInvokeConfigs(ctx context.Context, filter string) error {
	l, err := r.eic.ListKeysFiltered(ctx, filter)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", filter, err)
	}
	var keys []string
	for k := range l.Keys() {
		keys = append(keys, k)
	}
	for _, k := range keys {
		if err := r.eic.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("delete invoke config %s: %w", k, err)
		}
	}
	return nil
}

// ---- service ----

// eicARN is the ARN of NAME or NAME:QUALIFIER as event invoke configs and
// destination records name it: qualified, $LATEST when unqualified.
func (s *Service) eicARN(ref string) string {
	name, q, _ := strings.Cut(ref, ":")
	if q == "" {
		q = latestVersion
	}
	return s.qualifiedARN(name, q)
}

// executedVersion is the version a result came from ($LATEST when unknown).
func executedVersion(r *Result) string {
	if r == nil || r.ExecutedVersion == "" {
		return latestVersion
	}
	return r.ExecutedVersion
}

// checkRef checks that NAME or NAME:QUALIFIER exists and returns the
// configuration it names.
func (s *Service) checkRef(ctx context.Context, ref string) (*Config, error) {
	name, q, _ := strings.Cut(ref, ":")
	return s.GetVersion(ctx, name, q)
}

// qualifiedARN is the ARN of a version or alias of the function.
func (s *Service) qualifiedARN(name, qualifier string) string {
	if qualifier == "" {
		return s.account.FunctionARN(name)
	}
	return s.account.FunctionARN(name) + ":" + qualifier
}

// fingerprint covers what a published version freezes: code and the
// configuration a version carries.
func fingerprint(c *Config) string {
	b, _ := json.Marshal([]any{c.CodeSHA256, c.Runtime, c.Handler, c.Role, c.Description, c.MemoryMB,
		int64(c.Timeout), c.Environment, c.Architecture, c.LogGroup, c.Layers})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// PublishVersion snapshots $LATEST's code and configuration as the next
// version. codeSHA256 and revisionID, when set, must match $LATEST; when
// nothing changed since the last published version, that version is
// returned, as Lambda does. description, when set, replaces the function's
// description in the version.
func (s *Service) PublishVersion(ctx context.Context, name, codeSHA256, description, revisionID string) (*Config, error) {
	s.codeMu.Lock() // the version's package must not be collected meanwhile
	defer s.codeMu.Unlock()
	var snap Config
	existing := 0
	_, err := s.reg.update(ctx, name, func(c *Config) error {
		if revisionID != "" && revisionID != c.RevisionID {
			return ErrRevisionMismatch
		}
		if codeSHA256 != "" && codeSHA256 != c.CodeSHA256 {
			return invalidf("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", codeSHA256, c.CodeSHA256)
		}
		fp := fingerprint(c)
		if c.LastVersion > 0 && c.PublishedHash == fp {
			// That version exists, or its publisher (maybe on another
			// node) is writing it (DeleteVersion clears the hash).
			existing = c.LastVersion
			return errUnchangedLatest
		}
		c.LastVersion++
		c.PublishedHash = fp
		snap = *c
		return nil
	})
	if errors.Is(err, errUnchangedLatest) {
		return s.reg.awaitVersion(ctx, name, existing)
	}
	if err != nil {
		return nil, err
	}
	snap.Version = strconv.Itoa(snap.LastVersion)
	snap.LastVersion, snap.PublishedHash, snap.ReservedConcurrency, snap.Tags = 0, "", nil, nil
	if description != "" {
		snap.Description = description
	}
	snap.LastModified = time.Now().UTC()
	snap.RevisionID = newRevisionID()
	// The number is this publish's alone (the function's record moved it),
	// so a plain put: it also replaces what a delete racing an earlier
	// publish of a same-named function may have left.
	if err := s.reg.putJSON(ctx, versionKey(name, snap.LastVersionNumber()), &snap, false, 0); err != nil {
		return nil, fmt.Errorf("function %q: publish version %s: %w", name, snap.Version, err)
	}
	s.log.Info("function version published", "function", name, "version", snap.Version)
	return &snap, nil
}

// LastVersionNumber is the version number of a published snapshot (0 for $LATEST).
func (c *Config) LastVersionNumber() int {
	n, _ := strconv.Atoi(c.Version)
	return n
}

// Versions returns $LATEST and then every published version, oldest first.
func (s *Service) Versions(ctx context.Context, name string) ([]*Config, error) {
	latest, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	vs, err := s.reg.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	return append([]*Config{latest}, vs...), nil
}

// GetVersion returns the configuration a qualifier names: $LATEST (""), a
// published version, or the version an alias points to.
func (s *Service) GetVersion(ctx context.Context, name, qualifier string) (*Config, error) {
	kind, n, err := classifyQualifier(qualifier)
	if err != nil {
		return nil, err
	}
	switch kind {
	case qualVersion:
		latest, err := s.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		c, err := s.reg.version(ctx, name, n)
		if err != nil {
			return nil, s.missing(name, qualifier, err)
		}
		// Tags and reserved concurrency are the function's, not a version's.
		c.Tags, c.ReservedConcurrency = latest.Tags, latest.ReservedConcurrency
		return c, nil
	case qualAlias:
		a, _, err := s.reg.alias(ctx, name, qualifier)
		if err != nil {
			return nil, s.missing(name, qualifier, err)
		}
		return s.GetVersion(ctx, name, a.FunctionVersion)
	}
	return s.Get(ctx, name)
}

// missing names the qualified ARN in a not-found error.
func (s *Service) missing(name, qualifier string, err error) error {
	if errors.Is(err, ErrFunctionNotFound) {
		return &notFoundError{arn: s.qualifiedARN(name, qualifier), cause: err}
	}
	return err
}

// target loads what an invocation of name:qualifier runs, with its code
// materialised: $LATEST, a version, or the version an alias routes this
// invocation to (by its weights).
func (s *Service) target(ctx context.Context, name, qualifier string) (*Config, error) {
	kind, n, err := classifyQualifier(qualifier)
	if err != nil {
		return nil, err
	}
	switch kind {
	case qualAlias:
		a, _, err := s.reg.alias(ctx, name, qualifier)
		if err != nil {
			if _, ferr := s.reg.current(ctx, name); ferr != nil {
				return nil, ferr
			}
			return nil, s.missing(name, qualifier, err)
		}
		return s.target(ctx, name, a.pick())
	case qualVersion:
		latest, err := s.reg.current(ctx, name)
		if err != nil {
			return nil, err
		}
		c, err := s.reg.version(ctx, name, n)
		if err != nil {
			return nil, s.missing(name, qualifier, err)
		}
		// Reserved concurrency is the function's, whatever version runs.
		c.ReservedConcurrency = latest.ReservedConcurrency
		if err := s.reg.materialise(ctx, c); err != nil {
			return nil, err
		}
		return c, nil
	}
	return s.resolve(ctx, name)
}

// DeleteVersion deletes a published version; an alias that routes to it
// must be moved first (Lambda's ResourceConflictException).
func (s *Service) DeleteVersion(ctx context.Context, name, qualifier string) error {
	kind, n, err := classifyQualifier(qualifier)
	if err != nil {
		return err
	}
	switch kind {
	case qualLatest:
		return invalidf("$LATEST version cannot be deleted without deleting the function.")
	case qualAlias:
		return invalidf("Qualifier %q is an alias: delete it with DeleteAlias", qualifier)
	}
	if _, err := s.Get(ctx, name); err != nil {
		return err
	}
	c, err := s.reg.version(ctx, name, n)
	if err != nil {
		return s.missing(name, qualifier, err)
	}
	as, err := s.reg.aliases(ctx, name)
	if err != nil {
		return err
	}
	var users []string
	for _, a := range as {
		if a.references(qualifier) {
			users = append(users, a.Name)
		}
	}
	if len(users) > 0 {
		return fmt.Errorf("%w: Unable to delete version because the following aliases reference it: [%s]", errVersionInUse, strings.Join(users, ", "))
	}
	if err := s.reg.ver.Purge(ctx, versionKey(name, n)); err != nil {
		return fmt.Errorf("function %q: delete version %d: %w", name, n, err)
	}
	// An unchanged publish after deleting the latest version publishes anew.
	if _, err := s.reg.update(ctx, name, func(c *Config) error {
		if c.LastVersion == n {
			c.PublishedHash = ""
		}
		return nil
	}); err != nil {
		return fmt.Errorf("function %q: delete version %d: %w", name, n, err)
	}
	if err := s.reg.ver.Purge(ctx, provisionedKey(name, qualifier)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("function %q: delete version %d: %w", name, n, err)
	}
	if err := s.reg.purgeInvokeConfigs(ctx, eicKey(qualified(name, qualifier))); err != nil {
		return fmt.Errorf("function %q: delete version %d: %w", name, n, err)
	}
	s.exec.Retire(name)
	s.codeMu.Lock()
	err = s.reg.collect(ctx, c.CodeSHA256)
	s.codeMu.Unlock()
	if err != nil {
		s.log.Warn("collect code", "function", name, "version", n, "err", err)
	}
	s.log.Info("function version deleted", "function", name, "version", n)
	return nil
}

// deleteVersions removes a deleted function's versions, aliases and
// provisioned concurrency configs, and collects the versions' packages.
func (s *Service) deleteVersions(ctx context.Context, name string) error {
	codes, err := s.reg.removeVersions(ctx, name)
	if err != nil {
		return err
	}
	s.codeMu.Lock()
	defer s.codeMu.Unlock()
	for _, c := range codes {
		if err := s.reg.collect(ctx, c); err != nil {
			s.log.Warn("collect code", "function", name, "err", err)
		}
	}
	return nil
}

// checkRouting validates an alias's target: $LATEST or a published version,
// plus at most one other published version with a weight in [0, 1].
func (s *Service) checkRouting(ctx context.Context, name, version string, weights map[string]float64) error {
	if version == "" {
		return invalidf("FunctionVersion is required")
	}
	kind, n, err := classifyQualifier(version)
	if err != nil || kind == qualAlias {
		return invalidf("FunctionVersion %q: must be $LATEST or a version number", version)
	}
	if kind == qualVersion {
		if _, err := s.reg.version(ctx, name, n); err != nil {
			return s.missing(name, version, err)
		}
	}
	if len(weights) == 0 {
		return nil
	}
	if len(weights) > 1 {
		return invalidf("RoutingConfig.AdditionalVersionWeights: at most one additional version, got %d", len(weights))
	}
	if kind == qualLatest {
		return invalidf("RoutingConfig: an alias with weights must point to a published version, not $LATEST")
	}
	for v, w := range weights {
		k, n, err := classifyQualifier(v)
		if err != nil || k != qualVersion {
			return invalidf("RoutingConfig.AdditionalVersionWeights: %q is not a version number", v)
		}
		if v == version {
			return invalidf("RoutingConfig.AdditionalVersionWeights: version %s is already the alias's FunctionVersion", v)
		}
		if w < 0 || w > 1 {
			return invalidf("RoutingConfig.AdditionalVersionWeights: the weight of version %s is %v: it must be between 0.0 and 1.0", v, w)
		}
		if _, err := s.reg.version(ctx, name, n); err != nil {
			return s.missing(name, v, err)
		}
	}
	return nil
}

func checkAliasName(alias string) error {
	if !aliasNameRE.MatchString(alias) || isDigits(alias) {
		return invalidf("Name %q: an alias name is 1-128 letters, digits, - and _, and not only digits", alias)
	}
	return nil
}

// CreateAlias creates an alias of the function.
func (s *Service) CreateAlias(ctx context.Context, in Alias) (*Alias, error) {
	if err := checkAliasName(in.Name); err != nil {
		return nil, err
	}
	if len(in.Description) > 256 {
		return nil, invalidf("Description is %d characters: the limit is 256", len(in.Description))
	}
	if _, err := s.Get(ctx, in.Function); err != nil {
		return nil, err
	}
	if err := s.checkRouting(ctx, in.Function, in.FunctionVersion, in.Weights); err != nil {
		return nil, err
	}
	a := in
	a.RevisionID = newRevisionID()
	err := s.reg.putJSON(ctx, aliasKey(a.Function, a.Name), &a, true, 0)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("%w: Alias already exists: %s", errAliasExists, s.qualifiedARN(a.Function, a.Name))
	}
	if err != nil {
		return nil, fmt.Errorf("function %q: create alias %q: %w", a.Function, a.Name, err)
	}
	return &a, nil
}

// GetAlias returns an alias of the function.
func (s *Service) GetAlias(ctx context.Context, name, alias string) (*Alias, error) {
	if _, err := s.Get(ctx, name); err != nil {
		return nil, err
	}
	a, _, err := s.reg.alias(ctx, name, alias)
	return a, err
}

// AliasUpdate holds the fields UpdateAlias may change; nil leaves a field
// as it is (Weights: nil unchanged, empty cleared).
type AliasUpdate struct {
	FunctionVersion *string
	Description     *string
	Weights         map[string]float64
	RevisionID      string
}

// UpdateAlias changes an alias, with optimistic concurrency.
func (s *Service) UpdateAlias(ctx context.Context, name, alias string, u AliasUpdate) (*Alias, error) {
	if _, err := s.Get(ctx, name); err != nil {
		return nil, err
	}
	var refused error // the checks' errors, returned as they are
	e, err := backbone.Typed[Alias](s.reg.ver).Modify(ctx, aliasKey(name, alias), func(a *Alias, exists bool) (*Alias, error) {
		refused = s.applyAliasUpdate(ctx, name, alias, a, exists, u)
		if refused != nil {
			return nil, refused
		}
		a.RevisionID = newRevisionID()
		return a, nil
	})
	if err != nil && err == refused {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("function %q: update alias %q: %w", name, alias, err)
	}
	return e.Value, nil
}

// applyAliasUpdate applies u to the stored alias a (exists false: there is
// none), with UpdateAlias's checks.
func (s *Service) applyAliasUpdate(ctx context.Context, name, alias string, a *Alias, exists bool, u AliasUpdate) error {
	if !exists {
		return fmt.Errorf("function %q alias %q: %w: %w", name, alias, errAliasNotFound, ErrFunctionNotFound)
	}
	if u.RevisionID != "" && u.RevisionID != a.RevisionID {
		return ErrRevisionMismatch
	}
	if u.FunctionVersion != nil {
		a.FunctionVersion = *u.FunctionVersion
	}
	if u.Description != nil {
		a.Description = *u.Description
	}
	if u.Weights != nil {
		a.Weights = u.Weights
		if len(u.Weights) == 0 {
			a.Weights = nil
		}
	}
	return s.checkRouting(ctx, name, a.FunctionVersion, a.Weights)
}

// DeleteAlias deletes an alias and its provisioned concurrency config.
func (s *Service) DeleteAlias(ctx context.Context, name, alias string) error {
	if _, err := s.GetAlias(ctx, name, alias); err != nil {
		return err
	}
	for _, k := range []string{aliasKey(name, alias), provisionedKey(name, alias)} {
		if err := s.reg.ver.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("function %q: delete alias %q: %w", name, alias, err)
		}
	}
	return s.reg.purgeInvokeConfigs(ctx, eicKey(qualified(name, alias)))
}

// Aliases returns the function's aliases by name; with version set, only
// those routing invocations to it.
func (s *Service) Aliases(ctx context.Context, name, version string) ([]*Alias, error) {
	if _, err := s.Get(ctx, name); err != nil {
		return nil, err
	}
	all, err := s.reg.aliases(ctx, name)
	if err != nil || version == "" {
		return all, err
	}
	var out []*Alias
	for _, a := range all {
		if a.references(version) {
			out = append(out, a)
		}
	}
	return out, nil
}

// PutProvisionedConcurrency records a provisioned concurrency config of a
// version or alias.
func (s *Service) PutProvisionedConcurrency(ctx context.Context, name, qualifier string, n int) (*ProvisionedConcurrency, error) {
	if err := s.checkProvisionedQualifier(ctx, name, qualifier); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, invalidf("ProvisionedConcurrentExecutions %d: must be 1 or more", n)
	}
	pc := &ProvisionedConcurrency{Function: name, Qualifier: qualifier, Requested: n, LastModified: time.Now().UTC()}
	if err := s.reg.putJSON(ctx, provisionedKey(name, qualifier), pc, false, 0); err != nil {
		return nil, fmt.Errorf("function %q: provisioned concurrency %s: %w", name, qualifier, err)
	}
	return pc, nil
}

func (s *Service) checkProvisionedQualifier(ctx context.Context, name, qualifier string) error {
	if qualifier == "" {
		return invalidf("Qualifier is required: provisioned concurrency applies to a version or an alias")
	}
	kind, _, err := classifyQualifier(qualifier)
	if err != nil {
		return err
	}
	if kind == qualLatest {
		return invalidf("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
	}
	_, err = s.GetVersion(ctx, name, qualifier)
	return err
}

// ProvisionedConcurrency returns the config of a version or alias.
func (s *Service) ProvisionedConcurrency(ctx context.Context, name, qualifier string) (*ProvisionedConcurrency, error) {
	if err := s.checkProvisionedQualifier(ctx, name, qualifier); err != nil {
		return nil, err
	}
	var pc ProvisionedConcurrency
	_, err := s.reg.getJSON(ctx, provisionedKey(name, qualifier), &pc)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errNoProvisioned
	}
	if err != nil {
		return nil, fmt.Errorf("function %q: provisioned concurrency %s: %w", name, qualifier, err)
	}
	return &pc, nil
}

// DeleteProvisionedConcurrency removes the config of a version or alias.
func (s *Service) DeleteProvisionedConcurrency(ctx context.Context, name, qualifier string) error {
	if _, err := s.ProvisionedConcurrency(ctx, name, qualifier); err != nil {
		return err
	}
	return s.reg.ver.Purge(ctx, provisionedKey(name, qualifier))
}

// ProvisionedConcurrencies lists the function's configs.
func (s *Service) ProvisionedConcurrencies(ctx context.Context, name string) ([]*ProvisionedConcurrency, error) {
	if _, err := s.Get(ctx, name); err != nil {
		return nil, err
	}
	keys, err := s.reg.keys(ctx, name+".pc.*")
	if err != nil {
		return nil, err
	}
	out := []*ProvisionedConcurrency{}
	for _, k := range keys {
		var pc ProvisionedConcurrency
		if _, err := s.reg.getJSON(ctx, k, &pc); errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, &pc)
	}
	return out, nil
}
