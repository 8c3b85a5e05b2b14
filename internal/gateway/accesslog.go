package gateway

import (
	"context"
	"log/slog"
	"time"
)

// Access log keys: a contract with whoever reads the lines.
const (
	logKeyAPI                = "api_id"
	logKeyStage              = "stage"
	logKeyRoute              = "route_key"
	logKeyRequestID          = "request_id"
	logKeyMethod             = "method"
	logKeyPath               = "path"
	logKeyStatus             = "status"
	logKeyLatency            = "latency_ms"
	logKeyIntegrationLatency = "integration_latency_ms"
	logKeySourceIP           = "source_ip"
)

// logAccess writes one line for a request on a stage with access logging on.
func (g *Gateway) logAccess(rec *accessRecord, latency time.Duration) {
	g.access.LogAttrs(context.Background(), slog.LevelInfo, "access",
		slog.String(logKeyAPI, rec.apiID),
		slog.String(logKeyStage, rec.stage),
		slog.String(logKeyRoute, rec.routeKey),
		slog.String(logKeyRequestID, rec.requestID),
		slog.String(logKeyMethod, rec.method),
		slog.String(logKeyPath, rec.path),
		slog.Int(logKeyStatus, rec.status),
		slog.Float64(logKeyLatency, float64(latency.Microseconds())/1000),
		slog.Float64(logKeyIntegrationLatency, float64(rec.integrationLatency.Microseconds())/1000),
		slog.String(logKeySourceIP, rec.sourceIP),
	)
}
