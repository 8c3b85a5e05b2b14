package gateway

import (
	"net/http"
	"strconv"
	"strings"
)

// CORS as HTTP APIs do it: with a configuration, the gateway answers
// preflight requests itself (routes and authorizers are not consulted) and
// adds the CORS headers to every response for an allowed origin, replacing
// any the function set.

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// allowedOrigin returns the Access-Control-Allow-Origin value for origin, or "".
func (c *CORS) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			if c.AllowCredentials {
				return origin
			}
			return "*"
		case strings.EqualFold(o, origin):
			return origin
		case strings.Contains(o, "*"): // "https://*.example.com"
			pre, suf, _ := strings.Cut(strings.ToLower(o), "*")
			lo := strings.ToLower(origin)
			if strings.HasPrefix(lo, pre) && strings.HasSuffix(lo, suf) && len(lo) > len(pre)+len(suf) {
				return origin
			}
		}
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if v == "*" || strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// writePreflight answers an OPTIONS preflight: 204 with the allowed origin,
// methods and headers when the request fits the configuration, 204 without
// CORS headers when it does not (the browser then refuses), as API Gateway does.
func writePreflight(w http.ResponseWriter, c *CORS, r *http.Request) int {
	h := w.Header()
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	method := r.Header.Get("Access-Control-Request-Method")
	ok := origin != "" && (containsFold(c.AllowMethods, method) || len(c.AllowMethods) == 0 && simpleMethod(method))
	reqHeaders := splitList(r.Header.Get("Access-Control-Request-Headers"))
	for _, rh := range reqHeaders {
		if !containsFold(c.AllowHeaders, rh) {
			ok = false
		}
	}
	if ok {
		h.Set("Access-Control-Allow-Origin", origin)
		if len(c.AllowMethods) > 0 {
			if containsFold(c.AllowMethods, "*") {
				h.Set("Access-Control-Allow-Methods", "*")
			} else {
				h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
			}
		}
		if len(c.AllowHeaders) > 0 {
			if containsFold(c.AllowHeaders, "*") && len(reqHeaders) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.Join(reqHeaders, ","))
			} else {
				h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
			}
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if origin != "*" {
			h.Add("Vary", "Origin")
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

func simpleMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// applyCORS sets the CORS response headers for an allowed origin.
func applyCORS(h http.Header, c *CORS, r *http.Request) {
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers"} {
		h.Del(k)
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if origin != "*" {
		h.Add("Vary", "Origin")
	}
}
