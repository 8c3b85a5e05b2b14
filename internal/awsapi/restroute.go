package awsapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// A REST operation's route may require query parameters, as the SDKs'
// models write it: two operations then share a method and path and are
// told apart by the query,
//
//	GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency          GetProvisionedConcurrencyConfig
//	GET /2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL ListProvisionedConcurrencyConfigs
//
// A request goes to the operation whose required parameters it all has
// (the one requiring most, if several do), else to the operation of that
// path requiring none, else it is an unknown operation.

// splitRoute sets the operation's method, path and required query from
// its HTTP route ("GET /path?k=v").
func (op *Operation) splitRoute(method, route string) error {
	path, query, hasQuery := strings.Cut(route, "?")
	op.method, op.path = method, path
	if !hasQuery {
		return nil
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) == 0 {
		return fmt.Errorf("route %q: the query %q is not k=v&...", route, query)
	}
	op.query = q
	return nil
}

// Query is a REST operation's required query parameters (nil if none).
func (op *Operation) Query() url.Values { return op.query }

// route is one ServeMux pattern and the operations it serves, the most
// specific (most required parameters) first.
type route struct {
	pattern string
	ops     []*Operation
}

// routes groups the table's operations by pattern, adding the trailing
// slash variant of a path that ends in a literal segment (the SDKs and
// CLIs differ on it). Two operations with the same pattern and required
// query are an error.
func (a *API) routes() ([]route, error) {
	var out []route
	index := map[string]int{}
	for _, op := range a.list {
		base := op.method + " " + op.path
		patterns := []string{base}
		if !strings.HasSuffix(op.path, "}") && !strings.HasSuffix(op.path, "/") {
			patterns = append(patterns, base+"/{$}")
		}
		for _, p := range patterns {
			i, ok := index[p]
			if !ok {
				i = len(out)
				index[p] = i
				out = append(out, route{pattern: p})
			}
			for _, other := range out[i].ops {
				if other.query.Encode() == op.query.Encode() {
					return nil, fmt.Errorf("awsapi %s: %s and %s share the route %q", a.spec.Service, other.Name, op.Name, op.HTTP)
				}
			}
			out[i].ops = append(out[i].ops, op)
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].ops, func(x, y *Operation) int { return len(y.query) - len(x.query) })
	}
	return out, nil
}

// routeHandler serves one pattern: its one operation, or the one the
// request's query selects.
func (a *API) routeHandler(ops []*Operation) http.Handler {
	if len(ops) == 1 && len(ops[0].query) == 0 {
		return a.restHandler(ops[0])
	}
	handlers := make([]http.Handler, len(ops))
	for i, op := range ops {
		handlers[i] = a.restHandler(op)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for i, op := range ops {
			if queryHas(q, op.query) {
				handlers[i].ServeHTTP(w, r)
				return
			}
		}
		a.unknownRoute(w, r)
	})
}

// queryHas reports whether q has every parameter of want with its value.
func queryHas(q, want url.Values) bool {
	for k, vs := range want {
		for _, v := range vs {
			if !slices.Contains(q[k], v) {
				return false
			}
		}
	}
	return true
}
