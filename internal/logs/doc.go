// Package logs is nubo's CloudWatch Logs context: the log store every
// context writes its lines into (store.go, write.go, read.go), the log
// groups' settings (groups.go), the CloudWatch Logs API subset that reads
// them back (api.go, api_events.go, api_groups.go) and the
// AWS::Logs::LogGroup stack resource (provider.go).
//
// Writers (functions today; state machines, the event bus and the gateway
// next) write through Writer under a source key of their own (a function's
// name). The API finds which source holds a log group's lines through
// Sources, which the writing contexts implement: this package imports none
// of them.
package logs
