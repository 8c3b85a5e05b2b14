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
//
// Each pattern is filed under the most selective of its required fields
// (fields outside any $or, at any depth, whose every matcher is an exact
// value): under the pair of its two most selective ones when it has two,
// else under its one, else under the prefix of a required field whose
// every matcher is a prefix, else on the list evaluated for every event.
// An event is evaluated only against the patterns filed under its own
// values, which it must have to match.
type Set struct {
	ids   []string
	nodes []*node
	// single maps path + "\x00" + value to patterns.
	single map[skey][]int32
	// pair maps two paths and their values to patterns; pairPaths lists
	// the path pairs filed.
	pair      map[pkey][]int32
	pairPaths map[[2]int32]bool
	// prefix maps a path and a prefix to patterns; prefixLens lists the
	// prefix lengths filed per path.
	prefix     map[skey][]int32
	prefixLens map[int32][]int
	// always are the patterns with no required field to file them under.
	always []int32
	// root is the tree of the paths some index reads; a path's id is its
	// node's.
	root  *pathNode
	nPath int32
}

// Validate compiles one pattern and reports why it is refused, if it is.
func Validate(text string) error {
	_, err := parse(text)
	return err
}

// naiveBelow is the set size under which evaluating each pattern in turn
// is faster than looking the event up in the index.
const naiveBelow = 8

// maxPairKeys bounds the keys a pattern files under a pair of fields.
const maxPairKeys = 64

// Compile compiles patterns into a Set. The first pattern refused is
// returned as an *Error naming its id.
func Compile(patterns []Pattern) (*Set, error) {
	s := &Set{single: map[skey][]int32{}, pair: map[pkey][]int32{}, pairPaths: map[[2]int32]bool{},
		prefix: map[skey][]int32{}, prefixLens: map[int32][]int{}, root: &pathNode{id: -1}}
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
		s.file(int32(i), n)
	}
	return s, nil
}

// vkey is an exact value as an index key: its JSON type and value.
type vkey struct {
	t byte // 's' string, 'n' number, 't' true, 'f' false, 'z' null
	s string
	n float64
}

// skey is a value at a path; pkey two of them.
type (
	skey struct {
		path int32
		v    vkey
	}
	pkey struct{ a, b skey }
)

// keyOf is a scalar's index key; ok is false for anything else.
func keyOf(v any) (vkey, bool) {
	switch t := v.(type) {
	case string:
		return vkey{t: 's', s: t}, true
	case float64:
		return vkey{t: 'n', n: t}, true
	case bool:
		if t {
			return vkey{t: 't'}, true
		}
		return vkey{t: 'f'}, true
	case nil:
		return vkey{t: 'z'}, true
	}
	return vkey{}, false
}

// required is a required field of a pattern and its values or prefixes.
type required struct {
	path string
	keys []vkey
}

