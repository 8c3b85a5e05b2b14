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
// authorizer.go, apikeys.go, stream.go, accesslog.go.
//
// Addressing: an API answers at Host {apiId}.execute-api.localhost[:port] and
// at /_api/{apiId}/...; a function URL at Host {urlId}.lambda-url.localhost and
// at /_url/{urlId}/...; a custom domain by its Host and base path mapping.
package gateway
