package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error answers, spelled as API Gateway spells them. HTTP APIs and REST APIs
// differ in wording (REST: "Internal server error", a space after the colon)
// and REST adds x-amzn-ErrorType.

type flavor int

const (
	flavorHTTP flavor = iota
	flavorREST
	flavorURL
)

type failure int

const (
	failNotFound failure = iota
	failBadGateway
	failInternal
	failTimeout
	failThrottled
	failQuota
	failTooLarge
	failUnauthorized
	failForbidden
	failDenied     // an explicit Deny
	failNotAllowed // a policy without a matching Allow
	failAuthorizerError
	failBadRequest
	failPermission    // the function's resource policy refused the invocation
	failEventTooLarge // the event built from the request is over Lambda's 6 MB invoke limit
	failBadBody       // a request validator refused the body (BAD_REQUEST_BODY)
	failBadParams     // a request validator found required parameters missing (BAD_REQUEST_PARAMETERS)
	failInvalidAPIKey // no usable API key: answered as failForbidden (INVALID_API_KEY)
)

type errorAnswer struct {
	status    int
	body      string // JSON, or plain text when it does not start with '{'
	errorType string
}

func answer(fl flavor, f failure) errorAnswer {
	rest := fl == flavorREST
	switch f {
	case failNotFound:
		if rest {
			return errorAnswer{403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"}
		}
		return errorAnswer{404, `{"message":"Not Found"}`, ""}
	case failBadGateway:
		if rest {
			return errorAnswer{502, `{"message": "Internal server error"}`, "InternalServerErrorException"}
		}
		return errorAnswer{502, `{"message":"Internal Server Error"}`, ""}
	case failPermission:
		if fl == flavorURL {
			return errorAnswer{403, `{"Message":"Forbidden"}`, "AccessDeniedException"}
		}
		fallthrough
	case failInternal, failAuthorizerError:
		if rest {
			return errorAnswer{500, `{"message": "Internal server error"}`, "InternalServerErrorException"}
		}
		return errorAnswer{500, `{"message":"Internal Server Error"}`, ""}
	case failTimeout:
		if fl == flavorHTTP {
			return errorAnswer{503, `{"message":"Service Unavailable"}`, ""}
		}
		return errorAnswer{504, `{"message": "Endpoint request timed out"}`, "IntegrationTimeoutException"}
	case failThrottled:
		if rest {
			return errorAnswer{429, `{"message":"Too Many Requests"}`, "ThrottlingException"}
		}
		return errorAnswer{429, `{"message":"Too Many Requests"}`, ""}
	case failQuota:
		return errorAnswer{429, `{"message":"Limit Exceeded"}`, "LimitExceededException"}
	case failTooLarge:
		// A body over 10 MB: REST APIs' front refuses it in plain text,
		// before any API Gateway request id exists.
		if rest {
			return errorAnswer{413, "HTTP content length exceeded " + strconv.Itoa(MaxAPIBody) + " bytes.", ""}
		}
		return errorAnswer{413, `{"message":"Request Entity Too Large"}`, ""}
	case failEventTooLarge:
		// Lambda refused the invoke (RequestEntityTooLargeException): REST
		// APIs answer 413 "Request Too Long" as a BadRequestException.
		if rest {
			return errorAnswer{413, `{"message": "Request Too Long"}`, "BadRequestException"}
		}
		return errorAnswer{413, `{"message":"Request Entity Too Large"}`, ""}
	case failUnauthorized:
		if rest {
			return errorAnswer{401, `{"message":"Unauthorized"}`, "UnauthorizedException"}
		}
		return errorAnswer{401, `{"message":"Unauthorized"}`, ""}
	case failDenied:
		if rest {
			return errorAnswer{403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException"}
		}
		return errorAnswer{403, `{"message":"Forbidden"}`, ""}
	case failNotAllowed:
		if rest {
			return errorAnswer{403, `{"Message":"User is not authorized to access this resource"}`, "AccessDeniedException"}
		}
		return errorAnswer{403, `{"message":"Forbidden"}`, ""}
	case failBadRequest:
		return errorAnswer{400, `{"message":"Bad Request"}`, "BadRequestException"}
	case failBadBody:
		return errorAnswer{400, `{"message": "Invalid request body"}`, "BadRequestException"}
	case failBadParams: // the message is the validator's (writeValidationFailure)
		return errorAnswer{400, `{"message": "Missing required request parameters"}`, "BadRequestException"}
	default: // failForbidden, failInvalidAPIKey
		if rest {
			return errorAnswer{403, `{"message":"Forbidden"}`, "ForbiddenException"}
		}
		return errorAnswer{403, `{"message":"Forbidden"}`, ""}
	}
}

func writeFailure(w http.ResponseWriter, fl flavor, f failure) int {
	if gw, ok := w.(*gatewayResponder); ok {
		return gw.fail(fl, f, "")
	}
	a := answer(fl, f)
	h := w.Header()
	ct := "application/json"
	if !strings.HasPrefix(a.body, "{") {
		ct = "text/plain; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	if fl == flavorREST && a.errorType != "" {
		h.Set("X-Amzn-Errortype", a.errorType)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
	return a.status
}

// writeNotServed answers a route whose integration nubo does not serve
// (MOCK, HTTP, non-proxy AWS): 501, saying which and why, where AWS would
// have run the integration.
func writeNotServed(w http.ResponseWriter, fl flavor, routeKey, typ string) int {
	msg := fmt.Sprintf("route %s is not served: nubo does not serve %s integrations%s yet (%s)", routeKey, typ, mockDetail(typ), servedKinds)
	body, _ := json.Marshal(map[string]string{"message": msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if fl == flavorREST {
		h.Set("X-Amzn-Errortype", "NotImplementedException")
	}
	w.WriteHeader(http.StatusNotImplemented)
	_, _ = w.Write(body)
	return http.StatusNotImplemented
}
