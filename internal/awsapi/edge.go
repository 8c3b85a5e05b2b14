package awsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Service is one AWS-compatible API served on the edge listener.
type Service struct {
	// Name is the SigV4 signing name ("lambda", "sqs", "iam", "nubo", ...).
	Name string
	// Protocol decides the error envelope for requests to this service.
	Protocol Protocol
	// Handler serves authenticated requests; the principal is in the context.
	Handler http.Handler
	// Matches recognises an unsigned request as meant for this service, so its
	// authentication error is written in the right envelope. Optional.
	Matches func(r *http.Request) bool
	// Unsigned recognises a request this service serves with no signature
	// (Spec.Unsigned). Optional.
	Unsigned func(r *http.Request) bool
}

// Edge is the one listener's handler: request ids, SigV4 authentication and
// routing by the signing name of the credential scope.
type Edge struct {
	keys     *Keyring
	services map[string]Service
	order    []string
	public   *http.ServeMux
	// publicMethods are the methods the public patterns serve (nil: any, a
	// pattern names none): other requests skip the public mux.
	publicMethods map[string]bool
	publicAny     bool
	log           *slog.Logger
	now           func() time.Time
	signing       SigningKeys
}

// NewEdge builds an edge over the given services. Signing names must be unique.
func NewEdge(keys *Keyring, log *slog.Logger, services ...Service) (*Edge, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Edge{keys: keys, services: map[string]Service{}, public: http.NewServeMux(), log: log, now: time.Now}
	for _, s := range services {
		if s.Name == "" || s.Handler == nil {
			return nil, errors.New("edge: a service needs a name and a handler")
		}
		if _, dup := e.services[s.Name]; dup {
			return nil, errors.New("edge: duplicate service " + s.Name)
		}
		e.services[s.Name] = s
		e.order = append(e.order, s.Name)
	}
	return e, nil
}

// HandlePublic serves pattern without authentication (health, metrics).
func (e *Edge) HandlePublic(pattern string, h http.Handler) {
	e.public.Handle(pattern, h)
	method, rest, ok := strings.Cut(pattern, " ")
	if !ok || strings.Contains(method, "/") || strings.TrimSpace(rest) == "" {
		e.publicAny = true
		return
	}
	if e.publicMethods == nil {
		e.publicMethods = map[string]bool{}
	}
	e.publicMethods[method] = true
	if method == http.MethodGet {
		e.publicMethods[http.MethodHead] = true // a GET pattern serves HEAD too
	}
}

// maybePublic reports whether r may match a public pattern.
func (e *Edge) maybePublic(r *http.Request) bool {
	return e.publicAny || e.publicMethods[r.Method]
}

func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.maybePublic(r) {
		if h, pattern := e.public.Handler(r); pattern != "" {
			h.ServeHTTP(w, r)
			return
		}
	}
	rid := NewRequestID()
	ctx := WithRequestID(r.Context(), rid)
	r = r.WithContext(ctx)
	w.Header().Set("X-Amzn-RequestId", rid)

	sig, err := ParseSigV4(r)
	if err != nil {
		if errors.Is(err, ErrNoSignature) {
			for _, name := range e.order {
				if s := e.services[name]; s.Unsigned != nil && s.Unsigned(r) {
					s.Handler.ServeHTTP(w, r.WithContext(context.WithValue(ctx, unsignedKey, true)))
					return
				}
			}
		}
		svc := e.guess(r)
		if errors.Is(err, ErrNoSignature) {
			WriteError(w, r, svc.Protocol, NewError(http.StatusForbidden, authCode(svc.Protocol, "MissingAuthenticationToken"), "Missing Authentication Token"), e.log)
			return
		}
		WriteError(w, r, svc.Protocol, NewError(http.StatusBadRequest, "IncompleteSignatureException", err.Error()), e.log)
		return
	}
	svc, ok := e.services[sig.Service]
	if !ok {
		svc = e.guess(r)
		WriteError(w, r, svc.Protocol, Errorf(http.StatusBadRequest, "UnknownServiceException", "nubo does not serve the %q API", sig.Service), e.log)
		return
	}
	token := r.Header.Get("X-Amz-Security-Token")
	if sig.Presigned {
		token = r.URL.Query().Get("X-Amz-Security-Token")
	}
	secret, p, err := e.keys.LookupContext(ctx, sig.AccessKeyID, token)
	switch {
	case errors.Is(err, ErrExpiredToken):
		WriteError(w, r, svc.Protocol, NewError(http.StatusForbidden, authCode(svc.Protocol, "ExpiredToken"), "The security token included in the request is expired"), e.log)
		return
	case err != nil:
		if !errors.Is(err, ErrUnknownAccessKey) && !errors.Is(err, ErrBadSessionToken) {
			e.log.Warn("edge: look up access key", "key", sig.AccessKeyID, "err", err)
		}
		WriteError(w, r, svc.Protocol, NewError(http.StatusForbidden, authCode(svc.Protocol, "UnrecognizedClient"), "The security token included in the request is invalid."), e.log)
		return
	}
	if err := sig.VerifyCached(r, secret, e.now(), &e.signing); err != nil {
		msg := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
		if !errors.Is(err, errSignatureMismatch) {
			msg = err.Error()
		}
		WriteError(w, r, svc.Protocol, NewError(http.StatusForbidden, authCode(svc.Protocol, "InvalidSignature"), msg), e.log)
		return
	}
	if !KnownRegion(sig.Region) {
		// AWS's answer to a credential scoped to a region the endpoint
		// does not serve.
		WriteError(w, r, svc.Protocol, Errorf(http.StatusForbidden, authCode(svc.Protocol, "InvalidSignature"), "Credential should be scoped to a valid region, not '%s'.", sig.Region), e.log)
		return
	}
	svc.Handler.ServeHTTP(w, r.WithContext(WithRegion(WithPrincipal(ctx, p), sig.Region)))
}

// guess picks the service an unauthenticated request was meant for.
func (e *Edge) guess(r *http.Request) Service {
	for _, name := range e.order {
		if s := e.services[name]; s.Matches != nil && s.Matches(r) {
			return s
		}
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.Contains(ct, "x-amz-json"):
		return Service{Protocol: JSON}
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"), r.URL.Query().Get("Action") != "":
		// The query protocol (IAM, STS, SQS, SNS, CloudFormation): botocore
		// parses only an XML error from these.
		return Service{Protocol: Query}
	}
	return Service{Protocol: RestJSON}
}

// authCode is an authentication failure's code as the protocol's services
// spell it: the query services (IAM, STS, SNS, SQS's query mode) use
// MissingAuthenticationToken, InvalidClientTokenId, ExpiredToken and
// SignatureDoesNotMatch; the JSON and REST services add "Exception"
// (UnrecognizedClientException, InvalidSignatureException).
func authCode(p Protocol, failure string) string {
	if p == Query {
		switch failure {
		case "UnrecognizedClient":
			return "InvalidClientTokenId"
		case "InvalidSignature":
			return "SignatureDoesNotMatch"
		}
		return failure
	}
	return failure + "Exception"
}

type unsignedCtxKey struct{}

var unsignedKey unsignedCtxKey

// unsignedRequest reports whether the edge served ctx's request with no
// signature (Service.Unsigned).
func unsignedRequest(ctx context.Context) bool {
	v, _ := ctx.Value(unsignedKey).(bool)
	return v
}
