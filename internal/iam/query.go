package iam

import (
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The query protocol (IAM, STS): a form-encoded POST (or GET) with Action
// and Version, answered with <ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>.

const (
	iamNamespace = "https://iam.amazonaws.com/doc/" + iamVersion + "/"
	stsNamespace = "https://sts.amazonaws.com/doc/" + stsVersion + "/"
)

// form is a parsed query request, and the request it came in (nil in
// tests that build one by hand).
type form struct {
	url.Values
	r *http.Request
}

func parseForm(r *http.Request) (form, error) {
	if err := r.ParseForm(); err != nil {
		return form{}, awsapi.Errorf(http.StatusBadRequest, "MalformedQueryString", "%v", err)
	}
	return form{Values: r.Form, r: r}, nil
}

// list reads prefix.member.1, prefix.member.2, ...
func (f form) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		k := prefix + ".member." + strconv.Itoa(i)
		if _, ok := f.Values[k]; !ok {
			return out
		}
		out = append(out, f.Get(k))
	}
}

// tags reads Tags.member.N.Key / .Value.
func (f form) tags() []Tag {
	var out []Tag
	for i := 1; ; i++ {
		p := "Tags.member." + strconv.Itoa(i)
		if _, ok := f.Values[p+".Key"]; !ok {
			return out
		}
		out = append(out, Tag{Key: f.Get(p + ".Key"), Value: f.Get(p + ".Value")})
	}
}

func (f form) required(name string) (string, error) {
	v := f.Get(name)
	if v == "" {
		return "", awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

func (f form) int32(name string) (*int32, error) {
	v := f.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "%s: %q is not an integer", name, v)
	}
	n32 := int32(n)
	return &n32, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeQuery writes result (nil for actions without one) in the envelope.
func writeQuery(w http.ResponseWriter, r *http.Request, ns, action string, result any, log *slog.Logger) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	err := enc.EncodeToken(start)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: awsapi.RequestID(r.Context())}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		log.Warn("write query response", "action", action, "err", err)
	}
}

const (
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
)

// unknownAction is the error for an action the service does not have, in
// AWS's words: the version named is the request's, or the service's API
// version when the request gives none.
func unknownAction(action string, f form, apiVersion string) error {
	if action == "" {
		return awsapi.NewError(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	version := f.Get("Version")
	if version == "" {
		version = apiVersion
	}
	return awsapi.NewError(http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", action, version))
}
