package stacks_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

func adminCall(t *testing.T, f *fixture, op, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", stacks.TargetPrefix+op)
	rec := httptest.NewRecorder()
	api, err := f.e.AdminAPI()
	if err != nil {
		t.Fatal(err)
	}
	api.ServeHTTP(rec, req)
	return rec
}

func TestAdminAPI(t *testing.T) {
	f := newFixture(t)
	tmpl, _ := json.Marshal(threeThings)
	tests := map[string]struct {
		op, body   string
		status     int
		wantInBody string
	}{
		"unknown operation": {"Nope", `{}`, 400, `"__type":"UnknownOperationException"`},
		"bad json":          {"Plan", `{`, 400, `"__type":"ValidationException"`},
		"template error":    {"Plan", `{"stack":"app","template":"Resources: {A: {Type: Test::Thing, Properties: {Value: !Ref B}}}"}`, 400, `Ref to \"B\"`},
		"bad stack name":    {"Plan", `{"stack":"1bad","template":"Resources: {}"}`, 400, `"__type":"ValidationError"`},
		"plan":              {"Plan", `{"stack":"app","template":` + string(tmpl) + `}`, 200, `"action":"create"`},
		"missing stack":     {"DescribeStack", `{"stack":"nope"}`, 404, `StackNotFoundException`},
		"list":              {"ListStacks", ``, 200, `[]`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := adminCall(t, f, tc.op, tc.body)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.wantInBody) {
				t.Errorf("%s: %d %s, want %d with %s", tc.op, rec.Code, rec.Body.String(), tc.status, tc.wantInBody)
			}
		})
	}
}

func TestAdminAPI_DeployStreamsEventsThenResult(t *testing.T) {
	f := newFixture(t)
	tmpl, _ := json.Marshal(threeThings)
	rec := adminCall(t, f, "Deploy", `{"stack":"app","template":`+string(tmpl)+`}`)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", rec.Code, rec.Header())
	}
	var events int
	var last stacks.StreamLine
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		var l stacks.StreamLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if l.Event != nil {
			events++
		}
		last = l
	}
	if events != 8 || last.Result == nil || last.Result.Status != stacks.StatusCreateComplete || last.Error != nil {
		t.Errorf("%d events, last line %+v", events, last)
	}
	// A failing deployment ends its stream with an error line.
	rec = adminCall(t, f, "Destroy", `{"stack":"nope"}`)
	if !strings.Contains(rec.Body.String(), `"error":{"code":"StackNotFoundException"`) {
		t.Errorf("destroy of a missing stack: %s", rec.Body.String())
	}
}
