package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// The WebSocket data plane. An upgrade request to a stage of a WebSocket
// API (ws://{api}.execute-api.localhost:PORT/{stage}, or
// ws://127.0.0.1:PORT/_api/{api}/{stage}) runs the $connect route first,
// while the upgrade waits, as API Gateway does: an integration that fails,
// or answers a status outside 2xx, refuses the upgrade with that status.
// Then every message goes to the route its route selection expression
// picks (else $default; without one the client is told
// {"message": "Forbidden", ...}); a route with a route response
// (RouteResponseSelectionExpression) sends the function's body back. When
// either side closes, $disconnect runs. Functions get
// events.APIGatewayWebsocketProxyRequest.

// Limits: API Gateway's 128 KB message (32 KB frames are not enforced).
const wsMaxMessage = 128 << 10

// wsSession is what every event of one connection shares.
type wsSession struct {
	a          *compiledAPI
	stage      *Stage
	id         string
	domainName string
	connected  time.Time
	identity   events.APIGatewayRequestIdentity
	authorizer map[string]any // what the $connect authorizer allowed, for every event
}

func (g *Gateway) serveWebSocket(w http.ResponseWriter, r *http.Request, a *compiledAPI, stage *Stage, t *target, apiPath string, rec *accessRecord) int {
	if apiPath != "/" && apiPath != "" {
		return writeFailure(w, flavorHTTP, failForbidden)
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		body := `{"message":"Upgrade Required: this is a WebSocket API"}`
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUpgradeRequired)
		_, _ = w.Write([]byte(body))
		return http.StatusUpgradeRequired
	}
	now := g.now()
	s := &wsSession{a: a, stage: stage, id: newConnID(), domainName: t.domainName, connected: now,
		identity: events.APIGatewayRequestIdentity{SourceIP: sourceIP(r), UserAgent: r.Header.Get("User-Agent")}}
	rec.routeKey = wsConnect

	if !g.wsAllow(s) {
		return writeFailure(w, flavorHTTP, failThrottled)
	}
	// $connect decides, while the upgrade waits.
	var subprotocols []string
	if route := a.ws.byKey[wsConnect]; route != nil {
		if route.route.AuthorizationType == AuthIAM {
			if _, ok := g.verifyIAM(r, "execute-api"); !ok {
				return writeFailure(w, flavorHTTP, failForbidden)
			}
		}
		ev := s.event(wsConnect, "CONNECT", awsRequestID(), now, g.requestTime(now))
		ev.Headers, ev.MultiValueHeaders = singleHeaders(r.Header), r.Header
		if q := r.URL.Query(); len(q) > 0 {
			ev.QueryStringParameters, ev.MultiValueQueryStringParameters = singleValues(q), q
		}
		if route.route.AuthorizerID != "" {
			authz, f := g.wsAuthorize(r.Context(), r, s, route, ev)
			if f >= 0 {
				return writeFailure(w, flavorHTTP, f)
			}
			s.authorizer = authz
			ev.RequestContext.Authorizer = authz
		}
		res, f := g.wsInvoke(r.Context(), s, route, ev)
		if f >= 0 {
			return writeFailure(w, flavorHTTP, f)
		}
		if res.status < 200 || res.status > 299 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(res.status)
			_, _ = w.Write([]byte(res.body))
			return res.status
		}
		if p := res.header.Get("Sec-WebSocket-Protocol"); p != "" {
			subprotocols = []string{p}
		}
	}
	conn := &wsConn{ready: make(chan struct{}), rec: connRecord{ID: s.id, APIID: a.api.ID, Stage: stage.Name, Node: g.ws.node,
		DomainName: s.domainName, SourceIP: s.identity.SourceIP, UserAgent: s.identity.UserAgent, ConnectedAt: now.UTC()}}
	conn.lastActive.Store(now.UnixNano())
	// The connection outlives the request's context only as long as the
	// socket: the hub closes it on shutdown.
	ctx := context.WithoutCancel(r.Context())
	if err := g.ws.register(ctx, conn); err != nil {
		g.log.Error("websocket connection not registered: upgrade refused", "api_id", a.api.ID, "err", err)
		close(conn.ready)
		return writeFailure(w, flavorHTTP, failInternal)
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, Subprotocols: subprotocols})
	if err != nil {
		close(conn.ready)
		g.ws.unregister(ctx, conn)
		g.log.Debug("websocket upgrade failed", "api_id", a.api.ID, "err", err)
		return http.StatusBadRequest
	}
	c.SetReadLimit(wsMaxMessage)
	conn.c = c
	close(conn.ready)
	g.ws.wg.Add(1)
	defer g.ws.wg.Done()
	code, reason := g.wsReadLoop(ctx, s, conn)
	g.ws.unregister(ctx, conn)
	if !g.wsRefresh(s) { // the API is gone: nothing to tell
		return http.StatusSwitchingProtocols
	}
	if route := s.a.ws.byKey[wsDisconnect]; route != nil {
		dnow := g.now()
		ev := s.event(wsDisconnect, "DISCONNECT", awsRequestID(), dnow, g.requestTime(dnow))
		ev.RequestContext.DisconnectStatusCode = int64(code)
		ev.RequestContext.DisconnectReason = &reason
		ev.Headers, ev.MultiValueHeaders = singleHeaders(r.Header), r.Header
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, _ = g.wsInvoke(dctx, s, route, ev)
		cancel()
	}
	return http.StatusSwitchingProtocols
}

