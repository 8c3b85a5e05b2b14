package gateway

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The @connections management API (aws-sdk-go-v2's apigatewaymanagementapi,
// boto3's "apigatewaymanagementapi"): PostToConnection, GetConnection and
// DeleteConnection, REST-JSON signed for execute-api, on the edge listener.
// A client's endpoint is the API's callback URL on the edge:
// {edge}/_api/{api}/{stage} (also {edge}/{stage} and {edge} itself, what
// boto3 uses with AWS_ENDPOINT_URL and no endpoint_url), with the Host
// {api}.execute-api.localhost:PORT or not:
//
//	POST   {edge}/_api/{api}/{stage}/@connections/{connectionId}   body: the data
//	GET    {edge}/_api/{api}/{stage}/@connections/{connectionId}
//	DELETE {edge}/_api/{api}/{stage}/@connections/{connectionId}
//
// Each is authorized as execute-api:ManageConnections on
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/@connections/ID, the
// connection's API and stage. An unknown connection is GoneException (410),
// authorized on the API the request names (else on API *).

// APIOptions configures the management API.
type APIOptions struct {
	Authorizer awsapi.Authorizer
}

// maxPostData is API Gateway's 128 KB message limit.
const maxPostData = 128 << 10

type connectionIn struct {
	Path string `aws:"uri=Path" json:"-"`
}

type postIn struct {
	Path string `aws:"uri=Path" json:"-"`
	Data []byte `aws:"payload"`
}

type identityOut struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

type getConnectionOut struct {
	ConnectedAt  string      `json:"connectedAt"`
	Identity     identityOut `json:"identity"`
	LastActiveAt string      `json:"lastActiveAt"`
}

// ManagementAPI is the @connections operation table.
func (g *Gateway) ManagementAPI(o APIOptions) (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:    "execute-api",
		SDKID:      "apigatewaymanagementapi",
		Protocol:   awsapi.RestJSON,
		Authorizer: o.Authorizer,
		Logger:     g.log,
		MapError:   mapManagementError,
		MaxBody:    maxPostData,
		BodyTooLarge: func(limit int64) error {
			return awsapi.Errorf(http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Message too long: over %d bytes", limit)
		},
		Ops: []awsapi.Declared{
			awsapi.Op[postIn, awsapi.None]{Name: "PostToConnection", Action: "execute-api:ManageConnections",
				HTTP: "POST /{Path...}", Resources: func(c *awsapi.Call, in *postIn) ([]awsapi.Target, error) {
					return g.connectionTargets(c, http.MethodPost, in.Path)
				},
				Handler: func(c *awsapi.Call, in *postIn) (awsapi.None, error) {
					id, err := connectionFromPath(in.Path)
					if err != nil {
						return awsapi.None{}, err
					}
					return awsapi.None{}, g.PostToConnection(c.R.Context(), id, in.Data)
				}},
			awsapi.Op[connectionIn, getConnectionOut]{Name: "GetConnection", Action: "execute-api:ManageConnections",
				HTTP: "GET /{Path...}", Resources: func(c *awsapi.Call, in *connectionIn) ([]awsapi.Target, error) {
					return g.connectionTargets(c, http.MethodGet, in.Path)
				},
				Handler: func(c *awsapi.Call, in *connectionIn) (getConnectionOut, error) {
					id, err := connectionFromPath(in.Path)
					if err != nil {
						return getConnectionOut{}, err
					}
					info, err := g.GetConnection(c.R.Context(), id)
					if err != nil {
						return getConnectionOut{}, err
					}
					return getConnectionOut{ConnectedAt: isoTime(info.ConnectedAt), LastActiveAt: isoTime(info.LastActiveAt),
						Identity: identityOut{SourceIP: info.SourceIP, UserAgent: info.UserAgent}}, nil
				}},
			awsapi.Op[connectionIn, awsapi.None]{Name: "DeleteConnection", Action: "execute-api:ManageConnections",
				HTTP: "DELETE /{Path...}", Status: http.StatusNoContent,
				Resources: func(c *awsapi.Call, in *connectionIn) ([]awsapi.Target, error) {
					return g.connectionTargets(c, http.MethodDelete, in.Path)
				},
				Handler: func(c *awsapi.Call, in *connectionIn) (awsapi.None, error) {
					id, err := connectionFromPath(in.Path)
					if err != nil {
						return awsapi.None{}, err
					}
					return awsapi.None{}, g.DeleteConnection(c.R.Context(), id)
				}},
		},
	})
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// errNoConnectionPath: the path is not [/_api/{api}][/{stage}]/@connections/{id}.
var errNoConnectionPath = errors.New("not an @connections path")

// connPath is what a management path names.
type connPath struct {
	api, stage, id string
}

// splitConnectionPath reads "[_api/API/]STAGE/@connections/ID" or
// "@connections/ID" (the path after its first slash).
func splitConnectionPath(p string) (connPath, error) {
	before, id, ok := strings.Cut(p, "@connections/")
	if !ok || id == "" || strings.Contains(id, "/") || before != "" && !strings.HasSuffix(before, "/") {
		return connPath{}, errNoConnectionPath
	}
	var segs []string
	if before != "" {
		segs = strings.Split(strings.TrimSuffix(before, "/"), "/")
	}
	switch {
	case len(segs) == 0:
		return connPath{id: id}, nil
	case len(segs) == 1 && segs[0] != "":
		return connPath{stage: segs[0], id: id}, nil
	case len(segs) == 3 && segs[0] == "_api" && segs[1] != "" && segs[2] != "":
		return connPath{api: segs[1], stage: segs[2], id: id}, nil
	}
	return connPath{}, errNoConnectionPath
}

func connectionFromPath(p string) (string, error) {
	cp, err := splitConnectionPath(p)
	return cp.id, err
}

// connectionTargets is the ARN a management call acts on: the
// connection's API and stage. For a connection that does not exist (the
// handler answers GoneException), the API and stage the request names:
// its Host ({api}.execute-api.*) or path (/_api/{api}/{stage}), else *. A
// path that names no connection is authorized too, before its 404.
func (g *Gateway) connectionTargets(c *awsapi.Call, method, path string) ([]awsapi.Target, error) {
	cp, err := splitConnectionPath(path)
	if err != nil {
		return []awsapi.Target{{Resource: g.opts.Account.ARN("execute-api", "*/*/"+method+"/"+path)}}, nil
	}
	if cp.api == "" {
		if id, ok := labelBefore(hostOnly(c.R.Host), "execute-api"); ok {
			cp.api = id
		}
	}
	if a, st, err := g.ConnectionAPI(c.R.Context(), cp.id); err == nil {
		cp.api, cp.stage = a, st
	} else if !errors.Is(err, ErrGone) {
		return nil, err
	}
	if cp.api == "" {
		cp.api = "*"
	}
	if cp.stage == "" {
		cp.stage = "*"
	}
	return []awsapi.Target{{Resource: g.opts.Account.ARN("execute-api", cp.api+"/"+cp.stage+"/"+method+"/@connections/"+cp.id)}}, nil
}

func mapManagementError(err error) error {
	switch {
	case errors.Is(err, ErrGone):
		return awsapi.Errorf(http.StatusGone, "GoneException", "Connection is gone")
	case errors.Is(err, errNoConnectionPath):
		return awsapi.Errorf(http.StatusNotFound, "NotFoundException", "Not Found: want /@connections/{connectionId}")
	}
	return err
}
