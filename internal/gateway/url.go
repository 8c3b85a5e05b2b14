package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nubo-run/nubo/internal/awsapi"
)

// Function URLs: payload 2.0 at the URL's own host, AuthType NONE or AWS_IAM
// (SigV4 for service "lambda" with nubo's credentials), CORS, and
// InvokeMode BUFFERED or RESPONSE_STREAM (stream.go).

// urlTimeout is the ceiling of a URL invocation; the function's own timeout
// (at most 15 minutes) ends it first.
const urlTimeout = 15*time.Minute + 30*time.Second

func (g *Gateway) serveURL(w http.ResponseWriter, r *http.Request, snap *snapshot, t *target, rec *accessRecord) {
	u := t.url
	fl := flavorURL
	w.Header().Set("X-Amzn-Requestid", rec.requestID)
	rec.apiID, rec.routeKey = u.ID, "$default"
	if u.CORS != nil && isPreflight(r) {
		rec.status = writePreflight(w, u.CORS, r)
		return
	}
	now := g.now()
	in := &inbound{
		r: r, requestID: rec.requestID, now: now, nowText: g.requestTime(now),
		domainName: t.domainName, domainPrefix: t.domainPrefix,
		fullPath: t.fullPath, apiPath: t.apiPath,
	}
	principal := PrincipalURL
	if r.ContentLength > MaxURLBody {
		rec.status = writeFailure(w, fl, failTooLarge)
		return
	}
	limitBody(r, MaxURLBody)
	if u.AuthType == AuthIAM {
		p, ok := g.verifyIAM(r, "lambda")
		if !ok {
			rec.status = writeFailure(w, fl, failForbidden)
			return
		}
		principal = p.ARN
		in.auth = g.iamResult(p)
	}
	body, f := readBody(r, MaxURLBody)
	if f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	in.body = body
	in.base64Body = binaryBody(body, r.Header.Get("Content-Type"), nil)
	in.headers = forwardedHeaders(r, rec.requestID)
	payload, err := in.eventURL(u.ID, g.opts.Account.ID)
	if err != nil {
		g.log.Error("encode event", "url_id", u.ID, "err", err)
		rec.status = writeFailure(w, fl, failInternal)
		return
	}
	if f := g.checkEventSize(payload, u.ID, "$default"); f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	function := u.Function
	if u.Qualifier != "" && !strings.Contains(function, ":") {
		function += ":" + u.Qualifier
	}
	timeout := urlTimeout
	if u.TimeoutMillis > 0 {
		timeout = time.Duration(u.TimeoutMillis) * time.Millisecond
	}
	src := Source{Principal: principal, SourceARN: ""}
	ictx, cancel := context.WithTimeoutCause(r.Context(), timeout, ErrTimeout)
	defer cancel()
	istart := time.Now()
	if u.InvokeMode == InvokeStreaming {
		sw := newStreamWriter(w, u.CORS, r)
		ferr, err := g.invoker.InvokeStream(ictx, function, payload, sw, src)
		rec.integrationLatency = time.Since(istart)
		if !sw.started {
			if f := g.invokeFailure(ictx, err, ferr, u.ID, function); f >= 0 {
				rec.status = writeFailure(w, fl, f)
				return
			}
		} else if err != nil || ferr != "" {
			// The status line is gone: the client sees the body end early.
			g.log.Warn("stream ended by error", "url_id", u.ID, "function_error", ferr, "err", err)
		}
		rec.status = sw.finish()
		return
	}
	result, ferr, err := g.invoker.Invoke(ictx, function, payload, src)
	rec.integrationLatency = time.Since(istart)
	if f := g.invokeFailure(ictx, err, ferr, u.ID, function); f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	resp, err := parseResponse(result, "2.0")
	if err != nil {
		g.log.Warn("bad function response", "url_id", u.ID, "function", function, "err", err)
		rec.status = writeFailure(w, fl, failBadGateway)
		return
	}
	if u.CORS != nil {
		applyCORS(resp.header, u.CORS, r)
	}
	resp.write(w, r.Method == http.MethodHead)
	rec.status = resp.status
}

// verifyIAM checks a SigV4 signature made for service ("lambda" for
// function URLs, "execute-api" for routes).
func (g *Gateway) verifyIAM(r *http.Request, service string) (awsapi.Principal, bool) {
	if g.opts.Keys == nil {
		return awsapi.Principal{}, false
	}
	sig, err := awsapi.ParseSigV4(r)
	if err != nil || sig.Service != service {
		return awsapi.Principal{}, false
	}
	token := r.Header.Get("X-Amz-Security-Token")
	if sig.Presigned {
		token = r.URL.Query().Get("X-Amz-Security-Token")
	}
	secret, p, err := g.opts.Keys.Lookup(sig.AccessKeyID, token)
	if err != nil {
		return awsapi.Principal{}, false
	}
	if err := sig.Verify(r, secret, g.now()); err != nil {
		if !errors.Is(err, context.Canceled) {
			g.log.Debug("function url signature", "err", err)
		}
		return awsapi.Principal{}, false
	}
	p.AccessKeyID = sig.AccessKeyID
	return p, true
}

func (g *Gateway) iamResult(p awsapi.Principal) *authResult {
	return &authResult{iam: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{
		AccessKey: p.AccessKeyID, AccountID: g.opts.Account.ID, CallerID: callerID(p), UserARN: p.ARN, UserID: callerID(p),
	}}
}

func callerID(p awsapi.Principal) string {
	if p.Session != "" {
		return p.AccessKeyID + ":" + p.Session
	}
	return p.AccessKeyID
}
