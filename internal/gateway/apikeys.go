package gateway

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// API keys and usage plans (REST APIs): a route with APIKeyRequired needs an
// enabled key (x-api-key, or the usageIdentifierKey a Lambda authorizer
// returned) that belongs to a usage plan covering the API stage. The plan's
// rate and burst make a token bucket per key; its quota counts requests per
// period. Buckets and quota counters are in memory: after a restart they
// start full, as if the period had just begun.

// checkAPIKey finds the request's key and charges its plan (-1: ok).
func (g *Gateway) checkAPIKey(s *snapshot, apiID, stage string, r *http.Request, auth *authResult) (*APIKey, failure) {
	value := r.Header.Get("X-Api-Key")
	if auth != nil && auth.usageKey != "" {
		value = auth.usageKey
	}
	if value == "" {
		return nil, failInvalidAPIKey
	}
	key := s.keys[value]
	if key == nil || !key.Enabled {
		return nil, failInvalidAPIKey
	}
	var plan *UsagePlan
	for _, p := range s.plans[PlanStage{APIID: apiID, Stage: stage}] {
		if s.keyPlan[key.ID][p.ID] {
			plan = p
			break
		}
	}
	if plan == nil {
		return nil, failInvalidAPIKey
	}
	id := "plan/" + plan.ID + "/" + key.ID
	if (plan.RateLimit > 0 || plan.BurstLimit > 0) && !g.limits.allow(id, plan.RateLimit, plan.BurstLimit) {
		return nil, failThrottled
	}
	if plan.QuotaLimit > 0 && !g.limits.quota(id, plan.QuotaLimit, plan.QuotaPeriod, g.now()) {
		return nil, failQuota
	}
	return key, -1
}

// limiters are token buckets and quota counters by id, rebuilt when their
// configuration changes.
type limiters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	quotas  map[string]*quotaCounter
}

type bucket struct {
	rate  float64
	burst int
	l     *rate.Limiter
}

type quotaCounter struct {
	limit  int
	period string
	start  time.Time
	used   int
}

func newLimiters() *limiters {
	return &limiters{buckets: map[string]*bucket{}, quotas: map[string]*quotaCounter{}}
}

// allow takes a token from the bucket id (rate per second, burst size; a
// zero burst is the rate rounded up, a zero rate refills nothing).
func (ls *limiters) allow(id string, r float64, burst int) bool {
	if burst == 0 {
		burst = max(1, int(r+0.999))
	}
	ls.mu.Lock()
	b := ls.buckets[id]
	if b == nil || b.rate != r || b.burst != burst {
		b = &bucket{rate: r, burst: burst, l: rate.NewLimiter(rate.Limit(r), burst)}
		ls.buckets[id] = b
	}
	ls.mu.Unlock()
	return b.l.Allow()
}

// quota counts one request against limit per period (DAY, WEEK, MONTH in UTC).
func (ls *limiters) quota(id string, limit int, period string, now time.Time) bool {
	start := periodStart(period, now)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	q := ls.quotas[id]
	if q == nil || q.limit != limit || q.period != period || !q.start.Equal(start) {
		q = &quotaCounter{limit: limit, period: period, start: start}
		ls.quotas[id] = q
	}
	if q.used >= q.limit {
		return false
	}
	q.used++
	return true
}

func periodStart(period string, now time.Time) time.Time {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		return day.AddDate(0, 0, -int(day.Weekday()))
	case "MONTH":
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return day
	}
}
