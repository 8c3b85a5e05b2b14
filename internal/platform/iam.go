package platform

import (
	"context"
	"log/slog"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
)

// iamModule is identity and access management: the role and policy
// store, the authorizer every module asks after SigV4 (--iam), the IAM,
// STS and nubo IAM (NuboIAM.*) APIs, and the IAM resource types.
type iamModule struct{ api *iam.API }

func (*iamModule) name() string { return "iam" }
func (*iamModule) scope() scope { return global }
func (m *iamModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (m *iamModule) build(p *Platform) error {
	o := p.opts
	var err error
	if p.IAM, err = iam.New(iam.Options{Backbone: p.view("iam"), Account: p.account, Logger: o.Logger.With("part", "iam")}); err != nil {
		return err
	}
	if p.Authz, err = iam.NewAuthorizer(iam.AuthorizerOptions{Store: p.IAM, Mode: o.IAM, Logger: o.Logger.With("part", "iam")}); err != nil {
		return err
	}
	p.Keys.SetKeyResolver(p.IAM.LookupAccessKey) // IAM users' access keys
	m.api, err = iam.NewAPI(iam.APIOptions{Store: p.IAM, Authorizer: p.Authz, Keys: p.Keys, Logger: o.Logger.With("part", "iam-api")})
	return err
}

func (m *iamModule) contribute(p *Platform) (contribution, error) {
	apis, err := apisOf(m.api.IAM, m.api.STS, m.api.Admin)
	return contribution{
		parts: []part{{"iam", p.IAM}, {"iam authorizer", p.Authz}},
		apis:  apis,
		providers: []stacks.Provider{
			iam.NewRoleProvider(p.IAM),
			iam.NewPolicyProvider(p.IAM),
			iam.NewManagedPolicyProvider(p.IAM),
			iam.NewUserProvider(p.IAM),
			iam.NewGroupProvider(p.IAM),
			iam.NewUserToGroupAdditionProvider(p.IAM),
			iam.NewAccessKeyProvider(p.IAM),
			iam.NewInstanceProfileProvider(p.IAM),
			iam.NewOIDCProviderProvider(p.IAM),
			iam.NewServiceLinkedRoleProvider(p.IAM),
		},
	}, err
}

// authorizer is what services authorize requests with: nil under --iam off,
// so they skip the check entirely.
func (p *Platform) authorizer() awsapi.Authorizer {
	if p.Authz == nil || p.opts.IAM == iam.Off {
		return nil
	}
	return p.Authz
}

// roleChecker is what CreateFunction checks execution roles with: none
// under --iam off, which turns every IAM check off; under --iam audit a role
// that does not exist or does not trust Lambda is logged and accepted.
func (p *Platform) roleChecker() functions.RoleChecker {
	switch {
	case p.IAM == nil || p.opts.IAM == iam.Off:
		return nil
	case p.opts.IAM == iam.Audit:
		return auditRoles{p.IAM, p.log.With("part", "iam")}
	}
	return p.IAM
}

type auditRoles struct {
	store *iam.Store
	log   *slog.Logger
}

func (a auditRoles) TrustsService(ctx context.Context, roleARN, service string) (exists, trusted bool, err error) {
	exists, trusted, err = a.store.TrustsService(ctx, roleARN, service)
	switch {
	case err != nil:
		return exists, trusted, err
	case !exists:
		a.log.Warn("iam audit: would refuse the role: it does not exist", "role", roleARN)
	case !trusted:
		a.log.Warn("iam audit: would refuse the role: it does not trust "+service, "role", roleARN)
	}
	return true, true, nil
}
