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
// A client's endpoint is the API's callback URL; nubo serves the path with
// or without the stage before /@connections, so both an endpoint ending in
// /{stage} and AWS_ENDPOINT_URL itself (what boto3 uses when no
// endpoint_url is given) reach it:
//
//	POST   {edge}/{stage}/@connections/{connectionId}   body: the data
//	GET    {edge}/@connections/{connectionId}
//	DELETE {edge}/@connections/{connectionId}
//
// Each is authorized as execute-api:ManageConnections on
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/@connections/ID, the
// connection's API and stage. An unknown connection is GoneException (410).

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

// errNoConnectionPath: the path is not [/{stage}]/@connections/{id}.
var errNoConnectionPath = errors.New("not an @connections path")

// splitConnectionPath reads "[stage/]@connections/id" (the path after the
// first slash).
func splitConnectionPath(p string) (stage, id string, err error) {
	before, id, ok := strings.Cut(p, "@connections/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", "", errNoConnectionPath
	}
	stage = strings.TrimSuffix(before, "/")
	if before != "" && (!strings.HasSuffix(before, "/") || strings.Contains(stage, "/")) {
		return "", "", errNoConnectionPath
	}
	return stage, id, nil
}

func connectionFromPath(p string) (string, error) {
	_, id, err := splitConnectionPath(p)
	return id, err
}

// connectionTargets is the ARN a management call acts on: the
// connection's API and stage (the path's stage, or *, for a connection
// that does not exist: the handler answers GoneException then). A path
// that names no connection is authorized too, before its 404.
func (g *Gateway) connectionTargets(c *awsapi.Call, method, path string) ([]awsapi.Target, error) {
	stage, id, err := splitConnectionPath(path)
	if err != nil { // authorized on what it names; the handler answers 404
		return []awsapi.Target{{Resource: g.opts.Account.ARN("execute-api", "*/*/"+method+"/"+path)}}, nil
	}
	apiID := "*"
	if a, st, err := g.ConnectionAPI(c.R.Context(), id); err == nil {
		apiID, stage = a, st
	} else if !errors.Is(err, ErrGone) {
		return nil, err
	}
	if stage == "" {
		stage = "*"
	}
	return []awsapi.Target{{Resource: g.opts.Account.ARN("execute-api", apiID+"/"+stage+"/"+method+"/@connections/"+id)}}, nil
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
