package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func wsAPI(id string) API {
	fn := func(key string) Route {
		return Route{Key: key, Integration: Integration{Function: "ws-" + strings.TrimPrefix(key, "$")}}
	}
	echo := fn("echo")
	echo.TwoWay = true
	return API{ID: id, Type: TypeWebSocket, RouteSelection: "$request.body.action",
		Routes: []Route{fn(wsConnect), fn(wsDisconnect), fn(wsDefault), echo}, Stages: []Stage{{Name: "prod", Variables: map[string]string{"v": "1"}}}}
}

// wsInvoker answers $connect by the query (deny=1: 401), echo with its
// body, and records every event.
func wsInvoker() *fakeInvoker {
	return &fakeInvoker{invoke: func(_ context.Context, fn string, payload []byte, _ Source) ([]byte, string, error) {
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, "", err
		}
		switch fn {
		case "ws-connect":
			if ev.QueryStringParameters["deny"] != "" {
				return []byte(`{"statusCode": 401, "body": "no"}`), "", nil
			}
			if ev.QueryStringParameters["fail"] != "" {
				return []byte(`{"errorMessage":"boom"}`), "Unhandled", nil
			}
		case "ws-echo":
			b, err := json.Marshal(map[string]any{"statusCode": 200, "body": "echo:" + ev.Body})
			return b, "", err
		}
		return []byte(`{"statusCode": 200}`), "", nil
	}}
}

func dialWS(t *testing.T, e *testEnv, path string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws://"+e.addr+path, nil)
}

func readWS(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

func eventsOf(t *testing.T, inv *fakeInvoker, fn string) []events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	var out []events.APIGatewayWebsocketProxyRequest
	for _, c := range inv.callsTo(fn) {
		var ev events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(c.payload, &ev); err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func TestWebSocketRoutesAndEvents(t *testing.T) {
	inv := wsInvoker()
	e := newEnv(t, inv)
	e.put(t, wsAPI("wsapi00001"))

	// $connect refusing: the upgrade is refused with its status.
	if _, res, err := dialWS(t, e, "/_api/wsapi00001/prod?deny=1"); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("denied $connect: %v %v", res, err)
	}
	if _, res, err := dialWS(t, e, "/_api/wsapi00001/prod?fail=1"); err == nil || res == nil || res.StatusCode != http.StatusBadGateway {
		t.Fatalf("failing $connect: %v %v", res, err)
	}
	if _, res, err := dialWS(t, e, "/_api/wsapi00001/nostage"); err == nil || res == nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown stage: %v %v", res, err)
	}

	c, _, err := dialWS(t, e, "/_api/wsapi00001/prod?user=ann")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A custom route with a route response answers; others go to $default.
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"echo","data":"hi"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readWS(t, c); got != `echo:{"action":"echo","data":"hi"}` {
		t.Fatalf("echo answered %q", got)
	}
	for _, msg := range []string{`{"action":"other"}`, `not json`, `{"action":{"x":1}}`} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "three $default events", func() bool { return len(inv.callsTo("ws-default")) == 3 })
	_ = c.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "$disconnect", func() bool { return len(inv.callsTo("ws-disconnect")) == 1 })

	connect := eventsOf(t, inv, "ws-connect")
	last := connect[len(connect)-1]
	id := last.RequestContext.ConnectionID
	rc := last.RequestContext
	if rc.EventType != "CONNECT" || rc.RouteKey != "$connect" || rc.Stage != "prod" || rc.APIID != "wsapi00001" ||
		rc.DomainName != "wsapi00001.execute-api.localhost" || len(id) != 16 || last.QueryStringParameters["user"] != "ann" ||
		last.Headers["Upgrade"] == "" || rc.ConnectedAt == 0 || rc.MessageDirection != "IN" {
		t.Errorf("CONNECT event: %+v", last)
	}
	msgs := eventsOf(t, inv, "ws-default")
	if m := msgs[0]; m.RequestContext.EventType != "MESSAGE" || m.RequestContext.RouteKey != "$default" || m.Body != `{"action":"other"}` ||
		m.RequestContext.ConnectionID != id || m.StageVariables["v"] != "1" {
		t.Errorf("MESSAGE event: %+v", m)
	}
	d := eventsOf(t, inv, "ws-disconnect")[0]
	if d.RequestContext.EventType != "DISCONNECT" || d.RequestContext.ConnectionID != id || d.RequestContext.DisconnectStatusCode != 1000 {
		t.Errorf("DISCONNECT event: %+v", d.RequestContext)
	}
	if src := inv.callsTo("ws-echo")[0].source.SourceARN; src != "arn:aws:execute-api:us-east-1:000000000000:wsapi00001/prod/echo" {
		t.Errorf("source ARN %s", src)
	}
	// The connection is gone from the registry.
	if err := e.g.PostToConnection(ctx, id, []byte("late")); !errors.Is(err, ErrGone) {
		t.Errorf("post after close: %v", err)
	}
	// Not an upgrade: 426.
	if r := e.do(t, req{path: "/_api/wsapi00001/prod"}); r.status != http.StatusUpgradeRequired {
		t.Errorf("plain GET: %d", r.status)
	}
}