// wsReadLoop serves the connection's messages until it closes; it gives
// the close status and reason $disconnect reports.
func (g *Gateway) wsReadLoop(ctx context.Context, s *wsSession, conn *wsConn) (int, string) {
	for {
		typ, msg, err := conn.c.Read(ctx)
		if err != nil {
			status := websocket.CloseStatus(err)
			switch {
			case conn.closing.Load():
				return 1000, "Connection closed by the @connections API"
			case status == -1:
				return 1006, "Connection lost"
			}
			return int(status), "Client closed the connection"
		}
		now := g.now()
		conn.lastActive.Store(now.UnixNano())
		reqID := awsRequestID()
		if !g.wsRefresh(s) {
			_ = conn.c.Close(websocket.StatusGoingAway, "The API or its stage was deleted")
			continue // the next Read reports the close
		}
		if !g.wsAllow(s) {
			g.wsTell(ctx, conn, "Too Many Requests", reqID)
			continue
		}
		route := s.a.ws.route(msg)
		if route == nil {
			g.wsTell(ctx, conn, "Forbidden", reqID)
			continue
		}
		ev := s.event(route.routeKey, "MESSAGE", reqID, now, g.requestTime(now))
		ev.RequestContext.MessageID = randomID(16)
		if typ == websocket.MessageBinary || !utf8.Valid(msg) {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(msg), true
		} else {
			ev.Body = string(msg)
		}
		res, f := g.wsInvoke(ctx, s, route, ev)
		if f >= 0 {
			g.wsTell(ctx, conn, "Internal server error", reqID)
			continue
		}
		if route.route.TwoWay && res.body != "" {
			_ = conn.c.Write(ctx, websocket.MessageText, []byte(res.body))
		}
	}
}

// wsRefresh moves a connection to the API's current routes and stage
// (a redeploy changes them for open connections too); false when the API
// or its stage is gone.
func (g *Gateway) wsRefresh(s *wsSession) bool {
	a := g.snap.Load().apis[s.a.api.ID]
	if a == nil || a.ws == nil {
		return false
	}
	st := a.stages[s.stage.Name]
	if st == nil {
		return false
	}
	s.a, s.stage = a, st
	return true
}

// wsAllow applies the stage's throttling (DefaultRouteSettings) to a
// connection or a message.
func (g *Gateway) wsAllow(s *wsSession) bool {
	st := s.stage
	if st.ThrottleRate <= 0 && st.ThrottleBurst <= 0 {
		return true
	}
	return g.limits.allow("stage/"+s.a.api.ID+"/"+st.Name, st.ThrottleRate, st.ThrottleBurst)
}

