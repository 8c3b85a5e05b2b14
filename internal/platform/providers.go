package platform

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/logs"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// providers lists every resource type the stack engine knows, in one call.
func (p *Platform) providers() (*stacks.Registry, error) {
	gw := gateway.NewStackResources(p.Gateway, gateway.ResourceOptions{HTTPAddr: p.http.Addr})
	account := awsapi.Account{Region: p.opts.Region, ID: p.opts.AccountID}
	pkg := functions.NewPackager(filepath.Join(p.opts.DataDir, "functions", "packages"))
	progress := p.opts.BuildProgress
	if progress == nil {
		progress = func(msg string) { p.log.Info(msg) }
	}
	pkg.SetProgress(progress)
	ps := []stacks.Provider{
		parameters.NewParameterProvider(p.Parameters),
		functionWithPolicy{functions.NewFunctionProvider(p.Functions, pkg), p.Policies, p.authorizer()},
		functions.NewEventInvokeConfigProvider(p.Functions),
		functions.NewVersionProvider(p.Functions),
		functions.NewAliasProvider(p.Functions),
		functions.NewLayerVersionProvider(p.Functions, pkg),
		functions.NewLayerVersionPermissionProvider(p.Functions),
		functions.NewPermissionProvider(p.Policies),
		functions.NewURLProvider(functionURLs{g: p.Gateway, addr: p.HTTPAddr}, account),
		iam.NewRoleProvider(p.IAM),
		iam.NewPolicyProvider(p.IAM),
		iam.NewManagedPolicyProvider(p.IAM),
		logs.NewGroupProvider(p.Logs, account),
	}
	ps = append(ps, gw.Providers()...)
	return stacks.NewRegistry(ps...)
}

// functionWithPolicy is AWS::Lambda::Function whose delete also deletes the
// function's resource policy, as Lambda's DeleteFunction does. The embedded
// provider keeps its optional extensions (Packager, Identifier).
//
// Its Create and Update pass the function's Role, so the deploying caller
// needs iam:PassRole on it, as CloudFormation asks Lambda with the caller's
// permissions (aws:CalledVia cloudformation.amazonaws.com).
type functionWithPolicy struct {
	*functions.FunctionProvider
	policies *functions.PolicyStore
	authz    awsapi.Authorizer // nil under --iam off
}

var (
	_ stacks.Provider   = functionWithPolicy{}
	_ stacks.Packager   = functionWithPolicy{}
	_ stacks.Identifier = functionWithPolicy{}
)

func (f functionWithPolicy) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	if err := passRole(ctx, f.authz, props, "lambda.amazonaws.com"); err != nil {
		return "", nil, err
	}
	return f.FunctionProvider.Create(ctx, props)
}

func (f functionWithPolicy) Update(ctx context.Context, name string, old, new stacks.Props) (stacks.Attrs, error) {
	if err := passRole(ctx, f.authz, new, "lambda.amazonaws.com"); err != nil {
		return nil, err
	}
	return f.FunctionProvider.Update(ctx, name, old, new)
}

// passRole authorizes iam:PassRole on a resource's Role for the principal
// deploying the stack (none: the server deploys for itself, as nubo up does
// in process).
func passRole(ctx context.Context, az awsapi.Authorizer, props stacks.Props, service string) error {
	role := stacks.PropString(props["Role"])
	if az == nil || role == "" {
		return nil
	}
	p, ok := awsapi.PrincipalFrom(ctx)
	if !ok {
		return nil
	}
	return az.Authorize(ctx, awsapi.AuthzRequest{Service: "iam", Action: "iam:PassRole", Resource: role, Principal: &p,
		Context: map[string][]string{"iam:PassedToService": {service}}, CalledVia: []string{"cloudformation.amazonaws.com"}})
}

func (f functionWithPolicy) Delete(ctx context.Context, physicalID string) error {
	err := f.FunctionProvider.Delete(ctx, physicalID)
	if err == nil || errors.Is(err, stacks.ErrNotFound) {
		return errors.Join(err, f.policies.Forget(ctx, physicalID))
	}
	return err
}