// TestWebSocketTwoNodes: a connection lives on the node that accepted it;
// posting, reading and closing it from another node go through the
// registry and the owner's NATS subject.
func TestWebSocketTwoNodes(t *testing.T) {
	url := backbonetest.Server(t)
	invA, invB := wsInvoker(), wsInvoker()
	a := newEnvOn(t, backbonetest.Dial(t, url), invA)
	b := newEnvOn(t, backbonetest.Dial(t, url), invB)
	a.put(t, wsAPI("wsapi00002"))
	waitFor(t, "node b to serve the api", func() bool { _, ok := b.g.Get("wsapi00002"); return ok })

	c, _, err := dialWS(t, b, "/_api/wsapi00002/prod")
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	id := eventsOf(t, invB, "ws-connect")[0].RequestContext.ConnectionID
	ctx := context.Background()

	if err := a.g.PostToConnection(ctx, id, []byte("from node a")); err != nil {
		t.Fatalf("post from the other node: %v", err)
	}
	if got := readWS(t, c); got != "from node a" {
		t.Fatalf("client read %q", got)
	}
	info, err := a.g.GetConnection(ctx, id)
	if err != nil || info.SourceIP != "127.0.0.1" || info.ConnectedAt.IsZero() || info.LastActiveAt.Before(info.ConnectedAt) {
		t.Fatalf("get from the other node: %+v %v", info, err)
	}
	if err := a.g.PostToConnection(ctx, "NoSuchConnectn=", []byte("x")); !errors.Is(err, ErrGone) {
		t.Fatalf("unknown connection: %v", err)
	}
	if err := a.g.DeleteConnection(ctx, id); err != nil {
		t.Fatalf("delete from the other node: %v", err)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, _, err := c.Read(rctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("client after delete: %v", err)
	}
	waitFor(t, "$disconnect on the owning node", func() bool { return len(invB.callsTo("ws-disconnect")) == 1 })
	if r := eventsOf(t, invB, "ws-disconnect")[0].RequestContext; r.DisconnectReason == nil || !strings.Contains(*r.DisconnectReason, "@connections") {
		t.Errorf("disconnect reason: %+v", r)
	}
	if err := a.g.PostToConnection(ctx, id, []byte("x")); !errors.Is(err, ErrGone) {
		t.Fatalf("post after delete: %v", err)
	}

	// A record whose node no longer answers is removed, and the call is Gone.
	kv, err := a.g.ws.store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stale, _ := json.Marshal(connRecord{ID: "StaleConnectio=", APIID: "wsapi00002", Stage: "prod", Node: "vanishednode"})
	if _, err := kv.Put(ctx, "StaleConnectio=", stale); err != nil {
		t.Fatal(err)
	}
	if err := a.g.PostToConnection(ctx, "StaleConnectio=", []byte("x")); !errors.Is(err, ErrGone) {
		t.Fatalf("stale record: %v", err)
	}
	if _, err := kv.Get(ctx, "StaleConnectio="); err == nil {
		t.Errorf("stale record kept")
	}
}

func TestWebSocketValidation(t *testing.T) {
	e := newEnv(t, nil)
	bad := wsAPI("wsapi00003")
	bad.RouteSelection = "$request.header.x"
	if _, err := e.g.Put(context.Background(), bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad selection expression: %v", err)
	}
	dup := wsAPI("wsapi00003")
	dup.Routes = append(dup.Routes, dup.Routes[0])
	if _, err := e.g.Put(context.Background(), dup); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate route: %v", err)
	}
}

