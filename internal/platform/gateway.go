package platform

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/gateway"
	"github.com/nubo-run/nubo/internal/iam"
)

// gatewayModule is API Gateway: the REST and HTTP APIs and function URLs
// served on the HTTP listener, invoking functions through gatewayInvoker,
// and their resource types.
type gatewayModule struct{}

func (gatewayModule) name() string { return "apigateway" }
func (gatewayModule) scope() scope { return regional }
func (m gatewayModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (gatewayModule) build(p *Platform) (err error) {
	o := p.opts
	p.Gateway, err = gateway.New(gateway.Options{
		Backbone:  p.view("apigateway"),
		Invoker:   gatewayInvoker{fns: p.Functions, policies: p.Policies, account: p.account, authz: p.authorizer()},
		Account:   p.account,
		Keys:      p.Keys,
		Logger:    o.Logger.With("part", "gateway"),
		AccessLog: o.Logger.With("part", "access"),
	})
	return err
}

func (gatewayModule) contribute(p *Platform) (contribution, error) {
	gw := gateway.NewStackResources(p.Gateway, gateway.ResourceOptions{HTTPAddr: p.HTTPAddr})
	mgmt, err := p.Gateway.ManagementAPI(gateway.APIOptions{Authorizer: p.authorizer()})
	if err != nil {
		return contribution{}, err
	}
	return contribution{parts: []part{{"gateway", p.Gateway}}, apis: []*awsapi.API{mgmt}, providers: gw.Providers()}, nil
}

// gatewayInvoker adapts the functions service to the gateway's Invoker,
// mapping the functions context's errors onto the gateway's sentinels, and
// enforces the function's resource policy (AWS::Lambda::Permission): a
// route or authorizer invokes as apigateway.amazonaws.com with its
// execute-api source ARN and needs lambda:InvokeFunction for them; a
// function URL with AuthType NONE needs lambda:InvokeFunctionUrl for "*"
// (FunctionUrlAuthType NONE). Signed callers of AWS_IAM URLs hold nubo's
// own credentials, which identity-based policy allows.
//
// The policy store answers the common case (allowed) from its compiled
// policies; what it would deny goes to the IAM authorizer, which decides
// by --iam: nil under off (allowed), allowed and logged under audit, denied
// under enforce with the statement that would allow it in the log.
type gatewayInvoker struct {
	fns      *functions.Service
	policies *functions.PolicyStore
	account  awsapi.Account
	authz    awsapi.Authorizer
}

var _ gateway.Invoker = gatewayInvoker{}

// target resolves the function the gateway names (a name or an ARN, as
// integration URIs carry, qualified by a version or alias when SAM's
// AutoPublishAlias points events at the alias) and checks its policy. It
// returns what to invoke: NAME or NAME:QUALIFIER.
func (g gatewayInvoker) target(ctx context.Context, function string, src gateway.Source) (string, error) {
	name, qualifier, err := functions.ParseFunctionRef(function)
	if err != nil {
		return "", errors.Join(gateway.ErrFunctionNotFound, err)
	}
	if err := g.allowed(ctx, name, src); err != nil {
		return "", err
	}
	if qualifier != "" {
		return name + ":" + qualifier, nil
	}
	return name, nil
}

// allowed checks the function's policy lets src invoke it.
func (g gatewayInvoker) allowed(ctx context.Context, name string, src gateway.Source) error {
	if g.policies == nil {
		return nil
	}
	if src.Role != "" {
		return g.allowedRole(ctx, name, src)
	}
	var principal, action string
	var keys map[string][]string
	switch src.Principal {
	case gateway.PrincipalAPIGateway:
		principal, action = src.Principal, "lambda:InvokeFunction"
		keys = map[string][]string{"aws:SourceArn": {src.SourceARN}, "aws:SourceAccount": {g.account.ID}}
	case gateway.PrincipalURL:
		principal, action = "*", "lambda:InvokeFunctionUrl"
		keys = map[string][]string{"lambda:FunctionUrlAuthType": {gateway.AuthNone}}
	default:
		return nil
	}
	if g.policies.Allows(name, principal, action, keys) || g.authz == nil {
		return nil
	}
	doc, _ := g.policies.Policy(name) // none: nothing allows
	if principal == "*" {
		principal = "anonymous" // matches only Principal "*" statements
	}
	err := g.authz.Authorize(ctx, awsapi.AuthzRequest{Service: "lambda", Action: action, Resource: g.account.FunctionARN(name),
		ServicePrincipal: principal, Context: keys, ResourcePolicy: string(doc)})
	var ae *awsapi.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && !ae.Server:
		return fmt.Errorf("function %q: %w (principal %s, source %s)", name, gateway.ErrAccessDenied, src.Principal, src.SourceARN)
	}
	return err
}

// allowedRole checks an integration's credentials (a role) may invoke the
// function: by the role's policies, or the function's policy naming it.
func (g gatewayInvoker) allowedRole(ctx context.Context, name string, src gateway.Source) error {
	if g.authz == nil {
		return nil
	}
	p := iam.SessionPrincipal(src.Role, "apigateway")
	doc, _ := g.policies.Policy(name)
	err := g.authz.Authorize(ctx, awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction",
		Resource: g.account.FunctionARN(name), Principal: &p, ResourcePolicy: string(doc),
		CalledVia: []string{gateway.PrincipalAPIGateway}})
	var ae *awsapi.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && !ae.Server:
		return fmt.Errorf("function %q: %w (integration credentials %s)", name, gateway.ErrAccessDenied, src.Role)
	}
	return err
}

func (g gatewayInvoker) Invoke(ctx context.Context, function string, payload []byte, src gateway.Source) ([]byte, string, error) {
	name, err := g.target(ctx, function, src)
	if err != nil {
		return nil, "", err
	}
	res, err := g.fns.Invoke(ctx, name, &functions.Request{Payload: payload})
	if err != nil {
		return nil, "", gatewayError(err)
	}
	if res.TimedOut {
		return res.Payload, res.FunctionError, gateway.ErrTimeout
	}
	return res.Payload, res.FunctionError, nil
}

func (g gatewayInvoker) InvokeStream(ctx context.Context, function string, payload []byte, w io.Writer, src gateway.Source) (string, error) {
	name, err := g.target(ctx, function, src)
	if err != nil {
		return "", err
	}
	res, err := g.fns.Invoke(ctx, name, &functions.Request{Payload: payload, Stream: w})
	if err != nil {
		return "", gatewayError(err)
	}
	if res.TimedOut {
		return res.FunctionError, gateway.ErrTimeout
	}
	if res.FunctionError == "" && len(res.Payload) > 0 {
		// A function that did not stream answered in one piece.
		_, err = w.Write(res.Payload)
	}
	return res.FunctionError, err
}

func gatewayError(err error) error {
	switch {
	case errors.Is(err, functions.ErrReservedConcurrency), errors.Is(err, functions.ErrConcurrencyLimit):
		return errors.Join(gateway.ErrThrottled, err)
	case errors.Is(err, functions.ErrFunctionNotFound):
		return errors.Join(gateway.ErrFunctionNotFound, err)
	}
	return err
}
