package gateway

import "github.com/nubo-run/nubo/internal/stacks"

// Compile-time checks: every provider of StackResources satisfies the
// engine's interface, and the optional extensions it means to implement.
var (
	_ stacks.Provider = (*v2APIProvider)(nil)
	_ stacks.Provider = (*v2RouteProvider)(nil)
	_ stacks.Provider = (*v2IntegrationProvider)(nil)
	_ stacks.Provider = (*v2StageProvider)(nil)
	_ stacks.Provider = (*v2AuthorizerProvider)(nil)
	_ stacks.Provider = (*v2MappingProvider)(nil)
	_ stacks.Provider = (*domainProvider)(nil)
	_ stacks.Provider = (*restAPIProvider)(nil)
	_ stacks.Provider = (*restResourceProvider)(nil)
	_ stacks.Provider = (*restMethodProvider)(nil)
	_ stacks.Provider = (*restDeploymentProvider)(nil)
	_ stacks.Provider = (*restStageProvider)(nil)
	_ stacks.Provider = (*restAuthorizerProvider)(nil)
	_ stacks.Provider = (*apiKeyProvider)(nil)
	_ stacks.Provider = (*usagePlanProvider)(nil)
	_ stacks.Provider = (*usagePlanKeyProvider)(nil)
	_ stacks.Provider = (*basePathMappingProvider)(nil)

	_ stacks.Identifier = (*v2APIProvider)(nil)
	_ stacks.Identifier = (*restAPIProvider)(nil)
	_ stacks.Identifier = (*domainProvider)(nil)
	_ stacks.Warner     = (*v2APIProvider)(nil)
	_ stacks.Warner     = (*v2IntegrationProvider)(nil)
	_ stacks.Warner     = (*restAPIProvider)(nil)
	_ stacks.Warner     = (*restMethodProvider)(nil)
)
