package gateway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// WebSocket APIs (AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET): the
// routes are $connect, $disconnect, $default and custom route keys chosen
// per message by the API's route selection expression
// ("$request.body.action": the message's JSON member action). The data
// plane is websocket_serve.go, the connection registry and the
// @connections management API websocket_hub.go and websocket_api.go.

// TypeWebSocket is a WebSocket API.
const TypeWebSocket APIType = "WEBSOCKET"

// WebSocket route keys with a meaning of their own.
const (
	wsConnect    = "$connect"
	wsDisconnect = "$disconnect"
	wsDefault    = "$default"
)

// selection is a parsed route selection expression: literal text and
// $request.body paths, concatenated.
type selection struct {
	parts []selPart
}

type selPart struct {
	literal string
	path    []string // nil for a literal
}

// parseSelection parses a route selection expression: "$request.body.a.b",
// "${request.body.a}", or text mixing literals with ${request.body...}
// ("${request.body.service}/${request.body.action}"). A bare
// $request.body... runs to the end of the expression.
func parseSelection(expr string) (*selection, error) {
	if expr == "" {
		return nil, fmt.Errorf("route selection expression: empty")
	}
	if len(expr) > 256 {
		return nil, fmt.Errorf("route selection expression: over 256 characters")
	}
	s := &selection{}
	if rest, ok := strings.CutPrefix(expr, "$request.body"); ok {
		p, err := bodyPath(rest, expr)
		if err != nil {
			return nil, err
		}
		s.parts = append(s.parts, selPart{path: p})
		return s, nil
	}
	for i := 0; i < len(expr); {
		j := strings.Index(expr[i:], "${")
		if j < 0 {
			s.parts = append(s.parts, selPart{literal: expr[i:]})
			break
		}
		if j > 0 {
			s.parts = append(s.parts, selPart{literal: expr[i : i+j]})
		}
		i += j + 2
		k := strings.IndexByte(expr[i:], '}')
		if k < 0 {
			return nil, fmt.Errorf("route selection expression %q: ${ without }", expr)
		}
		inner := expr[i : i+k]
		i += k + 1
		rest, ok := strings.CutPrefix(inner, "request.body")
		if !ok {
			return nil, fmt.Errorf("route selection expression %q: ${%s}: only request.body values select routes", expr, inner)
		}
		p, err := bodyPath(rest, expr)
		if err != nil {
			return nil, err
		}
		s.parts = append(s.parts, selPart{path: p})
	}
	hasPath := false
	for _, p := range s.parts {
		hasPath = hasPath || p.path != nil
	}
	if !hasPath {
		return nil, fmt.Errorf("route selection expression %q: selects on nothing (want $request.body.NAME)", expr)
	}
	return s, nil
}

// bodyPath reads ".a.b" into [a b].
func bodyPath(rest, expr string) ([]string, error) {
	if rest == "" || rest[0] != '.' {
		return nil, fmt.Errorf("route selection expression %q: want $request.body.NAME", expr)
	}
	names := strings.Split(rest[1:], ".")
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("route selection expression %q: empty member name", expr)
		}
	}
	return names, nil
}

// eval gives the route key a message selects; ok is false when the
// message is not a JSON object or lacks a member (then $default).
func (s *selection) eval(msg []byte) (string, bool) {
	var doc map[string]any
	if json.Unmarshal(msg, &doc) != nil || doc == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range s.parts {
		if p.path == nil {
			b.WriteString(p.literal)
			continue
		}
		var v any = doc
		for _, n := range p.path {
			m, ok := v.(map[string]any)
			if !ok {
				return "", false
			}
			if v, ok = m[n]; !ok {
				return "", false
			}
		}
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case float64:
			b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
		case bool:
			b.WriteString(strconv.FormatBool(x))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// validateWebSocket checks a WebSocket API: its route selection
// expression, route keys and stages.
func (a *API) validateWebSocket() error {
	if _, err := parseSelection(a.RouteSelection); err != nil {
		return invalid("api %s: %v", a.ID, err)
	}
	auths := map[string]bool{}
	for _, z := range a.Authorizers {
		auths[z.ID] = true
	}
	seen := map[string]bool{}
	for i, r := range a.Routes {
		if r.AuthorizerID != "" && !auths[r.AuthorizerID] {
			return invalid("api %s: routes[%d].authorizerId %q: no such authorizer", a.ID, i, r.AuthorizerID)
		}
		if r.Key == "" || len(r.Key) > 128 {
			return invalid("api %s: routes[%d].key %q: 1 to 128 characters", a.ID, i, r.Key)
		}
		if seen[r.Key] {
			return invalid("api %s: routes[%d].key: duplicate route %q", a.ID, i, r.Key)
		}
		seen[r.Key] = true
		if r.Integration.Function == "" && r.Integration.NotServed == "" {
			return invalid("api %s: routes[%d].integration.function: required", a.ID, i)
		}
	}
	stages := map[string]bool{}
	for i, s := range a.Stages {
		if !validID(s.Name) {
			return invalid("api %s: stages[%d].name %q: letters, digits, - and _ only", a.ID, i, s.Name)
		}
		if stages[s.Name] {
			return invalid("api %s: stages[%d].name: duplicate %q", a.ID, i, s.Name)
		}
		stages[s.Name] = true
	}
	return nil
}

// wsRoutes is a compiled WebSocket API's routing.
type wsRoutes struct {
	sel   *selection
	byKey map[string]*compiledRoute
}

func compileWebSocket(ca *compiledAPI) error {
	a := ca.api
	sel, err := parseSelection(a.RouteSelection)
	if err != nil {
		return err
	}
	ws := &wsRoutes{sel: sel, byKey: map[string]*compiledRoute{}}
	for i := range a.Routes {
		r := &a.Routes[i]
		cr := &compiledRoute{api: ca, route: r, path: r.Key, routeKey: r.Key, timeout: r.Integration.TimeoutMillis}
		if cr.timeout == 0 {
			cr.timeout = 29000
		}
		ws.byKey[r.Key] = cr
	}
	ca.ws = ws
	return nil
}

// route is the route a message goes to: the selected key's, else
// $default's (nil when neither exists).
func (ws *wsRoutes) route(msg []byte) *compiledRoute {
	if key, ok := ws.sel.eval(msg); ok && key != wsConnect && key != wsDisconnect {
		if r := ws.byKey[key]; r != nil {
			return r
		}
	}
	return ws.byKey[wsDefault]
}
