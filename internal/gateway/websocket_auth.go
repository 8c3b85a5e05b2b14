package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// A WebSocket API's Lambda REQUEST authorizer, on $connect (the only route
// WebSocket APIs authorize): its identity sources are read from the upgrade
// request (route.request.header.X, route.request.querystring.Q, also
// spelled $request.header.X); a missing one answers 401 without invoking,
// a Deny 403, a failure 500. What it allows reaches every event of the
// connection as requestContext.authorizer (principalId and its context).

// wsAuthorizerEvent is the event of a WebSocket REQUEST authorizer.
type wsAuthorizerEvent struct {
	Type                            string                                        `json:"type"`
	MethodArn                       string                                        `json:"methodArn"`
	Headers                         map[string]string                             `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string                           `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string                             `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string                           `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string                             `json:"stageVariables,omitempty"`
	RequestContext                  events.APIGatewayWebsocketProxyRequestContext `json:"requestContext"`
}

// wsAuthorize runs the $connect route's authorizer: the authorizer context
// for the connection's events, or the failure to answer the upgrade with.
func (g *Gateway) wsAuthorize(ctx context.Context, r *http.Request, s *wsSession, route *compiledRoute, ev *events.APIGatewayWebsocketProxyRequest) (map[string]any, failure) {
	a := s.a
	z := a.authorizers[route.route.AuthorizerID]
	if z == nil || z.cfg.Type == AuthorizerJWT {
		g.log.Warn("websocket $connect authorizer missing or not a Lambda authorizer: connection refused", "api_id", a.api.ID, "authorizer", route.route.AuthorizerID)
		return nil, failInternal
	}
	in := &inbound{r: r, requestID: ev.RequestContext.RequestID, stage: s.stage.Name, stageVars: s.stage.Variables, domainName: s.domainName}
	if _, ok := z.identityValues(in); !ok { // they gate the call; the function reads the request
		return nil, failUnauthorized
	}
	methodARN := a.account.ARN("execute-api", a.api.ID+"/"+s.stage.Name+"/"+wsConnect)
	payload, err := json.Marshal(wsAuthorizerEvent{Type: "REQUEST", MethodArn: methodARN, Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders,
		QueryStringParameters: ev.QueryStringParameters, MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		StageVariables: s.stage.Variables, RequestContext: ev.RequestContext})
	if err != nil {
		return nil, failAuthorizerError
	}
	src := Source{Principal: PrincipalAPIGateway, SourceARN: a.account.ARN("execute-api", a.api.ID+"/authorizers/"+z.cfg.ID)}
	actx, cancel := context.WithTimeoutCause(ctx, 10*time.Second, ErrTimeout)
	result, ferr, err := g.invoker.Invoke(actx, z.cfg.Function, payload, src)
	cancel()
	if err == nil && ferr != "" && unauthorizedError(result) {
		return nil, failUnauthorized
	}
	if err != nil || ferr != "" {
		g.log.Warn("websocket lambda authorizer failed", "api_id", a.api.ID, "authorizer", z.cfg.ID, "function_error", ferr, "err", err)
		return nil, failAuthorizerError
	}
	d, err := parseAuthorizerResponse(result, false)
	if err != nil {
		g.log.Warn("websocket lambda authorizer response", "api_id", a.api.ID, "authorizer", z.cfg.ID, "err", err)
		return nil, failAuthorizerError
	}
	res, f := d.decide(methodARN)
	if f >= 0 {
		return nil, f
	}
	return res.v1(), -1
}
