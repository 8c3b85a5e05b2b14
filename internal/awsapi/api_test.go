package awsapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// allowList is an authorizer that allows the listed actions on any
// resource and records every question.
type allowList struct {
	allow map[string]bool
	asked []AuthzRequest
}

func (a *allowList) Authorize(_ context.Context, req AuthzRequest) error {
	a.asked = append(a.asked, req)
	if a.allow[req.Action] {
		return nil
	}
	return AccessDenied(req.Service, "denied "+req.Action+" on "+req.Resource)
}

type echoIn struct {
	Name  string
	Count int
	Tags  []string
	Attrs map[string]string
	Inner struct{ Flag bool }
}

type echoOut struct {
	Name  string
	Count int
	Tags  []string
	Attrs map[string]string
	Flag  bool
}

// echoXMLOut is echoOut as XML can encode it (no maps).
type echoXMLOut struct {
	Name  string
	Count int
	Tags  []string
	Attr  string
	Flag  bool
}

func echo(_ *Call, in *echoIn) (echoOut, error) {
	if in.Name == "boom" {
		return echoOut{}, Errorf(http.StatusNotFound, "ThingNotFound", "no thing %s", in.Name)
	}
	return echoOut{Name: in.Name, Count: in.Count, Tags: in.Tags, Attrs: in.Attrs, Flag: in.Inner.Flag}, nil
}

func thingTarget(_ *Call, in *echoIn) ([]Target, error) {
	return []Target{{Resource: "arn:aws:toy:::thing/" + in.Name}}, nil
}

func TestNewAPIRefusesAnOperationWithoutAction(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"no action", Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{Op[echoIn, echoOut]{Name: "Echo", Handler: echo}}}, "no IAM action"},
		{"bad action", Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{Op[echoIn, echoOut]{Name: "Echo", Action: "toy:*", Handler: echo}}}, "not service:Operation"},
		{"no handler", Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo"}}}, "no handler"},
		{"twice", Spec{Service: "toy", Protocol: JSON, TargetPrefix: "Toy", Ops: []Declared{
			Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Handler: echo}, Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Handler: echo}}}, "declared twice"},
		{"REST without route", Spec{Service: "toy", Protocol: RestJSON, Ops: []Declared{Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Handler: echo}}}, "needs HTTP"},
		{"REST same route", Spec{Service: "toy", Protocol: RestJSON, Ops: []Declared{
			Op[echoIn, echoOut]{Name: "A", Action: "toy:A", HTTP: "GET /things", Handler: echo}, Op[echoIn, echoOut]{Name: "B", Action: "toy:B", HTTP: "GET /things", Handler: echo}}}, "share the route"},
		{"JSON without prefix", Spec{Service: "toy", Protocol: JSON}, "target prefix"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewAPI(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func serve(t *testing.T, h http.Handler, req *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(WithRequestID(req.Context(), "rid-1")))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestJSONFrontEnd(t *testing.T) {
	authz := &allowList{allow: map[string]bool{"toy:Echo": true}}
	a := MustAPI(Spec{Service: "toy", Protocol: JSON, JSONVersion: "1.0", TargetPrefix: "Toy_2020", Authorizer: authz, Ops: []Declared{
		Op[echoIn, echoOut]{Name: "Echo", Action: "toy:Echo", Resources: thingTarget, Handler: echo},
		Op[echoIn, echoOut]{Name: "Secret", Action: "toy:Secret", Handler: echo},
	}})
	call := func(target, body string) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		return serve(t, a, req)
	}
	res, body := call("Toy_2020.Echo", `{"Name":"a","Count":2,"Tags":["x"]}`)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("status %d %q: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var out echoOut
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Name != "a" || out.Count != 2 || len(out.Tags) != 1 {
		t.Fatalf("out %+v %v", out, err)
	}
	if got := authz.asked[len(authz.asked)-1]; got.Resource != "arn:aws:toy:::thing/a" || got.Service != "toy" {
		t.Fatalf("asked %+v", got)
	}
	for _, tc := range []struct {
		target, body string
		status       int
		code         string
	}{
		{"Toy_2020.Secret", `{}`, 403, "AccessDeniedException"},
		{"Toy_2020.Nope", `{}`, 400, "UnknownOperationException"},
		{"Other.Echo", `{}`, 400, "UnknownOperationException"},
		{"Toy_2020.Echo", `{"Count":"two"}`, 400, "SerializationException"},
		{"Toy_2020.Echo", `{"Name":"boom"}`, 404, "ThingNotFound"},
	} {
		res, body := call(tc.target, tc.body)
		var env struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal([]byte(body), &env)
		if res.StatusCode != tc.status || env.Type != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.target, tc.body, res.StatusCode, body, tc.status, tc.code)
		}
	}
	if !a.Service().Matches(httptest.NewRequest(http.MethodPost, "/", nil)) == false {
		t.Fatal("a request without a target matched")
	}
}