func TestSelectionExpression(t *testing.T) {
	cases := []struct {
		expr, msg, want string
		ok              bool
	}{
		{"$request.body.action", `{"action":"send"}`, "send", true},
		{"${request.body.action}", `{"action":"send"}`, "send", true},
		{"$request.body.a.b", `{"a":{"b":"deep"}}`, "deep", true},
		{"${request.body.svc}/${request.body.op}", `{"svc":"chat","op":"join"}`, "chat/join", true},
		{"$request.body.n", `{"n":3}`, "3", true},
		{"$request.body.action", `{"other":1}`, "", false},
		{"$request.body.action", `[1,2]`, "", false},
		{"$request.body.action", `text`, "", false},
		{"$request.body.action", `{"action":null}`, "", false},
	}
	for _, c := range cases {
		s, err := parseSelection(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		got, ok := s.eval([]byte(c.msg))
		if got != c.want || ok != c.ok {
			t.Errorf("%s on %s: %q %v, want %q %v", c.expr, c.msg, got, ok, c.want, c.ok)
		}
	}
	for _, bad := range []string{"", "action", "$request.body", "$request.body.", "$request.body..a", "${request.header.x}", "${request.body.a", "literal"} {
		if _, err := parseSelection(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func FuzzSelectionExpression(f *testing.F) {
	for _, s := range []string{"$request.body.action", "${request.body.a}-${request.body.b}", "${", "$request.body.a.b.c", "x${request.body.}"} {
		f.Add(s, `{"action":"x","a":{"b":{"c":"d"}}}`)
	}
	f.Fuzz(func(t *testing.T, expr, msg string) {
		s, err := parseSelection(expr)
		if err != nil {
			return
		}
		key, ok := s.eval([]byte(msg))
		if !ok && key != "" {
			t.Fatalf("no match but key %q", key)
		}
	})
}

func TestConnectionPath(t *testing.T) {
	cases := []struct {
		path string
		want connPath
		ok   bool
	}{
		{"@connections/abc=", connPath{id: "abc="}, true},
		{"prod/@connections/abc=", connPath{stage: "prod", id: "abc="}, true},
		{"_api/a1/prod/@connections/abc=", connPath{api: "a1", stage: "prod", id: "abc="}, true},
		{"a/b/@connections/abc=", connPath{}, false},
		{"prod@connections/abc=", connPath{}, false},
		{"prod/@connections/", connPath{}, false},
		{"prod/@connections/a/b", connPath{}, false},
		{"prod/items", connPath{}, false},
		{"/@connections/x", connPath{}, false},
	}
	for _, c := range cases {
		got, err := splitConnectionPath(c.path)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("%q: %+v %v, want %+v ok=%v", c.path, got, err, c.want, c.ok)
		}
	}
}

func FuzzConnectionPath(f *testing.F) {
	for _, s := range []string{"@connections/abc=", "_api/a/s/@connections/x", "a//@connections/x", "@connections/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		cp, err := splitConnectionPath(p)
		if err == nil && (cp.id == "" || strings.Contains(cp.id, "/") || strings.Contains(cp.stage, "/")) {
			t.Fatalf("%q: %+v", p, cp)
		}
	})
}

// TestWebSocketAuthorizer: a Lambda REQUEST authorizer on $connect gates
// the upgrade; what it allows reaches every event of the connection.
func TestWebSocketAuthorizer(t *testing.T) {
	inv := wsInvoker()
	base := inv.invoke
	inv.invoke = func(ctx context.Context, fn string, payload []byte, src Source) ([]byte, string, error) {
		if fn != "ws-auth" {
			return base(ctx, fn, payload, src)
		}
		var ev wsAuthorizerEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, "", err
		}
		effect := "Deny"
		if ev.QueryStringParameters["token"] == "good" && ev.Type == "REQUEST" && strings.HasSuffix(ev.MethodArn, "/prod/$connect") {
			effect = "Allow"
		}
		return []byte(`{"principalId":"ann","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` +
			effect + `","Resource":"` + ev.MethodArn + `"}]},"context":{"team":"blue"}}`), "", nil
	}
	e := newEnv(t, inv)
	a := wsAPI("wsapi00004")
	a.Authorizers = []Authorizer{{ID: "auth1", Type: AuthorizerRequest, Function: "ws-auth", IdentitySource: []string{"route.request.querystring.token"}}}
	a.Routes[0].AuthorizerID = "auth1"
	e.put(t, a)

	for _, c := range []struct {
		query  string
		status int
	}{{"", http.StatusUnauthorized}, {"?token=bad", http.StatusForbidden}} {
		if _, res, err := dialWS(t, e, "/_api/wsapi00004/prod"+c.query); err == nil || res == nil || res.StatusCode != c.status {
			t.Errorf("%q: %v %v, want %d", c.query, res, err, c.status)
		}
	}
	if n := len(inv.callsTo("ws-connect")); n != 0 {
		t.Errorf("$connect ran %d times for refused connections", n)
	}
	c, _, err := dialWS(t, e, "/_api/wsapi00004/prod?token=good")
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"x"}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a $default event", func() bool { return len(inv.callsTo("ws-default")) == 1 })
	for _, fn := range []string{"ws-connect", "ws-default"} {
		az, _ := eventsOf(t, inv, fn)[0].RequestContext.Authorizer.(map[string]any)
		if az["principalId"] != "ann" || az["team"] != "blue" {
			t.Errorf("%s: authorizer %v", fn, az)
		}
	}
}

