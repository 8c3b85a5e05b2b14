package stacks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
)

// cfnForm sends one CloudFormation query request to e's API.
func cfnForm(t *testing.T, e *stacks.Engine, form url.Values) (int, string) {
	t.Helper()
	api, err := e.CloudFormationAPI()
	if err != nil {
		t.Fatal(err)
	}
	form.Set("Version", "2010-05-15")
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestCreateStackSurvivesACrash: CreateStack answered, its work is cut
// short by the process dying in the middle of a create; the next process
// takes the operation from the work queue and finishes it through the
// engine's crash recovery, with no orphan and no second copy.
func TestCreateStackSurvivesACrash(t *testing.T) {
	const tmpl = `
Resources:
  First: {Type: Test::Thing, Properties: {Value: a}}
  Second: {Type: Test::Thing, Properties: {Value: !Ref First}}
`
	dir, w := t.TempDir(), newCrashWorld()
	start := func() (*stacks.Engine, func()) {
		bb := backbonetest.NewAt(t, dir)
		reg, err := stacks.NewRegistry(w.thing)
		if err != nil {
			t.Fatal(err)
		}
		e, err := stacks.New(stacks.Options{Backbone: bb, Registry: reg, OpsAckWait: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		return e, func() { _ = bb.Close(context.Background()) }
	}
	a, crash := start()
	w.freezeCreateOf("Second")
	code, body := cfnForm(t, a, url.Values{"Action": {"CreateStack"}, "StackName": {"app"}, "TemplateBody": {tmpl}})
	if code != http.StatusOK || !strings.Contains(body, "<StackId>arn:aws:cloudformation:") {
		t.Fatalf("CreateStack: %d %s", code, body)
	}
	select {
	case <-w.reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the create never ran")
	}
	crash()
	defer close(w.release)

	b, stop := start()
	defer stop()
	defer func() { _ = b.Close(context.Background()) }()
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := b.Describe(context.Background(), "app")
		if err == nil && !st.InProgress() {
			if st.Status != stacks.StatusCreateComplete {
				t.Fatalf("after recovery: %s %s", st.Status, st.Reason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the operation was not resumed: %+v %v", st, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ids := w.thing.ids(); len(ids) != 2 {
		t.Fatalf("resources after recovery: %v (want First and Second once each)", ids)
	}
	code, body = cfnForm(t, b, url.Values{"Action": {"DescribeStacks"}, "StackName": {"app"}})
	if code != http.StatusOK || !strings.Contains(body, "<StackStatus>CREATE_COMPLETE</StackStatus>") {
		t.Fatalf("DescribeStacks: %d %s", code, body)
	}
	evs, err := b.Events(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, ev := range evs {
		if ev.Type == stacks.StackType {
			statuses = append(statuses, ev.Status)
		}
	}
	if !slices.Contains(statuses, stacks.StatusCreateComplete) {
		t.Fatalf("stack events: %v", statuses)
	}
}
