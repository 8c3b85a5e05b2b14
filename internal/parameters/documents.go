package parameters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// SSM documents are stored and versioned, not run: nubo has no managed
// instances, so Command, Automation and Session documents are kept for the
// APIs that read them (and for templates), and running one is out of scope.

// Document errors; api_documents.go maps them to SSM's codes.
var (
	ErrDocumentNotFound     = errors.New("document not found")
	ErrDocumentExists       = errors.New("document already exists")
	ErrDocumentContent      = errors.New("invalid document content")
	ErrDuplicateContent     = errors.New("duplicate document content")
	ErrDuplicateVersionName = errors.New("duplicate document version name")
	ErrDocumentVersion      = errors.New("invalid document version")
	ErrDocumentOperation    = errors.New("invalid document operation")
	ErrDocumentVersionLimit = errors.New("document version limit exceeded")
)

// MaxDocumentVersions is how many versions a document may have on SSM.
const MaxDocumentVersions = 1000

// Document is a document's head record: its metadata and every version's.
type Document struct {
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	TargetType string            `json:"target_type,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Created    time.Time         `json:"created"`
	Latest     int64             `json:"latest"`
	Default    int64             `json:"default"`
	Versions   []DocumentVersion `json:"versions"`
}

// DocumentVersion is one version's metadata; its content is stored under
// a key of its own, named by the content's hash.
type DocumentVersion struct {
	Version       int64      `json:"version"`
	VersionName   string     `json:"version_name,omitempty"`
	DisplayName   string     `json:"display_name,omitempty"`
	Format        string     `json:"format"`
	Hash          string     `json:"hash"`
	SchemaVersion string     `json:"schema_version,omitempty"`
	Description   string     `json:"description,omitempty"`
	Parameters    []DocParam `json:"parameters,omitempty"`
	Created       time.Time  `json:"created"`
}

// DocParam is a parameter a document's content declares.
type DocParam struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Description  string `json:"description,omitempty"`
	DefaultValue string `json:"default,omitempty"`
}

// documentContent is one stored content, addressed by its hash, so that
// writing it before the head record that names it is safe.
type documentContent struct {
	Content string `json:"content"`
}

func docKey(name string) string { return "d." + hex.EncodeToString([]byte(name)) }

func docContentKey(name, hash string) string {
	return "dc." + hex.EncodeToString([]byte(name)) + "." + hash
}

var docNameRE = regexp.MustCompile(`^[a-zA-Z0-9_\-.]{3,128}$`)

// ValidateDocumentName checks a document name as SSM does.
func ValidateDocumentName(name string) error {
	if !docNameRE.MatchString(name) {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-.]{3,128}$", ErrInvalid, name)
	}
	lower := strings.ToLower(name)
	for _, reserved := range []string{"aws", "amazon", "amzn"} {
		if strings.HasPrefix(lower, reserved) {
			return fmt.Errorf("%w: Document name %s is not valid: names beginning with %s are reserved.", ErrInvalid, name, reserved)
		}
	}
	return nil
}

// Version returns version v of d (nil when it has none).
func (d *Document) Version(v int64) *DocumentVersion {
	for i := range d.Versions {
		if d.Versions[i].Version == v {
			return &d.Versions[i]
		}
	}
	return nil
}

// Resolve finds the version a request names: a version number, $LATEST,
// $DEFAULT, or a version name; none of them is the default version.
func (d *Document) Resolve(version, versionName string) (*DocumentVersion, error) {
	var found *DocumentVersion
	switch version {
	case "", "$DEFAULT":
		found = d.Version(d.Default)
	case "$LATEST":
		found = d.Version(d.Latest)
	default:
		var n int64
		if _, err := fmt.Sscan(version, &n); err != nil || fmt.Sprint(n) != version {
			return nil, fmt.Errorf("%w: %s", ErrDocumentVersion, version)
		}
		if found = d.Version(n); found == nil {
			return nil, fmt.Errorf("%w: %s", ErrDocumentVersion, version)
		}
	}
	if versionName != "" {
		if version == "" { // the name alone chooses the version
			found = nil
			for i := range d.Versions {
				if d.Versions[i].VersionName == versionName {
					found = &d.Versions[i]
				}
			}
		}
		if found == nil || found.VersionName != versionName {
			return nil, fmt.Errorf("%w: version name %s", ErrDocumentVersion, versionName)
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s", ErrDocumentVersion, version)
	}
	return found, nil
}

// CreateDocument stores version 1 of a new document.
func (s *Store) CreateDocument(ctx context.Context, d Document, v DocumentVersion, content string) (*Document, error) {
	if err := ValidateDocumentName(d.Name); err != nil {
		return nil, err
	}
	if err := checkDocument(d.Type, &v, content); err != nil {
		return nil, err
	}
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	if err := s.putContent(ctx, kv, d.Name, v.Hash, content); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	d.Created, v.Created, v.Version = now, now, 1
	d.Latest, d.Default, d.Versions = 1, 1, []DocumentVersion{v}
	if _, err := backbone.Typed[Document](kv).Create(ctx, docKey(d.Name), &d); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("%w: Document with same name %s already exists", ErrDocumentExists, d.Name)
		}
		return nil, fmt.Errorf("document %q: create: %w", d.Name, err)
	}
	return &d, nil
}

func (s *Store) putContent(ctx context.Context, kv jetstream.KeyValue, name, hash, content string) error {
	if _, err := backbone.Typed[documentContent](kv).Put(ctx, docContentKey(name, hash), &documentContent{Content: content}); err != nil {
		return fmt.Errorf("document %q: content: %w", name, err)
	}
	return nil
}

// GetDocument returns a document's head record.
func (s *Store) GetDocument(ctx context.Context, name string) (*Document, error) {
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	d, _, err := backbone.Typed[Document](kv).Get(ctx, docKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("document %q: %w", name, ErrDocumentNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("document %q: %w", name, err)
	}
	return d, nil
}

// DocumentContent returns the content of one version.
func (s *Store) DocumentContent(ctx context.Context, name string, v *DocumentVersion) (string, error) {
	kv, err := s.bucket()
	if err != nil {
		return "", err
	}
	c, _, err := backbone.Typed[documentContent](kv).Get(ctx, docContentKey(name, v.Hash))
	if err != nil {
		return "", fmt.Errorf("document %q version %d: content: %w", name, v.Version, err)
	}
	return c.Content, nil
}

// UpdateDocument adds a version after the latest one (version "" or
// $LATEST or the latest's number: SSM updates only the latest version).
func (s *Store) UpdateDocument(ctx context.Context, name, version string, v DocumentVersion, targetType, content string) (*Document, error) {
	d, err := s.GetDocument(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkDocument(d.Type, &v, content); err != nil {
		return nil, err
	}
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	if err := s.putContent(ctx, kv, name, v.Hash, content); err != nil {
		return nil, err
	}
	var refused error
	e, err := backbone.Typed[Document](kv).Modify(ctx, docKey(name), func(cur *Document, exists bool) (*Document, error) {
		refused = nil
		switch {
		case !exists:
			refused = fmt.Errorf("document %q: %w", name, ErrDocumentNotFound)
		case version != "" && version != "$LATEST" && version != fmt.Sprint(cur.Latest):
			refused = fmt.Errorf("%w: The document version is not valid or does not exist: only the latest version (%d) of a document can be updated.", ErrDocumentVersion, cur.Latest)
		case len(cur.Versions) >= MaxDocumentVersions:
			refused = fmt.Errorf("%w: The document has too many versions (%d). Delete one or more versions and try again.", ErrDocumentVersionLimit, MaxDocumentVersions)
		}
		for _, old := range cur.Versions {
			if refused != nil {
				break
			}
			if old.Hash == v.Hash {
				refused = fmt.Errorf("%w: The content of the document matches version %d. Change the content of the document and try again.", ErrDuplicateContent, old.Version)
			} else if v.VersionName != "" && old.VersionName == v.VersionName {
				refused = fmt.Errorf("%w: The specified version name %s is a duplicate.", ErrDuplicateVersionName, v.VersionName)
			}
		}
		if refused != nil {
			return nil, refused
		}
		next := *cur
		next.Versions = append(append([]DocumentVersion{}, cur.Versions...), v)
		last := &next.Versions[len(next.Versions)-1]
		last.Version, last.Created = cur.Latest+1, time.Now().UTC()
		next.Latest = last.Version
		if targetType != "" {
			next.TargetType = targetType
		}
		return &next, nil
	})
	if err != nil && err == refused {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("document %q: update: %w", name, err)
	}
	return e.Value, nil
}

// SetDefaultDocumentVersion makes a version the default.
func (s *Store) SetDefaultDocumentVersion(ctx context.Context, name, version string) (*Document, error) {
	return s.modifyDocument(ctx, name, func(d *Document) error {
		v, err := d.Resolve(version, "")
		if err != nil {
			return err
		}
		d.Default = v.Version
		return nil
	})
}

// DeleteDocument deletes a document, or one version of it that is not the
// default.
func (s *Store) DeleteDocument(ctx context.Context, name, version, versionName string) error {
	kv, err := s.bucket()
	if err != nil {
		return err
	}
	if version == "" && versionName == "" {
		d, err := s.GetDocument(ctx, name)
		if err != nil {
			return err
		}
		if err := kv.Delete(ctx, docKey(name)); err != nil {
			return fmt.Errorf("document %q: delete: %w", name, err)
		}
		for _, v := range d.Versions {
			if err := kv.Purge(ctx, docContentKey(name, v.Hash)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
				return fmt.Errorf("document %q: delete content: %w", name, err)
			}
		}
		return nil
	}
	var gone string
	if _, err := s.modifyDocument(ctx, name, func(d *Document) error {
		v, err := d.Resolve(version, versionName)
		if err != nil {
			return err
		}
		if v.Version == d.Default {
			return fmt.Errorf("%w: the default version (%d) of a document cannot be deleted; make another version the default first.", ErrDocumentOperation, v.Version)
		}
		gone = v.Hash
		kept := make([]DocumentVersion, 0, len(d.Versions)-1)
		for _, x := range d.Versions {
			if x.Version != v.Version {
				kept = append(kept, x)
			}
		}
		d.Versions = kept
		d.Latest = kept[len(kept)-1].Version
		return nil
	}); err != nil {
		return err
	}
	if err := kv.Purge(ctx, docContentKey(name, gone)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("document %q: delete content: %w", name, err)
	}
	return nil
}

// modifyDocument changes a document's head record in one read-modify-write;
// fn's error refuses the change and is returned as is.
func (s *Store) modifyDocument(ctx context.Context, name string, fn func(*Document) error) (*Document, error) {
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	var refused error
	e, err := backbone.Typed[Document](kv).Modify(ctx, docKey(name), func(cur *Document, exists bool) (*Document, error) {
		if !exists {
			refused = fmt.Errorf("document %q: %w", name, ErrDocumentNotFound)
			return nil, refused
		}
		next := *cur
		next.Versions = append([]DocumentVersion{}, cur.Versions...)
		if refused = fn(&next); refused != nil {
			return nil, refused
		}
		return &next, nil
	})
	if err != nil && err == refused {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("document %q: %w", name, err)
	}
	return e.Value, nil
}

// ListDocuments returns every document, sorted by name.
func (s *Store) ListDocuments(ctx context.Context) ([]*Document, error) {
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	entries, err := backbone.Typed[Document](kv).List(ctx, "d.")
	if err != nil {
		return nil, fmt.Errorf("documents: list: %w", err)
	}
	out := make([]*Document, 0, len(entries))
	for _, e := range entries {
		if e.Value != nil {
			out = append(out, e.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func contentHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}
