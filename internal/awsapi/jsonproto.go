package awsapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// serveJSON is the awsJson1.0/1.1 front-end: POST, X-Amz-Target
// "Prefix.Operation", a JSON body decoded into the operation's input, and a
// JSON reply.
func (a *API) serveJSON(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), a.spec.TargetPrefix+".")
	op := a.ops[name]
	if !ok || op == nil || r.Method != http.MethodPost {
		a.fail(w, r, JSON, Errorf(http.StatusBadRequest, "UnknownOperationException", "nubo's %s API does not implement the operation named by X-Amz-Target %q", a.spec.Service, r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := a.readBody(r)
	if err != nil {
		a.fail(w, r, JSON, err)
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	in := op.newInput()
	decode := a.spec.DecodeJSON
	if decode == nil {
		decode = decodeJSONBody
	}
	if err := decode(body, in); err != nil {
		a.fail(w, r, JSON, err)
		return
	}
	c := &Call{Op: op, API: a, R: r, W: w, Body: body}
	out, err := a.call(c, in)
	if err != nil {
		a.fail(w, r, JSON, err)
		return
	}
	if rs, ok := out.(Responder); ok {
		if err := rs.Respond(w, r); err != nil {
			a.log.Warn("write response", "op", op.Name, "err", err)
		}
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		a.fail(w, r, JSON, InternalError(err))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-"+a.spec.JSONVersion)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// decodeJSONBody decodes a request body; a malformed one is the
// SerializationException the SDKs expect.
func decodeJSONBody(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return NewError(http.StatusBadRequest, "SerializationException", jsonErrorMessage(err))
	}
	return nil
}

// jsonErrorMessage names the field a type error is about.
func jsonErrorMessage(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
		return "field " + te.Field + ": expected " + te.Type.String() + ", got JSON " + te.Value
	}
	return err.Error()
}
