package awsapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// The REST protocols (REST-JSON as Lambda, REST-XML as S3) route by method
// and path template. An operation's input and output fields say where they
// travel with an `aws` tag, as the SDKs' models do:
//
//	FunctionName string `aws:"uri=FunctionName" json:"-"`
//	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
//	LogType      string `aws:"header=X-Amz-Log-Type" json:"-"`
//	Payload      []byte `aws:"payload"`   // the raw body
//	StatusCode   int    `aws:"status"`    // outputs: the HTTP status
//
// Untagged fields are the JSON (or XML) body.

func (a *API) buildMux() error {
	a.mux = http.NewServeMux()
	routes, err := a.routes()
	if err != nil {
		return err
	}
	for _, rt := range routes {
		if err := registerPattern(a.mux, rt.pattern, a.routeHandler(rt.ops)); err != nil {
			return fmt.Errorf("awsapi %s %s: %w", a.spec.Service, rt.ops[0].Name, err)
		}
	}
	return registerPattern(a.mux, "/", http.HandlerFunc(a.unknownRoute))
}

// unknownRoute answers a request no operation's route matches.
func (a *API) unknownRoute(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, a.spec.Protocol, Errorf(http.StatusNotFound, "UnknownOperationException", "nubo does not implement %s %s", r.Method, r.URL.Path))
}

// registerPattern is ServeMux.Handle reporting a bad or conflicting
// pattern as an error instead of a panic.
func registerPattern(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("route %q: %v", pattern, p)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

func (a *API) serveREST(w http.ResponseWriter, r *http.Request) {
	if a.spec.VirtualHost != nil {
		if bucket, ok := a.spec.VirtualHost(r.Host); ok {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + bucket
			if r.URL.Path != "/" {
				r2.URL.Path += r.URL.Path
			}
			r2.URL.RawPath = ""
			r = r2
		}
	}
	a.mux.ServeHTTP(w, r)
}

func (a *API) restHandler(op *Operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Call{Op: op, API: a, R: r, W: w}
		if op.raw {
			if _, err := a.call(c, nil); err != nil {
				a.fail(w, r, a.spec.Protocol, err)
			}
			return
		}
		in := op.newInput()
		if err := a.bindREST(r, in); err != nil {
			a.fail(w, r, a.spec.Protocol, err)
			return
		}
		out, err := a.call(c, in)
		if err != nil {
			a.fail(w, r, a.spec.Protocol, err)
			return
		}
		if err := a.writeREST(w, r, op, out); err != nil {
			a.log.Warn("write response", "op", op.Name, "err", err)
		}
	})
}

type restTag struct{ where, name string }

func parseRESTTag(f reflect.StructField) restTag {
	tag := f.Tag.Get("aws")
	where, name, _ := strings.Cut(tag, "=")
	return restTag{where: where, name: name}
}

// bindREST decodes the body, then the path, query and header fields.
func (a *API) bindREST(r *http.Request, v any) error {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	body, err := a.readBody(r)
	if err != nil {
		return err
	}
	hasPayload := false
	for i := range rt.NumField() {
		if parseRESTTag(rt.Field(i)).where == "payload" {
			hasPayload = true
			fv := rv.Field(i)
			if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8 {
				fv.SetBytes(body)
			} else if len(body) > 0 {
				if err := a.unmarshalBody(body, fv.Addr().Interface()); err != nil {
					return err
				}
			}
		}
	}
	if !hasPayload && len(bytes.TrimSpace(body)) > 0 {
		if err := a.unmarshalBody(body, v); err != nil {
			return err
		}
	}
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := parseRESTTag(f)
		var s string
		var ok bool
		switch tag.where {
		case "uri":
			s = r.PathValue(tag.name)
			ok = s != ""
		case "querystring":
			var vs []string
			vs, ok = r.URL.Query()[tag.name]
			if ok && rv.Field(i).Kind() == reflect.Slice && rv.Field(i).Type().Elem().Kind() == reflect.String {
				rv.Field(i).Set(reflect.ValueOf(vs))
				continue
			}
			if ok {
				s = vs[0]
			}
		case "header":
			s = r.Header.Get(tag.name)
			ok = s != ""
		default:
			continue
		}
		if !ok {
			continue
		}
		fv := rv.Field(i)
		if fv.Kind() == reflect.Pointer {
			fv.Set(reflect.New(fv.Type().Elem()))
			fv = fv.Elem()
		}
		if err := setScalar(fv, tag.name, s); err != nil {
			return err
		}
	}
	return nil
}

func (a *API) unmarshalBody(body []byte, v any) error {
	if a.spec.Protocol == RestXML {
		if err := xml.Unmarshal(body, v); err != nil {
			return NewError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		return nil
	}
	decode := a.spec.DecodeJSON
	if decode == nil {
		decode = decodeJSONBody
	}
	return decode(body, v)
}

// writeREST encodes out: header and status fields, then the payload field
// or the whole value as the body.
func (a *API) writeREST(w http.ResponseWriter, r *http.Request, op *Operation, out any) error {
	if rs, ok := out.(Responder); ok {
		return rs.Respond(w, r)
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	var payload any = out
	if rv.Kind() == reflect.Struct {
		rt := rv.Type()
		for i := range rt.NumField() {
			tag := parseRESTTag(rt.Field(i))
			fv := rv.Field(i)
			switch tag.where {
			case "header":
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue
					}
					fv = fv.Elem()
				}
				if s := fmt.Sprint(fv.Interface()); s != "" {
					w.Header().Set(tag.name, s)
				}
			case "status":
				if n := int(fv.Int()); n != 0 {
					status = n
				}
			case "payload":
				payload = fv.Interface()
			}
		}
	}
	var b []byte
	var err error
	switch p := payload.(type) {
	case []byte:
		b = p
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
	case io.Reader:
		b, err = io.ReadAll(p)
	case nil, None, *None:
	default:
		if a.spec.Protocol == RestXML {
			b, err = xml.Marshal(p)
			w.Header().Set("Content-Type", "application/xml")
		} else {
			b, err = json.Marshal(p)
			w.Header().Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}
