package platform

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// providers lists every resource type the stack engine knows, in one call.
func (p *Platform) providers() (*stacks.Registry, error) {
	gw := gateway.NewStackResources(p.Gateway, gateway.ResourceOptions{
		Policies: functionPolicies{p.Policies},
		HTTPAddr: p.http.Addr,
	})
	pkg := functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))
	progress := p.opts.BuildProgress
	if progress == nil {
		progress = func(msg string) { p.log.Info(msg) }
	}
	pkg.SetProgress(progress)
	ps := []stacks.Provider{
		parameters.NewParameterProvider(p.Parameters),
		functionWithPolicy{functions.NewFunctionProvider(p.Functions, pkg), p.Policies},
		functions.NewEventInvokeConfigProvider(p.Functions),
		functions.NewVersionProvider(p.Functions),
		functions.NewAliasProvider(p.Functions),
		functions.NewLayerVersionProvider(p.Functions, functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))),
		functions.NewLayerVersionPermissionProvider(p.Functions),
		iam.NewRoleProvider(p.IAM),
		iam.NewPolicyProvider(p.IAM),
		iam.NewManagedPolicyProvider(p.IAM),
		functions.NewLogGroupProvider(p.FnLogs, awsapi.Account{Region: p.opts.Region, ID: p.opts.AccountID}),
	}
	ps = append(ps, gw.Providers()...)
	return stacks.NewRegistry(ps...)
}

// functionWithPolicy is AWS::Lambda::Function whose delete also deletes the
// function's resource policy, as Lambda's DeleteFunction does. The embedded
// provider keeps its optional extensions (Packager, Identifier).
type functionWithPolicy struct {
	*functions.FunctionProvider
	policies *functions.PolicyStore
}

func (f functionWithPolicy) Delete(ctx context.Context, physicalID string) error {
	err := f.FunctionProvider.Delete(ctx, physicalID)
	if err == nil || errors.Is(err, stacks.ErrNotFound) {
		return errors.Join(err, f.policies.Forget(ctx, physicalID))
	}
	return err
}
