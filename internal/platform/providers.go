package platform

import (
	"context"
	"errors"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/stacks"
)

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
