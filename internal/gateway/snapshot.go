package gateway

import (
	"encoding/json"
	"log/slog"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// snapshot is the compiled, immutable configuration a request is served
// from. A change builds a new one and swaps it in atomically.
type snapshot struct {
	apis    map[string]*compiledAPI
	domains map[string][]*compiledMapping // host -> mappings, longest base path first
	urls    map[string]*FunctionURL
	keys    map[string]*APIKey         // by value
	plans   map[PlanStage][]*UsagePlan // which plans cover an API stage
	keyPlan map[string]map[string]bool // key id -> plan ids
}

type compiledAPI struct {
	api         *API
	stages      map[string]*Stage
	hasDefault  bool // a $default stage: paths without a stage prefix
	router      router
	authorizers map[string]*compiledAuthorizer
	cors        *CORS
	account     awsapi.Account
	ws          *wsRoutes // WebSocket APIs' routing
}

type compiledRoute struct {
	api        *compiledAPI
	route      *Route
	method     string // "" for $default
	path       string // "/pets/{id}", "$default"
	routeKey   string // "GET /pets/{id}", "$default"
	authorizer *compiledAuthorizer
	timeout    int // milliseconds
	validation *compiledValidation
}

type compiledMapping struct {
	basePath string // "" or "v1" or "a/b"
	apiID    string
	stage    string
}

func emptySnapshot() *snapshot {
	return &snapshot{
		apis: map[string]*compiledAPI{}, domains: map[string][]*compiledMapping{}, urls: map[string]*FunctionURL{},
		keys: map[string]*APIKey{}, plans: map[PlanStage][]*UsagePlan{}, keyPlan: map[string]map[string]bool{},
	}
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// compile builds a snapshot. An API that does not compile (it was valid
// when written, so only a newer nubo could have written it) is left out and
// logged.
func compile(c *config, account awsapi.Account, log *slog.Logger) *snapshot {
	s := emptySnapshot()
	for id, a := range c.apis {
		ca, err := compileAPI(a, account)
		if err != nil {
			log.Error("api left out", "api_id", id, "err", err)
			continue
		}
		s.apis[id] = ca
	}
	for host, d := range c.domains {
		var ms []*compiledMapping
		for _, m := range d.Mappings {
			ms = append(ms, &compiledMapping{basePath: strings.Trim(m.BasePath, "/"), apiID: m.APIID, stage: m.Stage})
		}
		sort.Slice(ms, func(i, j int) bool { return len(ms[i].basePath) > len(ms[j].basePath) })
		s.domains[host] = ms
	}
	for id, u := range c.urls {
		s.urls[id] = u
	}
	for _, k := range c.keys {
		s.keys[k.Value] = k
	}
	for _, p := range c.plans {
		for _, st := range p.Stages {
			s.plans[st] = append(s.plans[st], p)
		}
		for _, k := range p.KeyIDs {
			if s.keyPlan[k] == nil {
				s.keyPlan[k] = map[string]bool{}
			}
			s.keyPlan[k][p.ID] = true
		}
	}
	return s
}

func compileAPI(a *API, account awsapi.Account) (*compiledAPI, error) {
	ca := &compiledAPI{api: a, stages: map[string]*Stage{}, authorizers: map[string]*compiledAuthorizer{}, cors: a.CORS, account: account}
	for i := range a.Stages {
		st := &a.Stages[i]
		ca.stages[st.Name] = st
		if st.Name == "$default" {
			ca.hasDefault = true
		}
	}
	for i := range a.Authorizers {
		z, err := compileAuthorizer(&a.Authorizers[i])
		if err != nil {
			return nil, err
		}
		ca.authorizers[z.cfg.ID] = z
	}
	if a.Type == TypeWebSocket {
		return ca, compileWebSocket(ca)
	}
	models, err := compileModels(a.ID, a.Models)
	if err != nil {
		return nil, err
	}
	for i := range a.Routes {
		r := &a.Routes[i]
		method, path, err := parseRouteKey(r.Key)
		if err != nil {
			return nil, err
		}
		cr := &compiledRoute{api: ca, route: r, method: method, path: path, routeKey: method + " " + path, timeout: r.Integration.TimeoutMillis}
		if method == "" {
			cr.routeKey = "$default"
		}
		if cr.timeout == 0 {
			cr.timeout = 30000
			if a.Type == TypeREST {
				cr.timeout = 29000
			}
		}
		if r.AuthorizerID != "" {
			cr.authorizer = ca.authorizers[r.AuthorizerID]
		}
		cr.validation = compileValidation(r.Validation, models)
		if err := ca.router.add(method, path, cr); err != nil {
			return nil, err
		}
	}
	return ca, nil
}