// TestWebSocketRedeploy: open connections follow the API's current routes,
// and are closed when the API is deleted.
func TestWebSocketRedeploy(t *testing.T) {
	inv := wsInvoker()
	e := newEnv(t, inv)
	a := wsAPI("wsapi00005")
	e.put(t, a)
	c, _, err := dialWS(t, e, "/_api/wsapi00005/prod")
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	ctx := context.Background()
	// A new route, deployed while connected, takes the next message.
	a.Routes = append(a.Routes, Route{Key: "late", Integration: Integration{Function: "ws-echo"}, TwoWay: true})
	e.put(t, a)
	waitFor(t, "the new routes", func() bool { return e.g.snap.Load().apis["wsapi00005"].ws.byKey["late"] != nil })
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"late"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readWS(t, c); got != `echo:{"action":"late"}` {
		t.Fatalf("after redeploy: %q", got)
	}
	if err := e.g.Delete(ctx, "wsapi00005"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the api gone", func() bool { return e.g.snap.Load().apis["wsapi00005"] == nil })
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"late"}`)); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, _, err := c.Read(rctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("after delete: %v", err)
	}
}

// TestWebSocketThrottle: the stage's throttling counts connections and
// messages; a throttled message is answered, not routed.
func TestWebSocketThrottle(t *testing.T) {
	inv := wsInvoker()
	e := newEnv(t, inv)
	a := wsAPI("wsapi00006")
	a.Stages[0].ThrottleRate, a.Stages[0].ThrottleBurst = 0.0001, 2
	e.put(t, a)
	c, _, err := dialWS(t, e, "/_api/wsapi00006/prod")
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	ctx := context.Background()
	for _, want := range []string{`echo:{"action":"echo"}`, `"message":"Too Many Requests"`} {
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"echo"}`)); err != nil {
			t.Fatal(err)
		}
		if got := readWS(t, c); !strings.Contains(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if _, r, err := dialWS(t, e, "/_api/wsapi00006/prod"); err == nil || r == nil || r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("connect over the limit: %v %v", r, err)
	}
}
