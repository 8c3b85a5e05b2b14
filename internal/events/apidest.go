package events

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Connection is an API destination's authorization: BASIC or API_KEY
// (headers nubo adds), OAUTH_CLIENT_CREDENTIALS stored but not honoured.
type Connection struct {
	Name              string         `json:"name"`
	ID                string         `json:"id"`
	Description       string         `json:"description,omitempty"`
	AuthorizationType string         `json:"authorization_type"`
	Auth              connAuthParams `json:"auth"`
	Created           time.Time      `json:"created"`
	Modified          time.Time      `json:"modified"`
}

// connAuthParams are CreateConnection's AuthParameters as the API sends them.
type connAuthParams struct {
	BasicAuthParameters *struct {
		Username string `json:"Username"`
		Password string `json:"Password,omitempty"`
	} `json:"BasicAuthParameters,omitempty"`
	ApiKeyAuthParameters *struct {
		ApiKeyName  string `json:"ApiKeyName"`
		ApiKeyValue string `json:"ApiKeyValue,omitempty"`
	} `json:"ApiKeyAuthParameters,omitempty"`
	OAuthParameters          map[string]any  `json:"OAuthParameters,omitempty"`
	InvocationHttpParameters *httpParameters `json:"InvocationHttpParameters,omitempty"`
}

type keyValue struct {
	Key           string `json:"Key"`
	Value         string `json:"Value"`
	IsValueSecret bool   `json:"IsValueSecret,omitempty"`
}

type httpParameters struct {
	HeaderParameters      []keyValue `json:"HeaderParameters,omitempty"`
	QueryStringParameters []keyValue `json:"QueryStringParameters,omitempty"`
	BodyParameters        []keyValue `json:"BodyParameters,omitempty"`
}

// APIDestination is an HTTP endpoint rules may target.
type APIDestination struct {
	Name          string    `json:"name"`
	ID            string    `json:"id"`
	Description   string    `json:"description,omitempty"`
	ConnectionArn string    `json:"connection_arn"`
	Endpoint      string    `json:"endpoint"`
	Method        string    `json:"method"`
	RateLimit     int       `json:"rate_limit,omitempty"`
	Created       time.Time `json:"created"`
	Modified      time.Time `json:"modified"`
}

func connKey(name string) string    { return "conn." + hex.EncodeToString([]byte(name)) }
func apiDestKey(name string) string { return "apidest." + hex.EncodeToString([]byte(name)) }

// ConnectionARN and APIDestinationARN name them with their ids, as AWS.
func (s *Service) ConnectionARN(c *Connection) string {
	return s.opts.Account.ARN("events", "connection/"+c.Name+"/"+c.ID)
}
func (s *Service) APIDestinationARN(d *APIDestination) string {
	return s.opts.Account.ARN("events", "api-destination/"+d.Name+"/"+d.ID)
}

// nameOfARN reads NAME from a connection/NAME/ID or api-destination/NAME/ID ARN.
func nameOfARN(arn, kind string) (string, bool) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "events" || !strings.HasPrefix(a.Resource, kind+"/") {
		return "", false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, kind+"/"), "/")
	return name, name != ""
}

func (s *Service) getConnection(ctx context.Context, name string) (*Connection, error) {
	c, _, err := s.conns.Get(ctx, connKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("connection %s does not exist: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("events: reading connection %s: %w", name, err)
	}
	return c, nil
}

func (s *Service) getAPIDestination(ctx context.Context, name string) (*APIDestination, error) {
	d, _, err := s.apiDests.Get(ctx, apiDestKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("api-destination %s does not exist: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("events: reading api-destination %s: %w", name, err)
	}
	return d, nil
}

// retryableStatus are the answers EventBridge retries an API destination on.
func retryableStatus(code int) bool {
	return code == 401 || code == 407 || code == 409 || code == 429 || code >= 500
}

// sendHTTP delivers a payload to an API destination.
func (s *Service) sendHTTP(ctx context.Context, t *Target, payload []byte) error {
	name, ok := nameOfARN(t.Arn, "api-destination")
	if !ok {
		return permanent("target %s: %s is not an API destination ARN", t.Id, t.Arn)
	}
	d, err := s.getAPIDestination(ctx, name)
	if err != nil {
		return permanent("target %s: %v", t.Id, err)
	}
	cname, _ := nameOfARN(d.ConnectionArn, "connection")
	conn, err := s.getConnection(ctx, cname)
	if err != nil {
		return permanent("target %s: %v", t.Id, err)
	}
	endpoint := d.Endpoint
	var tp struct {
		PathParameterValues   []string          `json:"PathParameterValues"`
		HeaderParameters      map[string]string `json:"HeaderParameters"`
		QueryStringParameters map[string]string `json:"QueryStringParameters"`
	}
	if t.HttpParameters != nil {
		b, _ := json.Marshal(t.HttpParameters)
		_ = json.Unmarshal(b, &tp)
	}
	for _, v := range tp.PathParameterValues {
		endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return permanent("target %s: endpoint %s: %v", t.Id, endpoint, err)
	}
	q := u.Query()
	hdr := http.Header{"Content-Type": {"application/json; charset=utf-8"}, "User-Agent": {"Amazon/EventBridge/ApiDestinations"}}
	if p := conn.Auth.InvocationHttpParameters; p != nil {
		for _, kv := range p.HeaderParameters {
			hdr.Set(kv.Key, kv.Value)
		}
		for _, kv := range p.QueryStringParameters {
			q.Set(kv.Key, kv.Value)
		}
	}
	for k, v := range tp.HeaderParameters {
		hdr.Set(k, v)
	}
	for k, v := range tp.QueryStringParameters {
		q.Set(k, v)
	}
	switch {
	case conn.Auth.BasicAuthParameters != nil:
		b := conn.Auth.BasicAuthParameters
		hdr.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.Username+":"+b.Password)))
	case conn.Auth.ApiKeyAuthParameters != nil:
		hdr.Set(conn.Auth.ApiKeyAuthParameters.ApiKeyName, conn.Auth.ApiKeyAuthParameters.ApiKeyValue)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, d.Method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return permanent("target %s: %v", t.Id, err)
	}
	req.Header = hdr
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("target %s: %w", t.Id, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case retryableStatus(resp.StatusCode):
		return fmt.Errorf("target %s: %s answered %s", t.Id, u.Host, resp.Status)
	}
	return permanent("target %s: %s answered %s", t.Id, u.Host, resp.Status)
}

func sortedByName[T any](items []T, name func(T) string) []T {
	sort.Slice(items, func(i, j int) bool { return name(items[i]) < name(items[j]) })
	return items
}
