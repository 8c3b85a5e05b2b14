// Package logs is nubo's CloudWatch Logs context: the log store every
// context writes its lines into (store.go, write.go, read.go), the log
// groups' settings (groups.go), the CloudWatch Logs API (api.go and the
// api_*.go files: events, groups, streams, tags, metric and subscription
// filters, Logs Insights queries), subscription filters' delivery to
// functions through a work queue (subscriptions.go), the small Logs
// Insights language (insights.go) and the AWS::Logs::LogGroup stack
// resource (provider.go).
//
// Writers (functions today; state machines, the event bus and the gateway
// next) write through Writer under a source key of their own (a function's
// name). The API finds which source holds a log group's lines through
// Sources, which the writing contexts implement: this package imports none
// of them.
package logs
