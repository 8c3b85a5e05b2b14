// Package functions runs Lambda-compatible functions: the durable registry of
// functions and their code (registry.go), the instance pool that starts one OS
// process per instance and serves each its own Runtime API on loopback
// (pool.go, instance.go, runtimeapi.go), synchronous and asynchronous
// invocation with retries and destinations (invoke.go, async.go), metrics
// (metrics.go), the Lambda REST-JSON API (api*.go) and the stack resource
// providers (resource*.go: functions, versions, aliases, layers,
// AWS::Lambda::Permission over the policy store of policy.go and
// AWS::Lambda::Url over the URLStore of api_url.go). Instances write their
// lines to the log store of internal/logs (a logs.Writer); the Service tells
// the Logs API which log group each function writes to (loggroups.go). Start
// with types.go: the contracts between those parts.
package functions
