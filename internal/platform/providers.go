package platform

import (
	"path/filepath"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// providers lists every resource type the stack engine knows, in one call.
func (p *Platform) providers() (*stacks.Registry, error) {
	return stacks.NewRegistry(
		parameters.NewParameterProvider(p.Parameters),
		functions.NewFunctionProvider(p.Functions, functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))),
		functions.NewEventInvokeConfigProvider(p.Functions),
	)
}
