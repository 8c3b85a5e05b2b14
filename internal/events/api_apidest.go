package events

import (
	"net/url"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

type (
	createConnectionIn struct {
		Name              string
		Description       string
		AuthorizationType string
		AuthParameters    connAuthParams
	}
	connStateOut struct {
		ConnectionArn    string  `json:"ConnectionArn"`
		ConnectionState  string  `json:"ConnectionState"`
		CreationTime     float64 `json:"CreationTime,omitempty"`
		LastModifiedTime float64 `json:"LastModifiedTime,omitempty"`
	}
	nameIn struct {
		Name string
	}
	wireConnection struct {
		ConnectionArn      string          `json:"ConnectionArn"`
		Name               string          `json:"Name"`
		Description        string          `json:"Description,omitempty"`
		ConnectionState    string          `json:"ConnectionState"`
		AuthorizationType  string          `json:"AuthorizationType"`
		AuthParameters     *connAuthParams `json:"AuthParameters,omitempty"`
		CreationTime       float64         `json:"CreationTime"`
		LastModifiedTime   float64         `json:"LastModifiedTime"`
		LastAuthorizedTime float64         `json:"LastAuthorizedTime"`
	}
	listConnectionsIn struct {
		NamePrefix      string
		ConnectionState string
		NextToken       string
		Limit           int
	}
	listConnectionsOut struct {
		Connections []wireConnection `json:"Connections"`
		NextToken   string           `json:"NextToken,omitempty"`
	}
	createAPIDestIn struct {
		Name                         string
		Description                  string
		ConnectionArn                string
		InvocationEndpoint           string
		HttpMethod                   string
		InvocationRateLimitPerSecond int
	}
	apiDestStateOut struct {
		ApiDestinationArn   string  `json:"ApiDestinationArn"`
		ApiDestinationState string  `json:"ApiDestinationState"`
		CreationTime        float64 `json:"CreationTime"`
		LastModifiedTime    float64 `json:"LastModifiedTime"`
	}
	wireAPIDest struct {
		ApiDestinationArn            string  `json:"ApiDestinationArn"`
		Name                         string  `json:"Name"`
		Description                  string  `json:"Description,omitempty"`
		ApiDestinationState          string  `json:"ApiDestinationState"`
		ConnectionArn                string  `json:"ConnectionArn"`
		InvocationEndpoint           string  `json:"InvocationEndpoint"`
		HttpMethod                   string  `json:"HttpMethod"`
		InvocationRateLimitPerSecond int     `json:"InvocationRateLimitPerSecond,omitempty"`
		CreationTime                 float64 `json:"CreationTime"`
		LastModifiedTime             float64 `json:"LastModifiedTime"`
	}
	listAPIDestsIn struct {
		NamePrefix    string
		ConnectionArn string
		NextToken     string
		Limit         int
	}
	listAPIDestsOut struct {
		ApiDestinations []wireAPIDest `json:"ApiDestinations"`
		NextToken       string        `json:"NextToken,omitempty"`
	}
)

func (s *Service) startAPIDestinations() {
	raw := s.kv.Raw()
	s.conns = backbone.Typed[Connection](raw)
	s.apiDests = backbone.Typed[APIDestination](raw)
}

// apiDestOps are the connection and API destination operations.
func (s *Service) apiDestOps() []awsapi.Declared {
	conn := func(name string) []awsapi.Target {
		return []awsapi.Target{{Resource: s.opts.Account.ARN("events", "connection/"+name)}}
	}
	dest := func(name string) []awsapi.Target {
		return []awsapi.Target{{Resource: s.opts.Account.ARN("events", "api-destination/"+name)}}
	}
	return []awsapi.Declared{
		awsapi.Op[createConnectionIn, connStateOut]{Name: "CreateConnection", Action: "events:CreateConnection",
			Resources: func(c *awsapi.Call, in *createConnectionIn) ([]awsapi.Target, error) { return conn(in.Name), nil },
			Handler:   s.createConnection},
		awsapi.Op[nameIn, wireConnection]{Name: "DescribeConnection", Action: "events:DescribeConnection",
			Resources: func(c *awsapi.Call, in *nameIn) ([]awsapi.Target, error) { return conn(in.Name), nil },
			Handler: func(c *awsapi.Call, in *nameIn) (wireConnection, error) {
				cn, err := s.getConnection(ctxOf(c), in.Name)
				if err != nil {
					return wireConnection{}, err
				}
				return s.wireConnection(cn, true), nil
			}},
		awsapi.Op[listConnectionsIn, listConnectionsOut]{Name: "ListConnections", Action: "events:ListConnections", Handler: s.listConnections},
		awsapi.Op[nameIn, connStateOut]{Name: "DeleteConnection", Action: "events:DeleteConnection",
			Resources: func(c *awsapi.Call, in *nameIn) ([]awsapi.Target, error) { return conn(in.Name), nil },
			Handler: func(c *awsapi.Call, in *nameIn) (connStateOut, error) {
				cn, err := s.getConnection(ctxOf(c), in.Name)
				if err != nil {
					return connStateOut{}, err
				}
				if err := s.conns.Delete(ctxOf(c), connKey(in.Name), 0); err != nil {
					return connStateOut{}, err
				}
				return connStateOut{ConnectionArn: s.ConnectionARN(cn), ConnectionState: "DELETING"}, nil
			}},
		awsapi.Op[createAPIDestIn, apiDestStateOut]{Name: "CreateApiDestination", Action: "events:CreateApiDestination",
			Resources: func(c *awsapi.Call, in *createAPIDestIn) ([]awsapi.Target, error) { return dest(in.Name), nil },
			Handler:   s.createAPIDestination},
		awsapi.Op[nameIn, wireAPIDest]{Name: "DescribeApiDestination", Action: "events:DescribeApiDestination",
			Resources: func(c *awsapi.Call, in *nameIn) ([]awsapi.Target, error) { return dest(in.Name), nil },
			Handler: func(c *awsapi.Call, in *nameIn) (wireAPIDest, error) {
				d, err := s.getAPIDestination(ctxOf(c), in.Name)
				if err != nil {
					return wireAPIDest{}, err
				}
				return s.wireAPIDest(d), nil
			}},
		awsapi.Op[listAPIDestsIn, listAPIDestsOut]{Name: "ListApiDestinations", Action: "events:ListApiDestinations", Handler: s.listAPIDestinations},
		awsapi.Op[nameIn, awsapi.None]{Name: "DeleteApiDestination", Action: "events:DeleteApiDestination",
			Resources: func(c *awsapi.Call, in *nameIn) ([]awsapi.Target, error) { return dest(in.Name), nil },
			Handler: func(c *awsapi.Call, in *nameIn) (awsapi.None, error) {
				if _, err := s.getAPIDestination(ctxOf(c), in.Name); err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, s.apiDests.Delete(ctxOf(c), apiDestKey(in.Name), 0)
			}},
	}
}

func (s *Service) createConnection(c *awsapi.Call, in *createConnectionIn) (connStateOut, error) {
	if !targetIDRE.MatchString(in.Name) {
		return connStateOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	a := in.AuthParameters
	switch in.AuthorizationType {
	case "BASIC":
		if a.BasicAuthParameters == nil {
			return connStateOut{}, awsapi.ValidationError("BasicAuthParameters are required for AuthorizationType BASIC.")
		}
	case "API_KEY":
		if a.ApiKeyAuthParameters == nil {
			return connStateOut{}, awsapi.ValidationError("ApiKeyAuthParameters are required for AuthorizationType API_KEY.")
		}
	case "OAUTH_CLIENT_CREDENTIALS":
		if a.OAuthParameters == nil {
			return connStateOut{}, awsapi.ValidationError("OAuthParameters are required for AuthorizationType OAUTH_CLIENT_CREDENTIALS.")
		}
	default:
		return connStateOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]", in.AuthorizationType)
	}
	now := s.opts.Now().UTC()
	cn := &Connection{Name: in.Name, ID: awsapi.NewRequestID(), Description: in.Description, AuthorizationType: in.AuthorizationType,
		Auth: a, Created: now, Modified: now}
	if _, err := s.conns.Create(ctxOf(c), connKey(in.Name), cn); err != nil {
		if backbone.IsConflict(err) {
			return connStateOut{}, wireError(errExists("connection", in.Name))
		}
		return connStateOut{}, err
	}
	return connStateOut{ConnectionArn: s.ConnectionARN(cn), ConnectionState: connState(cn), CreationTime: epoch(now), LastModifiedTime: epoch(now)}, nil
}

// connState: nubo authorizes BASIC and API_KEY connections at once; it
// does not run OAuth flows.
func connState(c *Connection) string {
	if c.AuthorizationType == "OAUTH_CLIENT_CREDENTIALS" {
		return "DEAUTHORIZED"
	}
	return "AUTHORIZED"
}

// wireConnection hides secrets, as DescribeConnection does.
func (s *Service) wireConnection(c *Connection, full bool) wireConnection {
	w := wireConnection{ConnectionArn: s.ConnectionARN(c), Name: c.Name, Description: c.Description, ConnectionState: connState(c),
		AuthorizationType: c.AuthorizationType, CreationTime: epoch(c.Created), LastModifiedTime: epoch(c.Modified), LastAuthorizedTime: epoch(c.Modified)}
	if full {
		a := c.Auth
		if a.BasicAuthParameters != nil {
			b := *a.BasicAuthParameters
			b.Password = ""
			a.BasicAuthParameters = &b
		}
		if a.ApiKeyAuthParameters != nil {
			k := *a.ApiKeyAuthParameters
			k.ApiKeyValue = ""
			a.ApiKeyAuthParameters = &k
		}
		w.AuthParameters = &a
	}
	return w
}

func (s *Service) listConnections(c *awsapi.Call, in *listConnectionsIn) (listConnectionsOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listConnectionsOut{}, err
	}
	entries, err := s.conns.List(ctxOf(c), "conn.")
	if err != nil {
		return listConnectionsOut{}, err
	}
	var all []wireConnection
	for _, e := range entries {
		if strings.HasPrefix(e.Value.Name, in.NamePrefix) && (in.ConnectionState == "" || in.ConnectionState == connState(e.Value)) {
			all = append(all, s.wireConnection(e.Value, false))
		}
	}
	all = sortedByName(all, func(w wireConnection) string { return w.Name })
	page, next, err := awsapi.Page(all, in.NextToken, in.Limit, 100)
	return listConnectionsOut{Connections: nonNil(page), NextToken: next}, err
}

