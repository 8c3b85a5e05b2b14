// Package iam is nubo's identity and access management: roles and managed
// policies durable in JetStream (store.go, roles.go, policies.go), every AWS
// managed policy (managed.go over the generated data of the awsmanaged
// subpackage; SAM's policy templates are internal/stacks/sam's), the
// Authorizer every service calls after SigV4
// (authorizer.go) with a record of the permissions each role used
// (usage.go), the operation tables of the IAM and STS query APIs
// (api_iam.go with api_iam_roles.go and api_iam_policies.go, api_sts.go,
// api_simulate.go) and of nubo's own UsageReport operation behind `nubo iam
// report` (api_report.go) and the stack providers AWS::IAM::Role,
// AWS::IAM::Policy and AWS::IAM::ManagedPolicy (resource.go). The policy
// language, IAM's policy grammar (grammar.go) and AWS's evaluation logic are
// in the policy subpackage.
//
// IAM users, groups and their access keys (users.go, groups.go,
// accesskeys.go; api_iam_users.go, api_iam_groups.go) authorize a user's
// requests as roles do a session's (authz_users.go): the platform makes the
// Keyring resolve users' long-term keys with Store.LookupAccessKey, from the
// bucket on every node. Policy versions and tags, instance profiles, OpenID
// Connect and SAML providers, virtual MFA devices, service-linked roles and
// GetAccountAuthorizationDetails each have their api_iam_*.go file; STS's
// operations for users' keys are api_sts_users.go, and
// AssumeRoleWithWebIdentity (a JWT checked against the provider's JWKS: jwt.go,
// oidcverify.go) api_sts_webidentity.go, AssumeRoleWithSAML (the response's
// XML signature checked with goxmldsig against the provider's metadata
// certificates: saml.go) api_sts_saml.go. The account's alias, password
// policy, summary and credential report are account.go and
// api_iam_account.go; the stack providers are resource*.go.
//
// # Wiring (internal/platform)
//
//	store, _ := iam.New(iam.Options{Backbone: bb, Account: account, Logger: log})
//	authz, _ := iam.NewAuthorizer(iam.AuthorizerOptions{Store: store, Mode: mode}) // --iam enforce|audit|off
//	api, _ := iam.NewAPI(iam.APIOptions{Store: store, Authorizer: authz, Keys: keys})
//	keys.SetKeyResolver(store.LookupAccessKey) // IAM users' access keys
//	parts: store, then authz (both Start/Close), before the edge listener
//	operation tables (*awsapi.API, served as their Service()):
//	          api.IAM()   // query protocol, signing name "iam"
//	          api.STS()   // query protocol, signing name "sts"
//	          api.Admin() // JSON, signing name "nubo-iam": NuboIAM.UsageReport
//	providers: NewRoleProvider(store), NewPolicyProvider(store), NewManagedPolicyProvider(store)
//
// # The seam services call
//
// Operations served on the edge are authorized by their operation table
// (internal/awsapi): each declares its IAM action and the resources it acts
// on, and the protocol front-end asks the authorizer before the handler
// runs. Work that is not an operation of an API (a stack deploy passing a
// role, the gateway invoking a function) asks directly:
//
//	err := awsapi.Authorize(ctx, s.authz, awsapi.AuthzRequest{
//		Service:        "lambda",                 // picks the AccessDenied code
//		Action:         "lambda:InvokeFunction",  // AWS's action name
//		Resource:       fn.ARN,                   // "" or "*" if none
//		ResourcePolicy: fn.PolicyJSON,            // resource-based policy, if any
//		Context:        map[string][]string{...}, // service condition keys
//	})
//
// An AWS service acting on its own (the gateway invoking a function for a
// route, an async destination) sets ServicePrincipal
// ("apigateway.amazonaws.com") and Context["aws:SourceArn"] /
// Context["aws:SourceAccount"]; only the resource-based policy can allow it.
//
// A request with no principal in ctx and neither Principal nor
// ServicePrincipal set is anonymous and denied: internal calls name who they
// act for. Passing a role to a service (CreateFunction's Role) is the action
// "iam:PassRole" on the role's ARN with Context
// {"iam:PassedToService": {"lambda.amazonaws.com"}}.
//
// Functions run with credentials from keys.Issue(iam.SessionPrincipal(role,
// functionName), ttl); CreateFunction checks its role with
// store.TrustsService(ctx, role, "lambda.amazonaws.com").
package iam
