package awsapi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
)

// None is the output of an operation whose reply has no result element
// (query: just ResponseMetadata; JSON: {}).
type None struct{}

// serveQuery is the query-protocol front-end: form parameters (POST body or
// URL) with Action and Version, decoded into the operation's input, and an
// XML <ActionResponse><ActionResult/><ResponseMetadata/></ActionResponse>.
func (a *API) serveQuery(w http.ResponseWriter, r *http.Request) {
	body, err := a.readBody(r)
	if err != nil {
		a.fail(w, r, Query, err)
		return
	}
	form, err := queryValues(r, body)
	if err != nil {
		a.fail(w, r, Query, err)
		return
	}
	r.Form = form
	action := form.Get("Action")
	op := a.ops[action]
	if op == nil {
		if action == "" {
			a.fail(w, r, Query, NewError(http.StatusBadRequest, "MissingAction", "Missing Action"))
			return
		}
		version := form.Get("Version")
		if version == "" {
			version = a.spec.QueryVersion
		}
		a.fail(w, r, Query, Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version))
		return
	}
	in := op.newInput()
	if err := DecodeQuery(form, in); err != nil {
		a.fail(w, r, Query, err)
		return
	}
	c := &Call{Op: op, API: a, R: r, W: w, Body: body, Form: form}
	out, err := a.call(c, in)
	if err != nil {
		a.fail(w, r, Query, err)
		return
	}
	if rs, ok := out.(Responder); ok {
		if err := rs.Respond(w, r); err != nil {
			a.log.Warn("write response", "op", op.Name, "err", err)
		}
		return
	}
	if err := writeQueryResult(w, r, a.spec.XMLNamespace, op.Name, out); err != nil {
		a.fail(w, r, Query, InternalError(err))
	}
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeQueryResult writes a query-protocol reply: result (omitted when it
// is nil or None) inside <ActionResult>, then the request id. An error
// means nothing was written.
func writeQueryResult(w http.ResponseWriter, r *http.Request, ns, action string, result any) error {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}}
	if ns != "" {
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}
	}
	err := enc.EncodeToken(start)
	if err == nil && hasResult(result) {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: RequestID(r.Context())}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		return fmt.Errorf("encode %s response: %w", action, err)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

func hasResult(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return false
	}
	switch v.(type) {
	case None, *None:
		return false
	}
	return true
}