var httpMethods = map[string]bool{"POST": true, "GET": true, "HEAD": true, "OPTIONS": true, "PUT": true, "PATCH": true, "DELETE": true}

func (s *Service) createAPIDestination(c *awsapi.Call, in *createAPIDestIn) (apiDestStateOut, error) {
	if !targetIDRE.MatchString(in.Name) {
		return apiDestStateOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if !httpMethods[in.HttpMethod] {
		return apiDestStateOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE]", in.HttpMethod)
	}
	if u, err := url.Parse(in.InvocationEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apiDestStateOut{}, awsapi.ValidationError("Parameter InvocationEndpoint is not valid: it must be an http or https URL.")
	}
	cname, ok := nameOfARN(in.ConnectionArn, "connection")
	if !ok {
		return apiDestStateOut{}, awsapi.ValidationError("Parameter ConnectionArn is not valid.")
	}
	if _, err := s.getConnection(ctxOf(c), cname); err != nil {
		return apiDestStateOut{}, err
	}
	now := s.opts.Now().UTC()
	d := &APIDestination{Name: in.Name, ID: awsapi.NewRequestID(), Description: in.Description, ConnectionArn: in.ConnectionArn,
		Endpoint: in.InvocationEndpoint, Method: in.HttpMethod, RateLimit: in.InvocationRateLimitPerSecond, Created: now, Modified: now}
	if _, err := s.apiDests.Create(ctxOf(c), apiDestKey(in.Name), d); err != nil {
		if backbone.IsConflict(err) {
			return apiDestStateOut{}, wireError(errExists("api-destination", in.Name))
		}
		return apiDestStateOut{}, err
	}
	return apiDestStateOut{ApiDestinationArn: s.APIDestinationARN(d), ApiDestinationState: "ACTIVE", CreationTime: epoch(now), LastModifiedTime: epoch(now)}, nil
}

