package platform

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	mgmttypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/coder/websocket"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
)

// TestWebSocketStack deploys testdata/websocket-stack: a WebSocket API whose
// Python function refuses $connect without a token, echoes through the
// @connections API with boto3 (GetConnection, PostToConnection, a
// GoneException for an unknown connection), closes the connection on
// "bye" (DeleteConnection), and records $connect and $disconnect in SSM; a
// route with a route response answers directly. The test also posts with
// aws-sdk-go-v2's apigatewaymanagementapi client.
func TestWebSocketStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	_, res := deployStack(t, p, copyDir(t, "testdata/websocket-stack"), nil)
	apiID := res.Outputs["ApiId"]
	if u := res.Outputs["WebSocketURL"]; u != "ws://"+apiID+".execute-api.localhost:"+portOf(p.HTTPAddr())+"/prod" {
		t.Errorf("WebSocketURL %q", u)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := "ws://" + p.HTTPAddr() + "/_api/" + apiID + "/prod"

	if _, r, err := websocket.Dial(ctx, url, nil); err == nil || r == nil || r.StatusCode != http.StatusForbidden {
		t.Fatalf("$connect without a token: %v %v", r, err)
	}
	c, _, err := websocket.Dial(ctx, url+"?token=letmein", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	sc := clientsFor(p.EndpointURL()).ssm
	param := func(name string) string {
		out, err := sc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			return ""
		}
		return aws.ToString(out.Parameter.Value)
	}
	id := param("/ws/connected")
	if id == "" {
		t.Fatal("$connect recorded no connection id")
	}
	read := func() string {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return string(b)
	}

	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"echo","data":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	var echo struct{ Echo, Route, ConnectionID, SourceIP string }
	if err := json.Unmarshal([]byte(read()), &echo); err != nil {
		t.Fatal(err)
	}
	if echo.Echo != "hello" || echo.Route != "echo" || echo.ConnectionID != id || echo.SourceIP != "127.0.0.1" {
		t.Errorf("echo: %+v (connected %s)", echo, id)
	}
	if got := read(); got != `{"gone": "yes"}` {
		t.Errorf("post to an unknown connection from the function: %s", got)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "pong ping" {
		t.Errorf("route response: %q", got)
	}

	// aws-sdk-go-v2's client, its endpoint the stage's callback URL.
	mc := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{Region: "us-east-1",
		BaseEndpoint: aws.String(p.EndpointURL() + "/_api/" + apiID + "/prod"), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := mc.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("from the sdk")}); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "from the sdk" {
		t.Errorf("sdk post: %q", got)
	}
	info, err := mc.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)})
	if err != nil || info.ConnectedAt == nil || info.Identity == nil || aws.ToString(info.Identity.SourceIp) != "127.0.0.1" {
		t.Fatalf("GetConnection: %+v %v", info, err)
	}
	var gone *mgmttypes.GoneException
	if _, err := mc.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String("NoSuchConnectio="), Data: []byte("x")}); !errors.As(err, &gone) {
		t.Errorf("unknown connection: %v", err)
	}

	// "bye": the function closes the connection; $disconnect runs.
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"bye"}`)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after bye: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for param("/ws/disconnected") != id+" 1000" {
		if time.Now().After(deadline) {
			t.Fatalf("$disconnect not seen: %q", param("/ws/disconnected"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The stack deletes, its routes, responses and deployment with it.
	if _, err := p.Stacks.Destroy(ctx, stacks.DestroyRequest{Stack: "hello"}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if _, r, err := websocket.Dial(ctx, url+"?token=letmein", nil); err == nil || r == nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("after destroy: %v %v", r, err)
	}
}

func portOf(hostport string) string {
	i := strings.LastIndexByte(hostport, ':')
	return hostport[i+1:]
}

// TestWebSocketTwoPlatforms: two nubo nodes on one NATS. A client connected
// to node B is posted to, described and closed through node A's edge with
// aws-sdk-go-v2's client: the call reaches the connection's node.
func TestWebSocketTwoPlatforms(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	url := backbonetest.Server(t)
	a := startPlatform(t, Options{NATSURL: url})
	b := startPlatform(t, Options{NATSURL: url})
	_, res := deployStack(t, a, copyDir(t, "testdata/websocket-stack"), nil)
	apiID := res.Outputs["ApiId"]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var c *websocket.Conn
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		c, _, err = websocket.Dial(ctx, "ws://"+b.HTTPAddr()+"/_api/"+apiID+"/prod?token=letmein", nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node b never served the api: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer c.CloseNow()
	out, err := clientsFor(a.EndpointURL()).ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/ws/connected")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Parameter.Value)

	mc := apigatewaymanagementapi.New(apigatewaymanagementapi.Options{Region: "us-east-1",
		BaseEndpoint: aws.String(a.EndpointURL() + "/_api/" + apiID + "/prod"), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := mc.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("via node a")}); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != "via node a" {
		t.Fatalf("client on node b read %q %v", got, err)
	}
	if _, err := mc.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatalf("GetConnection through node a: %v", err)
	}
	if _, err := mc.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteConnection through node a: %v", err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after delete: %v", err)
	}
	var gone *mgmttypes.GoneException
	if _, err := mc.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("x")}); !errors.As(err, &gone) {
		t.Errorf("post after delete: %v", err)
	}
}
