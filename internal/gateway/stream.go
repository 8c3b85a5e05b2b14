package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Response streaming (function URLs with InvokeMode RESPONSE_STREAM). A
// handler that wants a status and headers writes the
// application/vnd.awslambda.http-integration-response format: a JSON prelude
// {statusCode, headers, cookies}, eight NUL bytes, then the body. Anything
// else is the body itself, 200 application/octet-stream. Each write reaches
// the client at once (flushed).

const maxPrelude = 64 << 10

var preludeDelimiter = []byte{0, 0, 0, 0, 0, 0, 0, 0}

type streamWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	cors    *CORS
	r       *http.Request
	started bool
	noBody  bool // 204, 304: the body is dropped
	status  int
	buf     []byte
	err     error
}

func newStreamWriter(w http.ResponseWriter, cors *CORS, r *http.Request) *streamWriter {
	return &streamWriter{w: w, rc: http.NewResponseController(w), cors: cors, r: r}
}

// Write buffers until the prelude is complete (or clearly absent), then
// passes bytes straight through.
func (s *streamWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.started {
		return s.pass(p)
	}
	s.buf = append(s.buf, p...)
	trimmed := bytes.TrimLeft(s.buf, " \t\r\n")
	if len(trimmed) == 0 {
		return len(p), nil
	}
	if trimmed[0] != '{' {
		s.start(nil)
		return len(p), s.flushBuf(s.buf)
	}
	if i := bytes.Index(s.buf, preludeDelimiter); i >= 0 {
		prelude, rest := s.buf[:i], s.buf[i+len(preludeDelimiter):]
		if !s.start(prelude) {
			return len(p), s.flushBuf(s.buf)
		}
		return len(p), s.flushBuf(rest)
	}
	if len(s.buf) > maxPrelude {
		s.start(nil)
		return len(p), s.flushBuf(s.buf)
	}
	return len(p), nil
}

func (s *streamWriter) flushBuf(b []byte) error {
	s.buf = nil
	if len(b) == 0 {
		_ = s.rc.Flush()
		return nil
	}
	_, err := s.pass(b)
	return err
}

func (s *streamWriter) pass(p []byte) (int, error) {
	if s.noBody {
		return len(p), nil
	}
	n, err := s.w.Write(p)
	if err == nil {
		err = s.rc.Flush()
	}
	if err != nil {
		s.err = err
	}
	return n, err
}

// start writes the status line and headers from prelude (nil: defaults). It
// reports false when prelude is not a prelude after all (the bytes are then
// body, with the defaults).
func (s *streamWriter) start(prelude []byte) bool {
	s.started = true
	h := s.w.Header()
	status := http.StatusOK
	ok := prelude != nil
	if ok {
		var p struct {
			StatusCode        json.RawMessage            `json:"statusCode"`
			Headers           map[string]json.RawMessage `json:"headers"`
			MultiValueHeaders map[string][]string        `json:"multiValueHeaders"`
			Cookies           []string                   `json:"cookies"`
		}
		if err := json.Unmarshal(prelude, &p); err != nil {
			ok = false
		} else {
			if len(p.StatusCode) > 0 {
				if n, err := statusCode(p.StatusCode); err == nil && n >= 200 {
					status = n
				}
			}
			for k, raw := range p.Headers {
				if v, err := scalar(raw); err == nil && v != nil && validHeaderName(k) {
					h.Set(k, *v)
				}
			}
			for k, vs := range p.MultiValueHeaders {
				if validHeaderName(k) {
					h[http.CanonicalHeaderKey(k)] = vs
				}
			}
			for _, c := range p.Cookies {
				h.Add("Set-Cookie", c)
			}
		}
	}
	h.Del("Content-Length")
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/octet-stream")
	}
	if s.cors != nil {
		applyCORS(h, s.cors, s.r)
	}
	s.status = status
	s.noBody = status == http.StatusNoContent || status == http.StatusNotModified
	s.w.WriteHeader(status)
	return ok
}

// finish ends the response; it returns the status sent.
func (s *streamWriter) finish() int {
	if !s.started {
		buf := s.buf
		s.start(nil)
		_ = s.flushBuf(buf)
	}
	return s.status
}
