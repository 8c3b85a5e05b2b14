package parameters

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/backbone"
)

// MaxLabelsPerVersion is how many labels one version of a parameter may
// carry on SSM.
const MaxLabelsPerVersion = 10

// ErrLabelLimit is a version that would carry more than MaxLabelsPerVersion
// labels.
var ErrLabelLimit = errors.New("parameter version label limit exceeded")

var labelRE = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{1,100}$`)

// validLabel applies SSM's label rules: 1 to 100 letters, digits, periods,
// hyphens or underscores, not beginning with a digit, "aws" or "ssm" (in
// any case).
func validLabel(l string) bool {
	if !labelRE.MatchString(l) || (l[0] >= '0' && l[0] <= '9') {
		return false
	}
	lower := strings.ToLower(l)
	return !strings.HasPrefix(lower, "aws") && !strings.HasPrefix(lower, "ssm")
}

// LabelsOf returns the labels on version v of p, sorted.
func LabelsOf(p *Parameter, v int64) []string {
	out := []string{}
	for l, on := range p.Labels {
		if on == v {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// Label attaches labels to a version of a parameter (version 0: the
// current one), moving any of them that was on another version. Labels SSM
// would not accept are returned as invalid and not attached; a version left
// with more than MaxLabelsPerVersion labels refuses the whole request.
func (s *Store) Label(ctx context.Context, name string, version int64, labels []string) (int64, []string, error) {
	cur, err := s.Get(ctx, name)
	if err != nil {
		return 0, nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	if _, err := s.GetVersion(ctx, name, version); err != nil {
		return 0, nil, err
	}
	invalid := []string{}
	var valid []string
	for _, l := range labels {
		if validLabel(l) {
			valid = append(valid, l)
		} else {
			invalid = append(invalid, l)
		}
	}
	if len(valid) == 0 {
		return version, invalid, nil
	}
	if err := s.modifyLabels(ctx, name, func(m map[string]int64) error {
		for _, l := range valid {
			m[l] = version
		}
		n := 0
		for _, on := range m {
			if on == version {
				n++
			}
		}
		if n > MaxLabelsPerVersion {
			return ErrLabelLimit
		}
		return nil
	}); err != nil {
		return 0, nil, err
	}
	return version, invalid, nil
}

// Unlabel removes labels from a version of a parameter; it returns the
// labels removed and those that were not on that version.
func (s *Store) Unlabel(ctx context.Context, name string, version int64, labels []string) (removed, invalid []string, err error) {
	if _, err := s.GetVersion(ctx, name, version); err != nil {
		return nil, nil, err
	}
	err = s.modifyLabels(ctx, name, func(m map[string]int64) error {
		removed, invalid = []string{}, []string{}
		for _, l := range labels {
			if on, ok := m[l]; ok && on == version {
				delete(m, l)
				removed = append(removed, l)
			} else {
				invalid = append(invalid, l)
			}
		}
		return nil
	})
	return removed, invalid, err
}

// modifyLabels changes a parameter's label map in one read-modify-write of
// its current record; fn's error refuses the change and is returned as is.
func (s *Store) modifyLabels(ctx context.Context, name string, fn func(map[string]int64) error) error {
	kv, err := s.bucket()
	if err != nil {
		return err
	}
	var refused error
	_, err = backbone.Typed[Parameter](kv).Modify(ctx, key(name), func(old *Parameter, exists bool) (*Parameter, error) {
		if !exists {
			refused = &notFoundError{name: name}
			return nil, refused
		}
		next := *old
		next.Labels = make(map[string]int64, len(old.Labels))
		for l, v := range old.Labels {
			next.Labels[l] = v
		}
		if refused = fn(next.Labels); refused != nil {
			return nil, refused
		}
		return &next, nil
	})
	if err != nil && err == refused {
		return err
	}
	if err != nil {
		return fmt.Errorf("parameter %q: labels: %w", name, err)
	}
	return nil
}

// GetLabel returns the version of a parameter a label is on.
func (s *Store) GetLabel(ctx context.Context, name, label string) (*Parameter, error) {
	cur, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	v, ok := cur.Labels[label]
	if !ok {
		return nil, fmt.Errorf("parameter %q label %s: %w", name, label, errVersionNotFound)
	}
	return s.GetVersion(ctx, name, v)
}

// keptLabels are the labels of versions still kept once current is the
// current version: a label on a version that falls out of the
// MaxVersions kept goes with it.
func keptLabels(labels map[string]int64, current int64) map[string]int64 {
	var out map[string]int64
	for l, v := range labels {
		if v > current-MaxVersions {
			if out == nil {
				out = make(map[string]int64, len(labels))
			}
			out[l] = v
		}
	}
	return out
}
