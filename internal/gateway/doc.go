// Package gateway is nubo's API gateway: the --http-addr listener that turns
// HTTP requests into synchronous function invocations (the push integration).
//
// Configuration is data (model.go): APIs (HTTP or REST) with routes, stages,
// CORS and authorizers; API keys and usage plans; custom domains; function
// URLs. The Gateway keeps it in a JetStream KV bucket (store.go) and serves
// from an immutable, compiled snapshot (snapshot.go) swapped atomically, so a
// deploy never drops in-flight requests.
//
// Start reading at gateway.go (Gateway, Options, Invoker), then handler.go
// (one request from Host/path to response), router.go (route precedence),
// payload.go and response.go (the Lambda event and response shapes of
// aws-lambda-go/events), then the optional stages: cors.go, jwt.go,
// authorizer.go, apikeys.go, stream.go, accesslog.go. REST integrations
// other than Lambda proxy (MOCK, HTTP, HTTP_PROXY, AWS to Lambda) with their
// VTL mapping templates: integration.go (model), integration_serve.go (the
// flow), integration_vars.go ($input, $context, parameter mappings),
// integration_http.go (loopback-only calls), on the template engine of the
// vtl subpackage; static mocks: mock.go.
//
// Stack resources (resource*.go): the AWS::ApiGatewayV2::* and
// AWS::ApiGateway::* providers. The resources of one API are recorded as its
// "parts" and the API is composed from them after each change (resource.go);
// Body documents are read by resource_openapi.go. AWS::Lambda::Url and
// AWS::Lambda::Permission are internal/functions' providers: the platform
// backs their URL store with this package's function URLs.
//
// Addressing: an API answers at Host {apiId}.execute-api.localhost[:port] and
// at /_api/{apiId}/...; a function URL at Host {urlId}.lambda-url.localhost and
// at /_url/{urlId}/...; a custom domain by its Host and base path mapping.
// REST APIs and HTTP API stages other than $default take the stage as the
// first path segment (/_api/{apiId}/Prod/...). URL and FunctionURLAddress
// give the base URLs that stack outputs show.
//
// Wiring: the platform adapts *functions.Service to Invoker, mapping the
// functions context's errors onto ErrThrottled (reserved or server-wide
// concurrency in use), ErrTimeout and ErrFunctionNotFound, and checks the
// function's resource policy (AWS::Lambda::Permission) against Source: the
// principal apigateway.amazonaws.com with the route's execute-api ARN
// (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH; "*" for ANY,
// "$default" for the $default route; authorizers: API/authorizers/ID).
//
// Errors are answered as API Gateway spells them (errorpage.go). Where HTTP
// and REST APIs differ, each gets its own: an unknown route is 404 Not Found
// on HTTP APIs but 403 Missing Authentication Token on REST APIs; an
// integration timeout is 503 Service Unavailable on HTTP APIs, 504 on REST.
//
// State that is not configuration (token buckets, quota counters, the
// Lambda authorizer cache, fetched JWKS) is per node and in memory: it is
// rebuilt empty after a restart.
package gateway