// file indexes pattern i.
func (s *Set) file(i int32, n *node) {
	var exact, prefixes []required
	collect(n, "", &exact, &prefixes)
	sort.SliceStable(exact, func(a, b int) bool { return len(exact[a].keys) < len(exact[b].keys) })
	switch {
	case len(exact) >= 2 && len(exact[0].keys)*len(exact[1].keys) <= maxPairKeys:
		a, b := exact[0], exact[1]
		pa, pb := s.addPath(a.path), s.addPath(b.path)
		if pa > pb {
			a, b, pa, pb = b, a, pb, pa
		}
		s.pairPaths[[2]int32{pa, pb}] = true
		for _, ka := range a.keys {
			for _, kb := range b.keys {
				k := pkey{skey{pa, ka}, skey{pb, kb}}
				s.pair[k] = append(s.pair[k], i)
			}
		}
	case len(exact) >= 1:
		a := exact[0]
		pa := s.addPath(a.path)
		for _, k := range a.keys {
			s.single[skey{pa, k}] = append(s.single[skey{pa, k}], i)
		}
	case len(prefixes) >= 1:
		a := prefixes[0]
		pa := s.addPath(a.path)
		for _, k := range a.keys {
			s.prefix[skey{pa, k}] = append(s.prefix[skey{pa, k}], i)
			if !containsInt(s.prefixLens[pa], len(k.s)) {
				s.prefixLens[pa] = append(s.prefixLens[pa], len(k.s))
			}
		}
	default:
		s.always = append(s.always, i)
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// pathNode is one key of the paths some index reads.
type pathNode struct {
	id       int32 // -1 for the root and for a parent no index reads itself
	children map[string]*pathNode
}

// addPath adds a path (keys joined by \x1f) to the tree and answers its id.
func (s *Set) addPath(p string) int32 {
	n := s.root
	for _, k := range strings.Split(p, "\x1f") {
		c := n.children[k]
		if c == nil {
			if n.children == nil {
				n.children = map[string]*pathNode{}
			}
			c = &pathNode{id: -1}
			n.children[k] = c
		}
		n = c
	}
	if n.id < 0 {
		n.id = s.nPath
		s.nPath++
	}
	return n.id
}

// collect gathers the required fields of a pattern (outside $or) whose
// matchers are all exact values, and those whose matchers are all
// case-sensitive prefixes.
func collect(n *node, path string, exact, prefixes *[]required) {
	for _, f := range n.fields {
		p := f.key
		if path != "" {
			p = path + "\x1f" + f.key
		}
		if f.sub != nil {
			collect(f.sub, p, exact, prefixes)
			continue
		}
		var ek, pk []vkey
		for _, m := range f.leaf {
			switch {
			case m.kind == kExact:
				k, _ := keyOf(m.value)
				ek = append(ek, k)
			case m.kind == kPrefix && !m.fold && m.str != "":
				pk = append(pk, vkey{t: 's', s: m.str})
			default:
				ek, pk = nil, nil
			}
			if ek == nil && pk == nil {
				break
			}
		}
		switch {
		case len(ek) == len(f.leaf):
			*exact = append(*exact, required{p, ek})
		case len(pk) == len(f.leaf):
			*prefixes = append(*prefixes, required{p, pk})
		}
	}
}

// Len is the number of patterns in the set.
func (s *Set) Len() int { return len(s.ids) }

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
	if len(s.nodes) <= naiveBelow {
		return s.MatchEach(ev)
	}
	var cand []int32
	if s.nPath > 0 {
		var buf [32]leafValue
		vals := walk(ev.root, s.root, buf[:0])
		for _, lv := range vals {
			k, ok := keyOf(lv.v)
			if !ok {
				continue
			}
			if len(s.single) > 0 {
				cand = append(cand, s.single[skey{lv.path, k}]...)
			}
			if k.t == 's' {
				for _, l := range s.prefixLens[lv.path] {
					if l <= len(k.s) {
						cand = append(cand, s.prefix[skey{lv.path, vkey{t: 's', s: k.s[:l]}}]...)
					}
				}
			}
		}
		for pp := range s.pairPaths {
			for _, a := range vals {
				if a.path != pp[0] {
					continue
				}
				ka, ok := keyOf(a.v)
				if !ok {
					continue
				}
				for _, b := range vals {
					if b.path != pp[1] {
						continue
					}
					if kb, ok := keyOf(b.v); ok {
						cand = append(cand, s.pair[pkey{skey{pp[0], ka}, skey{pp[1], kb}}]...)
					}
				}
			}
		}
	}
	cand = append(cand, s.always...)
	sort.Slice(cand, func(a, b int) bool { return cand[a] < cand[b] })
	var out []string
	for j, i := range cand {
		if j > 0 && cand[j-1] == i {
			continue
		}
		if s.nodes[i].matches(ev.root) {
			out = append(out, s.ids[i])
		}
	}
	return out
}

// MatchEach answers the same as MatchEvent by evaluating every pattern in
// turn, without the index: the naive matcher, for tests and benchmarks.
func (s *Set) MatchEach(ev Event) []string {
	var out []string
	for i, n := range s.nodes {
		if n.matches(ev.root) {
			out = append(out, s.ids[i])
		}
	}
	return out
}

// leafValue is a scalar of the event and its path.
type leafValue struct {
	path int32
	v    any
}

// walk gathers the event's scalars on the paths some index reads.
func walk(v any, n *pathNode, vals []leafValue) []leafValue {
	switch t := v.(type) {
	case map[string]any:
		if len(n.children) <= len(t) {
			for k, c := range n.children {
				if e, ok := t[k]; ok {
					vals = walk(e, c, vals)
				}
			}
			return vals
		}
		for k, e := range t {
			if c := n.children[k]; c != nil {
				vals = walk(e, c, vals)
			}
		}
	case []any:
		for _, e := range t {
			vals = walk(e, n, vals)
		}
	default:
		if n.id >= 0 {
			vals = append(vals, leafValue{n.id, t})
		}
	}
	return vals
}
