package logs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/nubo-run/nubo/internal/awsapi"
)

var testAccount = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}

// fakeSources is a writing context as the API sees it: log groups, each
// with the source its lines are written under.
type fakeSources struct {
	mu     sync.Mutex
	groups []Source
}

func (f *fakeSources) add(s Source) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups = append(f.groups, s)
}

func (f *fakeSources) LogSources(context.Context) ([]Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Source(nil), f.groups...), nil
}

func (f *fakeSources) LogSource(_ context.Context, group string) (Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.groups {
		if s.Group == group {
			return s, nil
		}
	}
	return Source{}, fmt.Errorf("log group %q: %w", group, ErrGroupNotFound)
}

// harness serves the Logs API over a started store on a real listener,
// behind the edge (SigV4).
type harness struct {
	url     string
	logs    *Store
	sources *fakeSources
	client  *cloudwatchlogs.Client
}

func newHarness(t *testing.T, authz awsapi.Authorizer) *harness {
	t.Helper()
	return newHarnessWith(t, authz, nil)
}

// newHarnessWith serves the API with fns as the functions subscription
// filters deliver to.
func newHarnessWith(t *testing.T, authz awsapi.Authorizer, fns Functions) *harness {
	t.Helper()
	store, _ := startLogStore(t)
	sources := &fakeSources{}
	api, err := NewAPI(APIOptions{Store: store, Sources: sources, Functions: fns, Account: testAccount, Authorizer: authz})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := awsapi.NewKeyring(testAccount, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	edge, err := awsapi.NewEdge(keys, nil, api.Service())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(edge)
	t.Cleanup(srv.Close)
	client := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return &harness{url: srv.URL, logs: store, sources: sources, client: client}
}

// createFn makes fn a writer of /aws/lambda/FN, as a function is.
func (h *harness) createFn(t *testing.T, fn string) {
	t.Helper()
	h.sources.add(Source{Group: "/aws/lambda/" + fn, Key: fn, Created: time.Now()})
}

// invoke writes the lines an invocation of an echo function writes:
// START, the payload, END.
func (h *harness) invoke(fn, requestID string, payload []byte) {
	h.logs.Line(fn, requestID, time.Now(), []byte(fmt.Sprintf("START RequestId: %s Version: $LATEST", requestID)))
	h.logs.Line(fn, requestID, time.Now(), []byte(fmt.Sprintf("echo %s", payload)))
	h.logs.Line(fn, requestID, time.Now(), []byte(fmt.Sprintf("END RequestId: %s", requestID)))
}

// waitFor polls cond: lines are stored without waiting for JetStream.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// recordingAuthz records every question and denies those deny says to.
type recordingAuthz struct {
	mu   sync.Mutex
	got  []awsapi.AuthzRequest
	deny func(awsapi.AuthzRequest) bool
}

func (a *recordingAuthz) Authorize(_ context.Context, r awsapi.AuthzRequest) error {
	a.mu.Lock()
	a.got = append(a.got, r)
	a.mu.Unlock()
	if a.deny != nil && a.deny(r) {
		return awsapi.AccessDenied(r.Service, "not authorized to perform: "+r.Action)
	}
	return nil
}

func (a *recordingAuthz) asked() []awsapi.AuthzRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]awsapi.AuthzRequest(nil), a.got...)
}