func (s *Service) wireAPIDest(d *APIDestination) wireAPIDest {
	return wireAPIDest{ApiDestinationArn: s.APIDestinationARN(d), Name: d.Name, Description: d.Description, ApiDestinationState: "ACTIVE",
		ConnectionArn: d.ConnectionArn, InvocationEndpoint: d.Endpoint, HttpMethod: d.Method, InvocationRateLimitPerSecond: d.RateLimit,
		CreationTime: epoch(d.Created), LastModifiedTime: epoch(d.Modified)}
}

func (s *Service) listAPIDestinations(c *awsapi.Call, in *listAPIDestsIn) (listAPIDestsOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listAPIDestsOut{}, err
	}
	entries, err := s.apiDests.List(ctxOf(c), "apidest.")
	if err != nil {
		return listAPIDestsOut{}, err
	}
	var all []wireAPIDest
	for _, e := range entries {
		if strings.HasPrefix(e.Value.Name, in.NamePrefix) && (in.ConnectionArn == "" || in.ConnectionArn == e.Value.ConnectionArn) {
			all = append(all, s.wireAPIDest(e.Value))
		}
	}
	all = sortedByName(all, func(w wireAPIDest) string { return w.Name })
	page, next, err := awsapi.Page(all, in.NextToken, in.Limit, 100)
	return listAPIDestsOut{ApiDestinations: nonNil(page), NextToken: next}, err
}