// wsTell sends the client API Gateway's own message about a message it
// could not route or whose integration failed.
func (g *Gateway) wsTell(ctx context.Context, conn *wsConn, msg, reqID string) {
	b, _ := json.Marshal(map[string]string{"message": msg, "connectionId": conn.rec.ID, "requestId": reqID})
	_ = conn.c.Write(ctx, websocket.MessageText, b)
}

// event is the event of one connection's route.
func (s *wsSession) event(routeKey, eventType, reqID string, now time.Time, nowText string) *events.APIGatewayWebsocketProxyRequest {
	ev := &events.APIGatewayWebsocketProxyRequest{
		StageVariables: s.stage.Variables,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey: routeKey, EventType: eventType, ExtendedRequestID: reqID, RequestTime: nowText,
			MessageDirection: "IN", Stage: s.stage.Name, ConnectedAt: s.connected.UnixMilli(),
			RequestTimeEpoch: now.UnixMilli(), Identity: s.identity, RequestID: reqID,
			DomainName: s.domainName, ConnectionID: s.id, APIID: s.a.api.ID,
		},
	}
	if s.authorizer != nil {
		ev.RequestContext.Authorizer = s.authorizer
	}
	return ev
}

// wsResult is what a function answered a WebSocket event.
type wsResult struct {
	status int
	header http.Header
	body   string
}

// wsInvoke invokes a route's function with ev (-1: invoked).
func (g *Gateway) wsInvoke(ctx context.Context, s *wsSession, route *compiledRoute, ev *events.APIGatewayWebsocketProxyRequest) (wsResult, failure) {
	if typ := route.route.Integration.NotServed; typ != "" {
		g.log.Warn("websocket route not served: its integration type is not served yet", "api_id", s.a.api.ID, "route", route.routeKey, "integration_type", typ)
		return wsResult{}, failInternal
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return wsResult{}, failInternal
	}
	if f := g.checkEventSize(payload, s.a.api.ID, route.routeKey); f >= 0 {
		return wsResult{}, f
	}
	src := Source{Principal: PrincipalAPIGateway, SourceARN: s.a.account.ARN("execute-api", s.a.api.ID+"/"+s.stage.Name+"/"+route.routeKey)}
	ictx, cancel := context.WithTimeoutCause(ctx, time.Duration(route.timeout)*time.Millisecond, ErrTimeout)
	defer cancel()
	result, ferr, err := g.invoker.Invoke(ictx, route.route.Integration.Function, payload, src)
	if f := g.invokeFailure(ictx, err, ferr, s.a.api.ID, route.route.Integration.Function); f >= 0 {
		return wsResult{}, f
	}
	return parseWSResult(result), -1
}

// parseWSResult reads a Lambda proxy answer: {"statusCode", "headers",
// "body"}; anything else (null, a bare value) is a 200 with that body.
func parseWSResult(b []byte) wsResult {
	res := wsResult{status: http.StatusOK, header: http.Header{}}
	var m struct {
		StatusCode *int              `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       *string           `json:"body"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.StatusCode == nil && m.Body == nil {
		if t := strings.TrimSpace(string(b)); t != "null" {
			var str string
			if json.Unmarshal(b, &str) == nil {
				res.body = str
			} else {
				res.body = t
			}
		}
		return res
	}
	if m.StatusCode != nil && *m.StatusCode >= 100 && *m.StatusCode <= 599 {
		res.status = *m.StatusCode
	}
	for k, v := range m.Headers {
		res.header.Set(k, v)
	}
	if m.Body != nil {
		res.body = *m.Body
	}
	return res
}

func singleHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
}

func singleValues(q map[string][]string) map[string]string {
	out := make(map[string]string, len(q))
	for k, v := range q {
		if len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
}

// awsRequestID is an API Gateway request id for an event.
func awsRequestID() string { return strings.ToUpper(randomID(8)) + "=" }
