package eventpattern

import (
	"errors"
	"sort"
	"strings"
)

// Pattern is one pattern of a set: its id (a rule's name, a subscription's
// ARN) and its JSON text.
type Pattern struct {
	ID   string
	JSON string
}

// Set is a compiled set of patterns. It is immutable and safe for
// concurrent use.
type Set struct {
	ids   []string
	nodes []*node
	// index maps a leaf (path + "\x00" + canonical value) to the patterns
	// that require it.
	index map[string][]int32
	// always are the patterns with no indexable required field.
	always []int32
	// paths are the depth of each indexed path prefix, for walking an
	// event only where some pattern looks.
	paths map[string]bool
}

// Validate compiles one pattern and reports why it is refused, if it is.
func Validate(text string) error {
	_, err := parse(text)
	return err
}

// Compile compiles patterns into a Set. The first pattern refused is
// returned as an *Error naming its id.
func Compile(patterns []Pattern) (*Set, error) {
	s := &Set{index: map[string][]int32{}, paths: map[string]bool{}}
	for i, p := range patterns {
		n, err := parse(p.JSON)
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				pe.ID = p.ID
			}
			return nil, err
		}
		s.ids = append(s.ids, p.ID)
		s.nodes = append(s.nodes, n)
		path, keys := anchor(n, "")
		if keys == nil {
			s.always = append(s.always, int32(i))
			continue
		}
		for _, k := range keys {
			key := path + "\x00" + k
			s.index[key] = append(s.index[key], int32(i))
		}
		for p := path; ; {
			s.paths[p] = true
			j := strings.LastIndexByte(p, '\x1f')
			if j < 0 {
				break
			}
			p = p[:j]
		}
	}
	return s, nil
}

// Len is the number of patterns in the set.
func (s *Set) Len() int { return len(s.ids) }

// anchor picks one required field of a pattern whose matchers are all
// exact values: an event without one of those values at that path cannot
// match. It prefers the field with the fewest values, then the deepest.
func anchor(n *node, path string) (string, []string) {
	bestPath, best := "", []string(nil)
	consider := func(p string, keys []string) {
		if keys == nil {
			return
		}
		if best == nil || len(keys) < len(best) || (len(keys) == len(best) && strings.Count(p, "\x1f") > strings.Count(bestPath, "\x1f")) {
			bestPath, best = p, keys
		}
	}
	for _, f := range n.fields {
		p := f.key
		if path != "" {
			p = path + "\x1f" + f.key
		}
		if f.sub != nil {
			consider(anchor(f.sub, p))
			continue
		}
		keys := make([]string, 0, len(f.leaf))
		for _, m := range f.leaf {
			if m.kind != kExact {
				keys = nil
				break
			}
			keys = append(keys, canonical(m.value))
		}
		if len(keys) > 0 {
			consider(p, keys)
		}
	}
	return bestPath, best
}

// Match decodes an event and answers the ids of the patterns it matches,
// in the order the patterns were compiled.
func (s *Set) Match(event []byte) ([]string, error) {
	ev, err := ParseEvent(event)
	if err != nil {
		return nil, err
	}
	return s.MatchEvent(ev), nil
}

// MatchEvent answers the ids of the patterns a decoded event matches.
func (s *Set) MatchEvent(ev Event) []string {
	var cand []int32
	if len(s.index) > 0 {
		seen := map[int32]bool{}
		s.walk(ev.root, "", func(key string) {
			for _, i := range s.index[key] {
				if !seen[i] {
					seen[i] = true
					cand = append(cand, i)
				}
			}
		})
	}
	cand = append(cand, s.always...)
	sort.Slice(cand, func(a, b int) bool { return cand[a] < cand[b] })
	var out []string
	for _, i := range cand {
		if s.nodes[i].matches(ev.root) {
			out = append(out, s.ids[i])
		}
	}
	return out
}

// walk calls fn with the index key of every scalar of the event on a path
// some pattern is indexed by.
func (s *Set) walk(v any, path string, fn func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			p := k
			if path != "" {
				p = path + "\x1f" + k
			}
			if s.paths[p] {
				s.walk(e, p, fn)
			}
		}
	case []any:
		for _, e := range t {
			s.walk(e, path, fn)
		}
	default:
		if c := canonical(t); c != "" {
			fn(path + "\x00" + c)
		}
	}
}
