package gateway

import (
	"fmt"
	"net/url"
	"strings"
)

// The router finds the most specific route for a method and path, as API
// Gateway does: at each segment a literal beats a {param}, which beats a
// greedy {name+}; among the routes on the matched path an exact method beats
// ANY; $default catches what nothing else matches. When the most specific
// path has no route for the method, less specific paths are tried.

const methodAny = "ANY"

// parseRouteKey splits "GET /a/{b}" into method and path; "$default" gives
// ("", "$default").
func parseRouteKey(key string) (method, path string, err error) {
	if key == "$default" {
		return "", "$default", nil
	}
	method, path, ok := strings.Cut(strings.TrimSpace(key), " ")
	if !ok {
		return "", "", invalid("route key %q: want \"METHOD /path\" or \"$default\"", key)
	}
	method = strings.ToUpper(method)
	switch method {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", methodAny:
	default:
		return "", "", invalid("route key %q: method %q", key, method)
	}
	if err := validateRoutePath(path); err != nil {
		return "", "", fmt.Errorf("route key %q: %w", key, err)
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	return method, path, nil
}

func validateRoutePath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return invalid("path %q: must start with /", path)
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(strings.TrimSuffix(path[1:], "/"), "/")
	names := map[string]bool{}
	for i, s := range segs {
		if s == "" {
			return invalid("path %q: empty segment", path)
		}
		if strings.ContainsAny(s, "{}") {
			if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") || len(s) < 3 {
				return invalid("path %q: segment %q: a parameter is a whole segment {name}", path, s)
			}
			name := s[1 : len(s)-1]
			if strings.HasSuffix(name, "+") {
				if i != len(segs)-1 {
					return invalid("path %q: greedy %s must be the last segment", path, s)
				}
				name = name[:len(name)-1]
			}
			if name == "" || strings.ContainsAny(name, "{}+/") {
				return invalid("path %q: parameter %q", path, s)
			}
			if names[name] {
				return invalid("path %q: parameter %q twice", path, name)
			}
			names[name] = true
		}
	}
	return nil
}

// router is a segment trie.
type router struct {
	root node
	def  *compiledRoute // $default
}

type node struct {
	literal    map[string]*node
	param      *node
	paramName  string
	greedy     *node
	greedyName string
	methods    map[string]*compiledRoute
}

func (rt *router) add(method, path string, r *compiledRoute) error {
	if path == "$default" {
		rt.def = r
		return nil
	}
	n := &rt.root
	if path != "/" {
		for _, s := range strings.Split(path[1:], "/") {
			switch {
			case strings.HasSuffix(s, "+}"):
				name := s[1 : len(s)-2]
				if n.greedy == nil {
					n.greedy, n.greedyName = &node{}, name
				} else if n.greedyName != name {
					return invalid("path %q: greedy {%s+} conflicts with {%s+}", path, name, n.greedyName)
				}
				n = n.greedy
			case strings.HasPrefix(s, "{"):
				name := s[1 : len(s)-1]
				if n.param == nil {
					n.param, n.paramName = &node{}, name
				} else if n.paramName != name {
					return invalid("path %q: {%s} conflicts with {%s} at the same position", path, name, n.paramName)
				}
				n = n.param
			default:
				if n.literal == nil {
					n.literal = map[string]*node{}
				}
				c := n.literal[s]
				if c == nil {
					c = &node{}
					n.literal[s] = c
				}
				n = c
			}
		}
	}
	if n.methods == nil {
		n.methods = map[string]*compiledRoute{}
	}
	if n.methods[method] != nil {
		return invalid("route %s %s: duplicate", method, path)
	}
	n.methods[method] = r
	return nil
}

func (n *node) pick(method string) *compiledRoute {
	if r := n.methods[method]; r != nil {
		return r
	}
	return n.methods[methodAny]
}

// param is a matched path parameter.
type param struct{ name, value string }

// match finds the route for method and an escaped path ("/a/b%20c"). It
// returns the route and its path parameters (unescaped), or nil.
func (rt *router) match(method, escapedPath string) (*compiledRoute, []param) {
	p := strings.TrimPrefix(escapedPath, "/")
	var segs []string
	if p != "" {
		segs = strings.Split(p, "/")
		if len(segs) > 1 && segs[len(segs)-1] == "" {
			segs = segs[:len(segs)-1] // "/pets/" matches "/pets"
		}
	}
	var params []param
	if r := rt.root.match(method, segs, 0, &params); r != nil {
		return r, params
	}
	if rt.def != nil {
		return rt.def, nil
	}
	return nil, nil
}

func (n *node) match(method string, segs []string, i int, params *[]param) *compiledRoute {
	if i == len(segs) {
		return n.pick(method)
	}
	seg := segs[i]
	if c := n.literal[unescape(seg)]; c != nil {
		if r := c.match(method, segs, i+1, params); r != nil {
			return r
		}
	}
	if n.param != nil && seg != "" {
		*params = append(*params, param{n.paramName, unescape(seg)})
		if r := n.param.match(method, segs, i+1, params); r != nil {
			return r
		}
		*params = (*params)[:len(*params)-1]
	}
	if n.greedy != nil {
		if r := n.greedy.pick(method); r != nil {
			*params = append(*params, param{n.greedyName, unescape(strings.Join(segs[i:], "/"))})
			return r
		}
	}
	return nil
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}