func TestQueryFrontEnd(t *testing.T) {
	authz := &allowList{allow: map[string]bool{"toy:Echo": true, "toy:Quiet": true}}
	a := MustAPI(Spec{Service: "toy", Protocol: Query, QueryVersion: "2020-01-01", XMLNamespace: "https://toy/doc/", Authorizer: authz, Ops: []Declared{
		Op[echoIn, echoXMLOut]{Name: "Echo", Action: "toy:Echo", Handler: func(c *Call, in *echoIn) (echoXMLOut, error) {
			out, err := echo(c, in)
			return echoXMLOut{Name: out.Name, Count: out.Count, Tags: out.Tags, Attr: out.Attrs["k"], Flag: out.Flag}, err
		}},
		Op[echoIn, None]{Name: "Quiet", Action: "toy:Quiet", Handler: func(*Call, *echoIn) (None, error) { return None{}, nil }},
	}})
	form := url.Values{"Action": {"Echo"}, "Version": {"2020-01-01"}, "Name": {"q"}, "Count": {"3"},
		"Tags.member.1": {"a"}, "Tags.member.2": {"b"}, "Attrs.entry.1.key": {"k"}, "Attrs.entry.1.value": {"v"}, "Inner.Flag": {"true"}}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := serve(t, a, req)
	want := `<EchoResponse xmlns="https://toy/doc/"><EchoResult><Name>q</Name><Count>3</Count><Tags>a</Tags><Tags>b</Tags>`
	if res.StatusCode != 200 || !strings.HasPrefix(body, want) || !strings.Contains(body, "<Attr>v</Attr><Flag>true</Flag>") || !strings.Contains(body, "<RequestId>rid-1</RequestId>") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, body = serve(t, a, httptest.NewRequest(http.MethodGet, "/?Action=Quiet", nil))
	if res.StatusCode != 200 || strings.Contains(body, "QuietResult") || !strings.Contains(body, "<QuietResponse") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	for _, tc := range []struct {
		query, code string
	}{
		{"Action=Nope", "<Code>InvalidAction</Code><Message>Could not find operation Nope for version 2020-01-01</Message>"},
		{"Version=1", "<Code>MissingAction</Code>"},
		{"Action=Echo&Count=x", "<Code>ValidationError</Code><Message>1 validation error detected: Value &#39;x&#39; at &#39;count&#39; failed to satisfy constraint: Member must be an integer</Message>"},
	} {
		res, body := serve(t, a, httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil))
		if res.StatusCode != 400 || !strings.Contains(body, tc.code) {
			t.Errorf("%s: %d %s", tc.query, res.StatusCode, body)
		}
	}
	if !a.Service().Matches(httptest.NewRequest(http.MethodGet, "/?Action=Echo", nil)) {
		t.Fatal("Matches did not see the action")
	}
}

type getThingIn struct {
	Name      string   `aws:"uri=Name" json:"-"`
	Qualifier string   `aws:"querystring=Qualifier" json:"-"`
	Mode      *string  `aws:"header=X-Toy-Mode" json:"-"`
	Limit     int      `aws:"querystring=Limit" json:"-"`
	Keys      []string `aws:"querystring=Key" json:"-"`
	Note      string
}

type getThingOut struct {
	ETag   string `aws:"header=ETag" json:"-"`
	Status int    `aws:"status" json:"-"`
	Name   string
	Detail string
}

type blobIn struct {
	Name string `aws:"uri=Name"`
	Data []byte `aws:"payload"`
}

type blobOut struct {
	Data []byte `aws:"payload"`
}

