package platform

import (
	"path/filepath"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// providers lists every resource type the stack engine knows, in one call.
func (p *Platform) providers() (*stacks.Registry, error) {
	gw := gateway.NewStackResources(p.Gateway, gateway.ResourceOptions{
		Policies: functionPolicies{p.Policies},
		HTTPAddr: p.http.Addr,
	})
	ps := []stacks.Provider{
		parameters.NewParameterProvider(p.Parameters),
		functions.NewFunctionProvider(p.Functions, functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))),
		functions.NewEventInvokeConfigProvider(p.Functions),
	}
	ps = append(ps, gw.Providers()...)
	return stacks.NewRegistry(ps...)
}
