package platform

import (
	"path/filepath"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// providers lists every resource type the stack engine knows, in one call.
func (p *Platform) providers() (*stacks.Registry, error) {
	return stacks.NewRegistry(
		parameters.NewParameterProvider(p.Parameters),
		functions.NewFunctionProvider(p.Functions, functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))),
		functions.NewEventInvokeConfigProvider(p.Functions),
		iam.NewRoleProvider(p.IAM),
		iam.NewPolicyProvider(p.IAM),
		iam.NewManagedPolicyProvider(p.IAM),
		functions.NewLogGroupProvider(p.FnLogs, awsapi.Account{Region: p.opts.Region, ID: p.opts.AccountID}),
	)
}
