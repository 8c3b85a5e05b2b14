package awsapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// upsert is a ChoiceOp as the stacks admin API's Deploy is one: toy:Create
// for a new thing, toy:Update for one that exists; "rogue" makes ActionFor
// return an action the table does not declare.
func upsert(existing map[string]bool) ChoiceOp[echoIn, echoOut] {
	return ChoiceOp[echoIn, echoOut]{
		Op:      Op[echoIn, echoOut]{Name: "Put", Action: "toy:Create", Resources: thingTarget, Handler: echo},
		Actions: []string{"toy:Create", "toy:Update"},
		ActionFor: func(_ *Call, in *echoIn) string {
			switch {
			case in.Name == "rogue":
				return "toy:Delete"
			case existing[in.Name]:
				return "toy:Update"
			}
			return "toy:Create"
		},
	}
}

func TestChoiceOpAuthorizesTheChosenAction(t *testing.T) {
	existing := map[string]bool{"old": true}
	for _, tc := range []struct {
		name, thing string
		allow       []string
		status      int
		asked       string // the action the authorizer was asked about, "" for none
		wantInBody  string
	}{
		{"new thing, create allowed", "new", []string{"toy:Create"}, 200, "toy:Create", `"Name":"new"`},
		{"new thing, only update allowed", "new", []string{"toy:Update"}, 403, "toy:Create", "denied toy:Create on arn:aws:toy:::thing/new"},
		{"existing thing, update allowed", "old", []string{"toy:Update"}, 200, "toy:Update", `"Name":"old"`},
		{"existing thing, only create allowed", "old", []string{"toy:Create"}, 403, "toy:Update", "denied toy:Update"},
		{"undeclared choice, everything allowed", "rogue", []string{"toy:Create", "toy:Update", "toy:Delete"}, 500, "", "not among its declared Actions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			authz := &allowList{allow: map[string]bool{}}
			for _, a := range tc.allow {
				authz.allow[a] = true
			}
			a := MustAPI(Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Authorizer: authz, Ops: []Declared{upsert(existing)}})
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"`+tc.thing+`"}`))
			req.Header.Set("X-Amz-Target", "Toy.Put")
			res, body := serve(t, a, req)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.wantInBody) {
				t.Fatalf("%d %s, want %d with %q", res.StatusCode, body, tc.status, tc.wantInBody)
			}
			var asked []string
			for _, q := range authz.asked {
				asked = append(asked, q.Action)
			}
			if want := []string{tc.asked}; tc.asked == "" && len(asked) != 0 || tc.asked != "" && !slices.Equal(asked, want) {
				t.Fatalf("asked %v, want %q", asked, tc.asked)
			}
		})
	}
}

func TestChoiceOpIsNotAskedWithoutAnAuthorizer(t *testing.T) {
	chose := 0
	op := upsert(nil)
	op.ActionFor = func(*Call, *echoIn) string { chose++; return "toy:Create" }
	a := MustAPI(Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{op}})
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"Name":"x"}`))
	req.Header.Set("X-Amz-Target", "Toy.Put")
	res, body := serve(t, a, req)
	if res.StatusCode != 200 || !strings.Contains(body, `"Name":"x"`) || chose != 0 {
		t.Fatalf("%d %s, ActionFor called %d times", res.StatusCode, body, chose)
	}
}

func TestOperationActionsListsEveryActionACallMayNeed(t *testing.T) {
	a := MustAPI(Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{
		upsert(nil),
		Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Handler: echo},
	}})
	put, _ := a.Operation("Put")
	echoOp, _ := a.Operation("Echo")
	if got := put.Actions(); !slices.Equal(got, []string{"toy:Create", "toy:Update"}) || put.Action != "toy:Create" {
		t.Errorf("Put: Action %q, Actions %v", put.Action, got)
	}
	if got := echoOp.Actions(); !slices.Equal(got, []string{"toy:Echo"}) {
		t.Errorf("Echo: Actions %v", got)
	}
	put.Actions()[0] = "changed"
	if put.Actions()[0] != "toy:Create" {
		t.Error("Actions returned the table's own slice")
	}
}

func TestNewAPIRefusesABadChoiceOp(t *testing.T) {
	with := func(f func(*ChoiceOp[echoIn, echoOut])) Spec {
		op := upsert(nil)
		f(&op)
		return Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{op}}
	}
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"no ActionFor", with(func(o *ChoiceOp[echoIn, echoOut]) { o.ActionFor = nil }), "needs ActionFor"},
		{"no Actions", with(func(o *ChoiceOp[echoIn, echoOut]) { o.Actions = nil }), "needs the Actions"},
		{"wildcard among Actions", with(func(o *ChoiceOp[echoIn, echoOut]) { o.Actions = []string{"toy:Create", "toy:*"} }), "not service:Operation"},
		{"NoPermission among Actions", with(func(o *ChoiceOp[echoIn, echoOut]) { o.Actions = []string{"toy:Create", NoPermission} }), "not service:Operation"},
		{"Action not among Actions", with(func(o *ChoiceOp[echoIn, echoOut]) { o.Op.Action = "toy:Other" }), "not among its Actions"},
		{"no Action", with(func(o *ChoiceOp[echoIn, echoOut]) { o.Op.Action = "" }), "no IAM action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewAPI(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
