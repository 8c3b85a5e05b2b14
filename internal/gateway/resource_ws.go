package gateway

import (
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// WebSocket APIs' resources: AWS::ApiGatewayV2::Api with ProtocolType
// WEBSOCKET (resource_v2.go reads it through webSocketBase), its Routes,
// Integrations and Stages (resource_v2.go, as for HTTP APIs), and the
// types only WebSocket APIs use: Deployment (a stage name deploys that
// stage; every stage serves the current routes), RouteResponse and
// IntegrationResponse (stored; a route's RouteResponseSelectionExpression
// is what sends the function's answer back).

// webSocketBase is the base of a WebSocket API.
func webSocketBase(id string, m v2APIModel) (API, error) {
	if m.Body != nil || m.BodyS3Location != nil {
		return API{}, &stacks.PropertyError{Property: "Body", Msg: "not for WebSocket APIs: declare their routes as AWS::ApiGatewayV2::Route"}
	}
	if m.Target != "" || m.RouteKey != nil {
		return API{}, &stacks.PropertyError{Property: "Target", Msg: "quick create is for HTTP APIs"}
	}
	if m.CorsConfiguration != nil {
		return API{}, &stacks.PropertyError{Property: "CorsConfiguration", Msg: "for HTTP APIs only"}
	}
	if m.RouteSelectionExpression == "" {
		return API{}, &stacks.PropertyError{Property: "RouteSelectionExpression", Msg: "required for WEBSOCKET APIs"}
	}
	if _, err := parseSelection(m.RouteSelectionExpression); err != nil {
		return API{}, &stacks.PropertyError{Property: "RouteSelectionExpression", Msg: err.Error()}
	}
	return API{ID: id, Name: m.Name, Type: TypeWebSocket, RouteSelection: m.RouteSelectionExpression,
		DisableExecuteAPIEndpoint: m.DisableExecuteApiEndpoint}, nil
}

func (s *StackResources) webSocketProviders() []stacks.Provider {
	apiID := func(props stacks.Props) (string, error) { return v2APIID(props) }
	return []stacks.Provider{
		&apiPartProvider{s: s, typ: "AWS::ApiGatewayV2::Deployment", kind: "v2deployment", idAttr: "DeploymentId", apiOf: apiID,
			props: map[string]stacks.Property{
				"ApiId":       {Type: stacks.String, Required: true, CreateOnly: true},
				"Description": text(),
				"StageName":   text(),
			}, apply: applyV2Deployment, drop: func(p *apiParts, id string) { delete(p.Deployments, id) }},
		&apiPartProvider{s: s, typ: "AWS::ApiGatewayV2::RouteResponse", kind: "routeresponse", idAttr: "RouteResponseId", apiOf: apiID,
			props: map[string]stacks.Property{
				"ApiId":                    {Type: stacks.String, Required: true, CreateOnly: true},
				"RouteId":                  {Type: stacks.String, Required: true, CreateOnly: true},
				"RouteResponseKey":         {Type: stacks.String, Required: true},
				"ModelSelectionExpression": text(),
				"ResponseModels":           openObj(),
				"ResponseParameters":       openObj(),
			}, apply: applyRouteResponse, drop: func(*apiParts, string) {}},
		&apiPartProvider{s: s, typ: "AWS::ApiGatewayV2::IntegrationResponse", kind: "integrationresponse", idAttr: "IntegrationResponseId", apiOf: apiID,
			props: map[string]stacks.Property{
				"ApiId":                       {Type: stacks.String, Required: true, CreateOnly: true},
				"IntegrationId":               {Type: stacks.String, Required: true, CreateOnly: true},
				"IntegrationResponseKey":      {Type: stacks.String, Required: true},
				"ContentHandlingStrategy":     text(),
				"ResponseParameters":          openObj(),
				"ResponseTemplates":           openObj(),
				"TemplateSelectionExpression": text(),
			}, apply: applyIntegrationResponse, drop: func(*apiParts, string) {}},
	}
}

// applyV2Deployment: a deployment with a StageName creates that stage.
func applyV2Deployment(p *apiParts, id string, props stacks.Props) error {
	var m struct{ StageName string }
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	p.Deployments[id] = m.StageName
	return nil
}

func applyRouteResponse(p *apiParts, _ string, props stacks.Props) error {
	var m struct{ RouteId, RouteResponseKey string }
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	if _, ok := p.Routes[m.RouteId]; !ok {
		return &stacks.PropertyError{Property: "RouteId", Msg: "the API has no route " + m.RouteId}
	}
	if m.RouteResponseKey != "$default" && !strings.HasPrefix(m.RouteResponseKey, "$") {
		return &stacks.PropertyError{Property: "RouteResponseKey", Msg: m.RouteResponseKey + ": want $default"}
	}
	return nil
}

func applyIntegrationResponse(p *apiParts, _ string, props stacks.Props) error {
	var m struct{ IntegrationId, IntegrationResponseKey string }
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	if _, ok := p.Integrations[m.IntegrationId]; !ok {
		return &stacks.PropertyError{Property: "IntegrationId", Msg: "the API has no integration " + m.IntegrationId}
	}
	return nil
}