func TestRESTFrontEnds(t *testing.T) {
	authz := &allowList{allow: map[string]bool{"toy:GetThing": true, "toy:PutBlob": true}}
	ops := []Declared{
		Op[getThingIn, getThingOut]{Name: "GetThing", Action: "toy:GetThing", HTTP: "POST /2020/things/{Name}",
			Resources: func(_ *Call, in *getThingIn) ([]Target, error) { return []Target{{Resource: "thing/" + in.Name}}, nil },
			Handler: func(_ *Call, in *getThingIn) (getThingOut, error) {
				mode := "-"
				if in.Mode != nil {
					mode = *in.Mode
				}
				return getThingOut{ETag: "e1", Status: 202, Name: in.Name, Detail: strings.Join([]string{in.Qualifier, mode, in.Note, strings.Join(in.Keys, "+")}, "/") + "/" + string(rune('0'+in.Limit))}, nil
			}},
		Op[blobIn, blobOut]{Name: "PutBlob", Action: "toy:PutBlob", HTTP: "PUT /{Name}", Status: 201,
			Handler: func(_ *Call, in *blobIn) (blobOut, error) {
				return blobOut{Data: append([]byte(in.Name+":"), in.Data...)}, nil
			}},
		RawOp{Name: "Hidden", Action: "toy:Hidden", HTTP: "DELETE /2020/things/{Name}",
			Handler: func(w http.ResponseWriter, r *http.Request) error { w.WriteHeader(204); return nil }},
	}
	a := MustAPI(Spec{Service: "toy", Protocol: RestJSON, Authorizer: authz, Ops: ops})
	req := httptest.NewRequest(http.MethodPost, "/2020/things/t1?Qualifier=q&Limit=4&Key=a&Key=b", strings.NewReader(`{"Note":"n"}`))
	req.Header.Set("X-Toy-Mode", "m")
	res, body := serve(t, a, req)
	if res.StatusCode != 202 || res.Header.Get("ETag") != "e1" || body != `{"Name":"t1","Detail":"q/m/n/a+b/4"}` {
		t.Fatalf("%d %v %s", res.StatusCode, res.Header, body)
	}
	res, body = serve(t, a, httptest.NewRequest(http.MethodDelete, "/2020/things/t1", nil))
	if res.StatusCode != 403 || res.Header.Get("X-Amzn-ErrorType") != "AccessDeniedException" {
		t.Fatalf("raw op not authorized: %d %s", res.StatusCode, body)
	}
	res, body = serve(t, a, httptest.NewRequest(http.MethodGet, "/2020/nothing", nil))
	if res.StatusCode != 404 || res.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, body = serve(t, a, httptest.NewRequest(http.MethodPost, "/2020/things/t1?Limit=many", nil))
	if res.StatusCode != 400 || !strings.Contains(body, "limit") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}

	// REST-XML with a virtual host: photos.s3.localhost/k is /photos/k.
	x := MustAPI(Spec{Service: "toy", Protocol: RestXML, Authorizer: authz, Ops: ops,
		VirtualHost: func(host string) (string, bool) {
			b, ok := strings.CutSuffix(host, ".s3.localhost")
			return b, ok
		}})
	req = httptest.NewRequest(http.MethodPut, "/", strings.NewReader("bytes"))
	req.Host = "photos.s3.localhost"
	res, body = serve(t, x, req)
	if res.StatusCode != 201 || body != "photos:bytes" {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	res, body = serve(t, x, httptest.NewRequest(http.MethodDelete, "/2020/things/t1", nil))
	if res.StatusCode != 403 || !strings.Contains(body, "<Code>AccessDeniedException</Code>") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
}

func TestPage(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	var got []int
	token := ""
	for range 10 {
		page, next, err := Page(items, token, 2, 50)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		token = next
	}
	if len(got) != 5 || got[4] != 5 {
		t.Fatalf("pages gave %v", got)
	}
	for _, bad := range []string{"x", "-1", "6"} {
		if _, _, err := Page(items, bad, 2, 50); err != ErrInvalidToken {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func FuzzDecodeQuery(f *testing.F) {
	f.Add("Name=a&Count=1&Tags.member.1=x&Attrs.entry.1.key=k&Attrs.entry.1.value=v&Inner.Flag=true")
	f.Add("Tags.member.2=x&Count=99999999999999999999")
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		var in echoIn
		if err := DecodeQuery(form, &in); err != nil {
			if AsError(err).Status != http.StatusBadRequest {
				t.Fatalf("%q: %v", q, err)
			}
		}
	})
}

func TestPageAfter(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var got []string
	marker := ""
	for range 10 {
		page, next := PageAfter(items, id, marker, 2, 50)
		got = append(got, page...)
		if next == "" {
			break
		}
		marker = next
	}
	if strings.Join(got, "") != "abcde" {
		t.Fatalf("pages gave %v", got)
	}
	if page, next := PageAfter(items, id, "gone", 2, 50); len(page) != 0 || next != "" {
		t.Fatalf("unknown marker: %v %q", page, next)
	}
	if page, _ := PageAfter(items, id, "", 0, 3); len(page) != 3 {
		t.Fatalf("default limit: %v", page)
	}
}
