package awsapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRESTQueryRoutes: operations sharing a method and path are told
// apart by the query their route requires, each authorized as its own
// action; a query no operation requires goes to the plain route.
func TestRESTQueryRoutes(t *testing.T) {
	authz := &allowList{allow: map[string]bool{"toy:GetThing": true, "toy:ListThings": true, "toy:FindThing": true}}
	named := func(c *Call, _ *struct{}) (map[string]string, error) { return map[string]string{"Op": c.Op.Name}, nil }
	a := MustAPI(Spec{Service: "toy", Protocol: RestJSON, Authorizer: authz, Ops: []Declared{
		Op[struct{}, map[string]string]{Name: "GetThing", Action: "toy:GetThing", HTTP: "GET /things/{Name}/config", Handler: named},
		Op[struct{}, map[string]string]{Name: "ListThings", Action: "toy:ListThings", HTTP: "GET /things/{Name}/config?List=ALL", Handler: named},
		Op[struct{}, map[string]string]{Name: "FindThing", Action: "toy:FindThing", HTTP: "GET /things?find=Thing", Handler: named},
	}})
	if op, _ := a.Operation("ListThings"); op.Path() != "/things/{Name}/config" || op.Query().Get("List") != "ALL" {
		t.Fatalf("ListThings route: %q %v", op.Path(), op.Query())
	}
	cases := []struct {
		target, want string
		status       int
	}{
		{"/things/t/config", "GetThing", 200},
		{"/things/t/config?List=ALL", "ListThings", 200},
		{"/things/t/config/?List=ALL", "ListThings", 200},
		{"/things/t/config?List=SOME", "GetThing", 200},
		{"/things?find=Thing", "FindThing", 200},
		{"/things/?find=Thing", "FindThing", 200},
		{"/things", "", 404}, // no operation without the query
		{"/things?find=Other", "", 404},
	}
	for _, c := range cases {
		authz.asked = nil
		res, body := serve(t, a, httptest.NewRequest(http.MethodGet, c.target, nil))
		if res.StatusCode != c.status {
			t.Fatalf("%s: %d %s", c.target, res.StatusCode, body)
		}
		if c.status == 404 {
			if res.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
				t.Fatalf("%s: %v %s", c.target, res.Header, body)
			}
			continue
		}
		var out map[string]string
		if err := json.Unmarshal([]byte(body), &out); err != nil || out["Op"] != c.want {
			t.Fatalf("%s: %s (%v), want %s", c.target, body, err, c.want)
		}
		if len(authz.asked) != 1 || authz.asked[0].Action != "toy:"+c.want {
			t.Fatalf("%s: authorized as %+v", c.target, authz.asked)
		}
	}

	_, err := NewAPI(Spec{Service: "toy", Protocol: RestJSON, Ops: []Declared{
		Op[struct{}, None]{Name: "A", Action: "toy:A", HTTP: "GET /x?k=v", Handler: func(*Call, *struct{}) (None, error) { return None{}, nil }},
		Op[struct{}, None]{Name: "B", Action: "toy:B", HTTP: "GET /x?k=v", Handler: func(*Call, *struct{}) (None, error) { return None{}, nil }},
	}})
	if err == nil || !strings.Contains(err.Error(), "share the route") {
		t.Fatalf("two operations with one route and query: %v", err)
	}
	_, err = NewAPI(Spec{Service: "toy", Protocol: RestJSON, Ops: []Declared{
		Op[struct{}, None]{Name: "A", Action: "toy:A", HTTP: "GET /x?", Handler: func(*Call, *struct{}) (None, error) { return None{}, nil }},
	}})
	if err == nil || !strings.Contains(err.Error(), "not k=v") {
		t.Fatalf("an empty route query: %v", err)
	}
}

// TestErrorMembers: an error's extra members are in its JSON body; the
// envelope's own are not overwritten.
func TestErrorMembers(t *testing.T) {
	e := NewError(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	e.Members = map[string]string{"Reason": "ConcurrentInvocationLimitExceeded", "message": "not this"}
	for _, p := range []Protocol{RestJSON, JSON} {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), p, e, nil)
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if body["Reason"] != "ConcurrentInvocationLimitExceeded" || body["message"] != "Rate Exceeded." || rec.Code != 429 {
			t.Fatalf("protocol %d: %d %v", p, rec.Code, body)
		}
	}
}
