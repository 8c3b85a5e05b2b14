package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Reset: POST /_nubo/reset on the edge (signing name "nubo-admin"), `nubo
// reset [service...]`. It drops every state of the services named (all
// when none is) in every region, without a restart: every context is
// closed (running function instances stop, caches go), the services'
// buckets, object stores and streams are deleted (each module's reset
// hook), and every context is built and started again, restoring what the
// modules make at first start (IAM's service-linked defaults, the default
// region's log groups as functions create them).

// ResetServiceName is the reset API's SigV4 signing name.
const ResetServiceName = "nubo-admin"

// ResetPath is the reset API's path.
const ResetPath = "/_nubo/reset"

// ResetRequest names the services to reset; none means all.
type ResetRequest struct {
	Services []string `json:"services"`
}

// ResetResult is what a reset dropped.
type ResetResult struct {
	Services []string `json:"services"`
	Regions  []string `json:"regions"`
}

// Services are the names Reset takes: one per module.
func Services() []string {
	var out []string
	for _, m := range modules() {
		out = append(out, m.name())
	}
	return out
}

// Reset drops the state of services (all when none) in every region and
// starts every context again.
func (p *Platform) Reset(ctx context.Context, services []string) (ResetResult, error) {
	all := Services()
	for _, s := range services {
		if !slices.Contains(all, s) {
			return ResetResult{}, fmt.Errorf("%w: %q (services: %s)", errUnknownService, s, strings.Join(all, ", "))
		}
	}
	if len(services) == 0 {
		services = all
	}
	c := p.ctxs
	c.build.Lock()
	defer c.build.Unlock()
	if c.runCtx == nil {
		return ResetResult{}, errors.New("reset: nubo is not started")
	}
	regions, err := c.known(ctx)
	if err != nil {
		return ResetResult{}, err
	}
	c.mu.Lock()
	var built []string
	for r := range c.regions {
		built = append(built, r)
	}
	c.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, min(p.opts.ShutdownTimeout, resetCloseTimeout))
	defer cancel()
	if err := c.closeAll(cctx); err != nil {
		p.log.Warn("reset: closing", "err", err) // what could not close is gone anyway
	}
	var errs []error
	for _, m := range modules() {
		if !slices.Contains(services, m.name()) {
			continue
		}
		if m.scope() == global {
			errs = append(errs, m.reset(ctx, p, backbone.GlobalRegion))
			continue
		}
		for _, r := range regions {
			errs = append(errs, m.reset(ctx, p, r))
		}
	}
	if err := errors.Join(errs...); err != nil {
		p.log.Error("reset: dropping state", "err", err)
	}
	if err := c.startAgain(built); err != nil {
		return ResetResult{}, fmt.Errorf("reset: %w", err)
	}
	// The other nodes build their contexts again over the emptied state.
	if err := p.Backbone.Conn().Publish(resetSubject, []byte(c.node)); err != nil {
		errs = append(errs, fmt.Errorf("reset: tell the other nodes: %w", err))
	}
	slices.Sort(services)
	return ResetResult{Services: services, Regions: regions}, errors.Join(errs...)
}

// resetSubject carries, after a reset, the id of the node that made it:
// every other node closes its contexts and builds them again.
const resetSubject = "nubo.admin.reset"

// startAgain builds and starts the global modules, then the default
// region and the regions of built; c.build is held, every context closed.
func (c *contexts) startAgain(built []string) error {
	if _, err := c.buildGlobal(); err != nil {
		return err
	}
	if err := c.startGlobal(c.runCtx); err != nil {
		return err
	}
	def := c.root.opts.Region
	built = slices.DeleteFunc(slices.Sorted(slices.Values(built)), func(r string) bool { return r == def })
	for _, r := range append([]string{def}, built...) {
		if _, err := c.startRegion(c.runCtx, r); err != nil {
			return err
		}
	}
	return nil
}

// rebuild closes and builds again every context of this node: another
// node reset state under them.
func (c *contexts) rebuild() {
	c.build.Lock()
	defer c.build.Unlock()
	if c.runCtx == nil {
		return
	}
	c.mu.Lock()
	var built []string
	for r := range c.regions {
		built = append(built, r)
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.runCtx, min(c.root.opts.ShutdownTimeout, resetCloseTimeout))
	defer cancel()
	if err := c.closeAll(ctx); err != nil {
		c.root.log.Warn("reset by another node: closing", "err", err)
	}
	if err := c.startAgain(built); err != nil {
		c.root.log.Error("reset by another node: starting again", "err", err)
		return
	}
	c.root.log.Info("reset by another node: contexts built again")
}

var errUnknownService = errors.New("unknown service")

// resetCloseTimeout bounds how long a reset waits for in-flight work (an
// invocation whose function calls nubo waits for the reset to end).
const resetCloseTimeout = 5 * time.Second

// resetService is the reset API on the edge: authorized as nubo:Reset,
// which only an administrator (nubo's own credentials, or a role allowed
// "*" or "nubo:*") holds.
func (p *Platform) resetService() awsapi.Service {
	api := awsapi.MustAPI(awsapi.Spec{
		Service:      ResetServiceName,
		Protocol:     awsapi.RestJSON,
		AuthzService: "nubo",
		Authorizer:   currentAuthorizer{p},
		Logger:       p.log.With("part", "reset"),
		MapError: func(err error) error {
			if errors.Is(err, errUnknownService) {
				return awsapi.ValidationError("%s", err.Error())
			}
			return err
		},
		Ops: []awsapi.Declared{
			awsapi.Op[ResetRequest, ResetResult]{Name: "Reset", Action: "nubo:Reset", HTTP: "POST " + ResetPath,
				Handler: func(c *awsapi.Call, in *ResetRequest) (ResetResult, error) {
					return p.Reset(context.WithoutCancel(c.Context()), in.Services)
				}},
		},
	})
	return api.Service()
}

// currentAuthorizer asks the authorizer of the moment (Reset replaces it).
type currentAuthorizer struct{ p *Platform }

func (a currentAuthorizer) Authorize(ctx context.Context, req awsapi.AuthzRequest) error {
	a.p.ctxs.mu.Lock()
	authz := a.p.ctxs.authz
	a.p.ctxs.mu.Unlock()
	if authz == nil {
		return nil
	}
	return authz.Authorize(ctx, req)
}

var _ http.Handler = gatewayRouter{}
