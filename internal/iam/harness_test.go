package iam

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/parameters"
)

const testAccount = "000000000000"

// harness is a real edge (SigV4) serving IAM, STS, nubo IAM and a small Lambda Invoke
// endpoint that authorizes through the Authorizer, on 127.0.0.1:0.
type harness struct {
	t     *testing.T
	store *Store
	authz *Authorizer
	keys  *awsapi.Keyring
	url   string

	mu       sync.Mutex
	fnPolicy map[string]string // function name -> resource-based policy
}

func newHarness(t *testing.T, mode Mode) *harness {
	t.Helper()
	return newHarnessLog(t, mode, nil)
}

func newHarnessLog(t *testing.T, mode Mode, log *slog.Logger) *harness {
	t.Helper()
	ctx := context.Background()
	bb := backbonetest.New(t)
	acct := awsapi.Account{Region: "us-east-1", ID: testAccount}
	keys, err := awsapi.NewKeyring(acct, "AKIDROOTEXAMPLE", "root-secret")
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(Options{Backbone: bb, Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	keys.SetKeyResolver(st.LookupAccessKey)
	az, err := NewAuthorizer(AuthorizerOptions{Store: st, Mode: mode, FlushInterval: 50 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := az.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = az.Close(context.Background()) })
	api, err := NewAPI(APIOptions{Store: st, Authorizer: az, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	params, err := parameters.New(parameters.Options{Backbone: bb, Account: acct, Authorizer: az})
	if err != nil {
		t.Fatal(err)
	}
	if err := params.Start(ctx); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: st, authz: az, keys: keys, fnPolicy: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		h.mu.Lock()
		rp := h.fnPolicy[name]
		h.mu.Unlock()
		err := awsapi.Authorize(r.Context(), az, awsapi.AuthzRequest{
			Service: "lambda", Action: "lambda:InvokeFunction", Resource: acct.FunctionARN(name), ResourcePolicy: rp, HTTP: r,
		})
		if err != nil {
			awsapi.WriteError(w, r, awsapi.RestJSON, err, nil)
			return
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`"ok"`))
	})
	ssmAPI, err := params.API()
	if err != nil {
		t.Fatal(err)
	}
	iamAPI, err := api.IAM()
	if err != nil {
		t.Fatal(err)
	}
	stsAPI, err := api.STS()
	if err != nil {
		t.Fatal(err)
	}
	adminAPI, err := api.Admin()
	if err != nil {
		t.Fatal(err)
	}
	edge, err := awsapi.NewEdge(keys, nil,
		iamAPI.Service(),
		stsAPI.Service(),
		adminAPI.Service(),
		ssmAPI.Service(),
		awsapi.Service{Name: "lambda", Protocol: awsapi.RestJSON, Handler: mux},
	)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(edge)
	t.Cleanup(srv.Close)
	h.url = srv.URL
	return h
}

func (h *harness) cfg(c awsapi.Credentials) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		BaseEndpoint:     aws.String(h.url),
		RetryMaxAttempts: 1,
	}
}

func (h *harness) iam(c awsapi.Credentials) *awsiam.Client    { return awsiam.NewFromConfig(h.cfg(c)) }
func (h *harness) sts(c awsapi.Credentials) *sts.Client       { return sts.NewFromConfig(h.cfg(c)) }
func (h *harness) lambda(c awsapi.Credentials) *lambda.Client { return lambda.NewFromConfig(h.cfg(c)) }
func (h *harness) ssm(c awsapi.Credentials) *ssm.Client       { return ssm.NewFromConfig(h.cfg(c)) }
func (h *harness) root() awsapi.Credentials                   { return h.keys.Root() }

// session issues credentials for a session of roleName, as the functions
// service does for an instance.
func (h *harness) session(roleName, session string) awsapi.Credentials {
	h.t.Helper()
	c, err := h.keys.Issue(SessionPrincipal(RoleARN(testAccount, "/", roleName), session), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) setFunctionPolicy(name, doc string) {
	h.mu.Lock()
	h.fnPolicy[name] = doc
	h.mu.Unlock()
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// apiError asserts err is an API error with code and returns its message.
func apiError(t *testing.T, err error, code string) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	return ae.ErrorMessage()
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%q does not contain %q", got, want)
	}
}
