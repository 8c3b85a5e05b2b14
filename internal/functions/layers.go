package functions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Layers: AWS::Lambda::LayerVersion and the Lambda API's layer operations.
// A layer version is immutable: its metadata lives in the layers KV bucket
// under NAME.VERSION (and NAME holds the last number given, which is never
// reused, as on Lambda); its .zip in the code object store under
// layer-<hex sha>. A function lists up to five layer version ARNs; an
// instance sees their contents merged, in order, in one directory that
// stands for Lambda's /opt (see optDir).

const layersBucket = "nubo-function-layers"

// MaxLayers is how many layers a function may use.
const MaxLayers = 5

// ErrLayerNotFound: no such layer version.
var ErrLayerNotFound = errors.New("layer version not found")

var layerNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,140}$`)

// LayerVersion is one published version of a layer.
type LayerVersion struct {
	Name                    string    `json:"name"`
	Version                 int64     `json:"version"`
	Description             string    `json:"description,omitempty"`
	CompatibleRuntimes      []string  `json:"compatibleRuntimes,omitempty"`
	CompatibleArchitectures []string  `json:"compatibleArchitectures,omitempty"`
	LicenseInfo             string    `json:"licenseInfo,omitempty"`
	CodeSHA256              string    `json:"codeSha256"` // base64, as Lambda reports it
	CodeSize                int64     `json:"codeSize"`
	Created                 time.Time `json:"created"`
	// Policy holds the statements AddLayerVersionPermission added.
	Policy []LayerStatement `json:"policy,omitempty"`
	// RevisionID changes with the policy.
	RevisionID string `json:"revisionId"`
}

// LayerStatement is one AddLayerVersionPermission grant.
type LayerStatement struct {
	Sid            string `json:"sid"`
	Action         string `json:"action"`
	Principal      string `json:"principal"`
	OrganizationID string `json:"organizationId,omitempty"`
}

// LayerRef is a function's use of a layer version.
type LayerRef struct {
	ARN        string `json:"arn"`
	CodeSHA256 string `json:"codeSha256"`
	CodeSize   int64  `json:"codeSize"`
}

// layerCounter is the NAME key: the last version number given.
type layerCounter struct {
	Last int64 `json:"last"`
}

// LayerARN is arn:aws:lambda:REGION:ACCOUNT:layer:NAME.
func (s *Service) LayerARN(name string) string {
	return "arn:aws:lambda:" + s.account.Region + ":" + s.account.ID + ":layer:" + name
}

// LayerVersionARN is the layer's ARN with :VERSION.
func (s *Service) LayerVersionARN(name string, version int64) string {
	return s.LayerARN(name) + ":" + strconv.FormatInt(version, 10)
}

// ParseLayerVersionARN splits a layer version ARN of this account and region.
func (s *Service) ParseLayerVersionARN(arn string) (name string, version int64, err error) {
	a, perr := awsapi.ParseARN(arn)
	rest, ok := strings.CutPrefix(a.Resource, "layer:")
	if perr != nil || a.Service != "lambda" || !ok {
		return "", 0, invalidf("%q is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)", arn)
	}
	name, v, ok := strings.Cut(rest, ":")
	version, verr := strconv.ParseInt(v, 10, 64)
	if !ok || verr != nil || version < 1 || !layerNameRE.MatchString(name) {
		return "", 0, invalidf("%q is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)", arn)
	}
	if a.AccountID != s.account.ID || a.Region != s.account.Region {
		return "", 0, invalidf("layer %s belongs to account %s in %s: nubo serves account %s in %s only", arn, a.AccountID, a.Region, s.account.ID, s.account.Region)
	}
	return name, version, nil
}

func layerKey(name string, version int64) string {
	return name + "." + strconv.FormatInt(version, 10)
}

func layerCodeKey(hexSum string) string { return "layer-" + hexSum }

// PublishLayerVersion stores a new version of layer name.
func (s *Service) PublishLayerVersion(ctx context.Context, lv LayerVersion, zipData []byte) (*LayerVersion, error) {
	if !layerNameRE.MatchString(lv.Name) {
		return nil, invalidf("LayerName %q: must be 1-140 letters, digits, hyphens or underscores", lv.Name)
	}
	if len(zipData) == 0 {
		return nil, invalidf("Content.ZipFile is required: nubo takes the layer's .zip inline")
	}
	if len(zipData) > MaxZipSize {
		return nil, invalidf("Content.ZipFile is %d bytes: the limit is %d", len(zipData), MaxZipSize)
	}
	if len(lv.CompatibleRuntimes) > 15 {
		return nil, invalidf("CompatibleRuntimes lists %d runtimes: the limit is 15", len(lv.CompatibleRuntimes))
	}
	if len(lv.Description) > 256 {
		return nil, invalidf("Description is %d characters: the limit is 256", len(lv.Description))
	}
	if _, err := checkZip(zipData, ""); err != nil {
		return nil, invalidf("%s", strings.TrimPrefix(err.Error(), errInvalidCode.Error()+": "))
	}
	kv, err := s.reg.layers(ctx)
	if err != nil {
		return nil, err
	}
	b64, hexSum := codeDigest(zipData)
	if _, err := s.reg.code.GetInfo(ctx, layerCodeKey(hexSum)); errors.Is(err, jetstream.ErrObjectNotFound) {
		if _, err := s.reg.code.PutBytes(ctx, layerCodeKey(hexSum), zipData); err != nil {
			return nil, fmt.Errorf("layer %s: store content: %w", lv.Name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("layer %s: store content: %w", lv.Name, err)
	}
	lv.CodeSHA256, lv.CodeSize = b64, int64(len(zipData))
	lv.Created = time.Now().UTC()
	lv.RevisionID = newRevisionID()
	lv.Policy = nil
	// The next number: NAME holds the last one given, updated optimistically.
	e, err := backbone.Typed[layerCounter](kv).Modify(ctx, lv.Name, func(cnt *layerCounter, exists bool) (*layerCounter, error) {
		if !exists {
			cnt = &layerCounter{}
		}
		cnt.Last++
		return cnt, nil
	})
	if err != nil {
		return nil, fmt.Errorf("layer %s: number the version: %w", lv.Name, err)
	}
	lv.Version = e.Value.Last
	b, err := json.Marshal(lv)
	if err != nil {
		return nil, err
	}
	if _, err := kv.Create(ctx, layerKey(lv.Name, lv.Version), b); err != nil {
		return nil, fmt.Errorf("layer %s: store version %d: %w", lv.Name, lv.Version, err)
	}
	s.log.Info("layer version published", "layer", lv.Name, "version", lv.Version)
	return &lv, nil
}

// GetLayerVersion returns one version; ErrLayerNotFound if it is not there.
func (s *Service) GetLayerVersion(ctx context.Context, name string, version int64) (*LayerVersion, error) {
	lv, _, err := s.getLayer(ctx, name, version)
	return lv, err
}

func (s *Service) getLayer(ctx context.Context, name string, version int64) (*LayerVersion, uint64, error) {
	if !layerNameRE.MatchString(name) || version < 1 {
		return nil, 0, fmt.Errorf("layer %s version %d: %w", name, version, ErrLayerNotFound)
	}
	kv, err := s.reg.layers(ctx)
	if err != nil {
		return nil, 0, err
	}
	e, err := kv.Get(ctx, layerKey(name, version))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("layer %s version %d: %w", name, version, ErrLayerNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("layer %s version %d: %w", name, version, err)
	}
	var lv LayerVersion
	if err := json.Unmarshal(e.Value(), &lv); err != nil {
		return nil, 0, fmt.Errorf("layer %s version %d: decode: %w", name, version, err)
	}
	return &lv, e.Revision(), nil
}

// ListLayerVersions lists a layer's versions, newest first, optionally only
// those compatible with runtime.
func (s *Service) ListLayerVersions(ctx context.Context, name, runtime string) ([]*LayerVersion, error) {
	all, err := s.allLayerVersions(ctx)
	if err != nil {
		return nil, err
	}
	var out []*LayerVersion
	for _, lv := range all {
		if lv.Name == name && compatible(lv, runtime) {
			out = append(out, lv)
		}
	}
	return out, nil
}

// ListLayers returns each layer's newest version (compatible with runtime
// when given), sorted by name.
func (s *Service) ListLayers(ctx context.Context, runtime string) ([]*LayerVersion, error) {
	all, err := s.allLayerVersions(ctx)
	if err != nil {
		return nil, err
	}
	var out []*LayerVersion
	for _, lv := range all {
		if compatible(lv, runtime) && (len(out) == 0 || out[len(out)-1].Name != lv.Name) {
			out = append(out, lv)
		}
	}
	return out, nil
}

func compatible(lv *LayerVersion, runtime string) bool {
	return runtime == "" || slices.Contains(lv.CompatibleRuntimes, runtime)
}

// allLayerVersions lists every version, by name, newest first.
func (s *Service) allLayerVersions(ctx context.Context) ([]*LayerVersion, error) {
	kv, err := s.reg.layers(ctx)
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list layers: %w", err)
	}
	var out []*LayerVersion
	for k := range lister.Keys() {
		name, v, ok := strings.Cut(k, ".")
		version, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			continue // a counter
		}
		lv, _, err := s.getLayer(ctx, name, version)
		if errors.Is(err, ErrLayerNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, lv)
	}
	slices.SortFunc(out, func(a, b *LayerVersion) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(b.Version - a.Version)
	})
	return out, nil
}

// DeleteLayerVersion deletes one version. As on Lambda, functions that use
// it keep working (their instances hold the content), deleting a missing
// version succeeds, and its number is never given again.
func (s *Service) DeleteLayerVersion(ctx context.Context, name string, version int64) error {
	kv, err := s.reg.layers(ctx)
	if err != nil {
		return err
	}
	if err := kv.Delete(ctx, layerKey(name, version)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("layer %s version %d: delete: %w", name, version, err)
	}
	return nil
}

// ErrLayerStatementExists / ErrLayerStatementNotFound: AddLayerVersionPermission
// with a taken statement id; RemoveLayerVersionPermission of an unknown one.
var (
	ErrLayerStatementExists   = errors.New("the statement id is already in use")
	ErrLayerStatementNotFound = errors.New("no statement with that id")
)

// UpdateLayerPolicy applies change to a version's policy (optimistically);
// revision, when not empty, must be the version's current RevisionID.
func (s *Service) UpdateLayerPolicy(ctx context.Context, name string, version int64, revision string, change func(*LayerVersion) error) (*LayerVersion, error) {
	kv, err := s.reg.layers(ctx)
	if err != nil {
		return nil, err
	}
	if !layerNameRE.MatchString(name) || version < 1 {
		return nil, fmt.Errorf("layer %s version %d: %w", name, version, ErrLayerNotFound)
	}
	var refused error // the caller's or the revision check's, returned as it is
	e, err := backbone.Typed[LayerVersion](kv).Modify(ctx, layerKey(name, version), func(lv *LayerVersion, exists bool) (*LayerVersion, error) {
		switch {
		case !exists:
			refused = fmt.Errorf("layer %s version %d: %w", name, version, ErrLayerNotFound)
		case revision != "" && revision != lv.RevisionID:
			refused = ErrRevisionMismatch
		default:
			refused = change(lv)
		}
		if refused != nil {
			return nil, refused
		}
		lv.RevisionID = newRevisionID()
		return lv, nil
	})
	if err != nil && err == refused {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("layer %s version %d: update policy: %w", name, version, err)
	}
	return e.Value, nil
}

// resolveLayers checks a function's layer ARNs (at most five, each an
// existing version) and records their content.
func (s *Service) resolveLayers(ctx context.Context, arns []string) ([]LayerRef, error) {
	if len(arns) > MaxLayers {
		return nil, invalidf("Layers lists %d layers: a function can use at most %d", len(arns), MaxLayers)
	}
	var refs []LayerRef
	seen := map[string]bool{}
	for _, arn := range arns {
		name, version, err := s.ParseLayerVersionARN(arn)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, invalidf("Two different versions of the same layer %s cannot be specified.", s.LayerARN(name))
		}
		seen[name] = true
		lv, err := s.GetLayerVersion(ctx, name, version)
		if errors.Is(err, ErrLayerNotFound) {
			return nil, invalidf("Layer version %s does not exist.", arn)
		}
		if err != nil {
			return nil, err
		}
		refs = append(refs, LayerRef{ARN: s.LayerVersionARN(name, version), CodeSHA256: lv.CodeSHA256, CodeSize: lv.CodeSize})
	}
	return refs, nil
}

// optDir makes sure the function's layers are unpacked on this node, merged
// in order into one directory (a later layer's file replaces an earlier
// one's, as in Lambda's /opt), and returns it ("" for no layers). It is
// named by the layers' content, so functions sharing layers share it.
func (r *registry) optDir(ctx context.Context, layers []LayerRef) (string, error) {
	if len(layers) == 0 {
		return "", nil
	}
	h := sha256.New()
	for _, l := range layers {
		h.Write([]byte(l.CodeSHA256 + "\n"))
	}
	dir := filepath.Join(filepath.Dir(r.codeRoot), "opt", hex.EncodeToString(h.Sum(nil))[:32])
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	var zips [][]byte
	for _, l := range layers {
		hexSum, err := hexFromB64(l.CodeSHA256)
		if err != nil {
			return "", fmt.Errorf("layer %s: %w", l.ARN, err)
		}
		b, err := r.code.GetBytes(ctx, layerCodeKey(hexSum))
		if err != nil {
			return "", fmt.Errorf("layer %s: content: %w", l.ARN, err)
		}
		zips = append(zips, b)
	}
	if err := unpackMerged(zips, dir); err != nil {
		return "", fmt.Errorf("layers: %w", err)
	}
	return dir, nil
}

// layers opens the layers bucket on first use.
func (r *registry) layers(ctx context.Context) (jetstream.KeyValue, error) {
	r.mu.Lock()
	kv := r.layerKV
	r.mu.Unlock()
	if kv != nil {
		return kv, nil
	}
	kv, err := r.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: layersBucket, Description: "nubo Lambda layer versions", History: 1})
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	r.mu.Lock()
	r.layerKV = kv
	r.mu.Unlock()
	return kv, nil
}

// layerEnv is what an instance of runtime needs to find its layers' content
// in dir as Lambda's runtimes find it in /opt: bin on PATH, lib on
// LD_LIBRARY_PATH, python and python/lib/pythonX.Y/site-packages on
// PYTHONPATH, nodejs/node_modules and nodejs/nodeNN/node_modules on
// NODE_PATH. base is the instance's environment so far (PATH is extended).
func layerEnv(dir, runtime string, base []string) []string {
	if dir == "" {
		return nil
	}
	get := func(k string) string {
		for i := len(base) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(base[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
	join := func(parts ...string) string {
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, p)
			}
		}
		return strings.Join(keep, ":")
	}
	env := []string{
		"NUBO_OPT=" + dir,
		"PATH=" + join(get("PATH"), filepath.Join(dir, "bin")),
		"LD_LIBRARY_PATH=" + join(filepath.Join(dir, "lib"), get("LD_LIBRARY_PATH")),
	}
	switch {
	case strings.HasPrefix(runtime, "python"):
		v := strings.TrimPrefix(runtime, "python")
		env = append(env, "PYTHONPATH="+join(filepath.Join(dir, "python", "lib", "python"+v, "site-packages"), filepath.Join(dir, "python"), get("PYTHONPATH")))
	case strings.HasPrefix(runtime, "nodejs"):
		major := strings.TrimSuffix(strings.TrimPrefix(runtime, "nodejs"), ".x")
		env = append(env, "NODE_PATH="+join(filepath.Join(dir, "nodejs", "node"+major, "node_modules"), filepath.Join(dir, "nodejs", "node_modules"), get("NODE_PATH")))
	}
	return env
}

// unpackMerged unpacks each zip in turn into dest, a later one's files
// replacing an earlier one's, atomically: each zip is unpacked with
// unpack's checks into its own directory, their trees are linked into one
// temporary directory, and that is renamed to dest.
func unpackMerged(zips [][]byte, dest string) error {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(parent, ".merge-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	merged := filepath.Join(work, "merged")
	if err := os.Mkdir(merged, 0o755); err != nil {
		return err
	}
	for i, z := range zips {
		one := filepath.Join(work, strconv.Itoa(i))
		if err := unpack(z, one); err != nil {
			return err
		}
		err := filepath.WalkDir(one, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(one, p)
			target := filepath.Join(merged, rel)
			switch {
			case d.IsDir():
				if st, err := os.Lstat(target); err == nil && !st.IsDir() {
					if err := os.Remove(target); err != nil {
						return err
					}
				}
				return os.MkdirAll(target, 0o755)
			default:
				if err := os.RemoveAll(target); err != nil {
					return err
				}
				if d.Type()&os.ModeSymlink != 0 {
					link, err := os.Readlink(p)
					if err != nil {
						return err
					}
					return os.Symlink(link, target)
				}
				return os.Link(p, target)
			}
		})
		if err != nil {
			return fmt.Errorf("merge layer %d: %w", i+1, err)
		}
	}
	if err := os.Rename(merged, dest); err != nil {
		if _, serr := os.Stat(dest); serr == nil {
			return nil // another goroutine merged the same layers first
		}
		return err
	}
	return nil
}
