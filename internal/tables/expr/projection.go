package expr

import "github.com/nubo-run/nubo/internal/tables/attr"

// ParseProjection parses a ProjectionExpression: paths separated by commas.
func ParseProjection(src string, env *Env) ([]Path, error) {
	p, err := newParser("ProjectionExpression", src, env)
	if err != nil {
		return nil, err
	}
	var out []Path
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		for _, q := range out {
			if err := overlap(p.kind, q, path); err != nil {
				return nil, err
			}
		}
		out = append(out, path)
		if p.peek().kind == tEOF {
			return out, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

// Project keeps only the paths of an item (nested maps and lists keep
// only the selected parts; list elements keep their order).
func Project(it attr.Item, paths []Path) attr.Item {
	if paths == nil {
		return it
	}
	out := attr.Item{}
	for _, p := range paths {
		v, ok := Get(it, p)
		if !ok {
			continue
		}
		root := out[p[0].Name]
		out[p[0].Name] = place(root, p[1:], v, len(p) == 1)
	}
	return out
}

// place writes v at rest under cur, building maps and lists as the path
// does (list elements selected by index are compacted, as DynamoDB does).
func place(cur attr.Value, rest Path, v attr.Value, leaf bool) attr.Value {
	if leaf || len(rest) == 0 {
		return v
	}
	st := rest[0]
	if st.IsIdx {
		if cur.Kind != attr.L {
			cur = attr.Value{Kind: attr.L}
		}
		cur.L = append(cur.L, place(attr.Value{}, rest[1:], v, len(rest) == 1))
		return cur
	}
	if cur.Kind != attr.M {
		cur = attr.Value{Kind: attr.M, M: map[string]attr.Value{}}
	}
	cur.M[st.Name] = place(cur.M[st.Name], rest[1:], v, len(rest) == 1)
	return cur
}

// overlap refuses two paths of which one is a prefix of the other.
func overlap(kind string, a, b Path) error {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return nil
		}
	}
	return &Error{Kind: kind, Msg: "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " + bracket(a) + ", path two: " + bracket(b)}
}

func bracket(p Path) string {
	s := "["
	for i, st := range p {
		if i > 0 {
			s += ", "
		}
		if st.IsIdx {
			s += "[" + itoa(st.Index) + "]"
		} else {
			s += st.Name
		}
	}
	return s + "]"
}
