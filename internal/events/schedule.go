package events

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// scheduleState is when a scheduled rule last fired: the one record every
// node agrees on, so each firing happens once across a cluster.
type scheduleState struct {
	LastFired time.Time `json:"last_fired"`
}

func scheduleKey(rule string) string { return "sched." + hex.EncodeToString([]byte(rule)) }

// fireSchedules fires every enabled scheduled rule of the default bus that
// is due by now. Each node calls it every tick; for each due firing the
// nodes race on the rule's scheduleState and the one that advances it
// puts the event (its ingest message id is the rule and the due time, so
// a crash between the two repeats nothing within the dedup window).
// Firings missed while no node ran are not made up one by one: a rule
// fires once, for the latest time it was due.
func (s *Service) fireSchedules(ctx context.Context) error {
	b, _, err := s.GetBus(ctx, DefaultBus)
	if err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	for _, r := range sortedRules(b) {
		if r.ScheduleExpression == "" || r.State != StateEnabled {
			continue
		}
		sch, err := parseSchedule(r.ScheduleExpression)
		if err != nil {
			continue
		}
		if rs, ok := sch.(*rateSchedule); ok {
			rs.origin = r.Created
		}
		st, _, err := s.schedules.Get(ctx, scheduleKey(r.Name))
		last := r.Created
		if err == nil && st.LastFired.After(last) {
			last = st.LastFired
		}
		due, ok := sch.next(last)
		if !ok || due.After(now) {
			continue
		}
		for i := 0; i < 100000; i++ { // the latest due time, not each missed one
			n, ok := sch.next(due)
			if !ok || n.After(now) {
				break
			}
			due = n
		}
		if err := s.fire(ctx, r, due); err != nil {
			s.log.Warn("scheduled rule not fired", "rule", r.Name, "due", due, "err", err)
		}
	}
	return nil
}

// fire puts a rule's Scheduled Event for due, once: the ingest message id
// is the rule and the due time, so nodes that fire it together store one
// message; then the rule's state moves to due.
func (s *Service) fire(ctx context.Context, r *Rule, due time.Time) error {
	ruleARN := s.RuleARN(DefaultBus, r.Name)
	env := Envelope{Version: "0", ID: awsapi.NewRequestID(), DetailType: "Scheduled Event", Source: "aws.events",
		Account: s.opts.Account.ID, Time: due.Format("2006-01-02T15:04:05Z"), Region: s.opts.Account.Region,
		Resources: []string{ruleARN}, Detail: rawJSON("{}")}
	ev, err := json.Marshal(env)
	if err != nil {
		return err
	}
	data, err := json.Marshal(ingestMsg{Bus: DefaultBus, Fire: r.Name, Event: ev, Ingested: s.opts.Now().UTC()})
	if err != nil {
		return err
	}
	id := "sched/" + r.Name + "/" + strconv.FormatInt(due.Unix(), 10)
	if err := s.ingest.Publish(ctx, backbone.Message{Subject: ingestSubject, Data: data, ID: id}); err != nil {
		return fmt.Errorf("events: firing %s: %w", r.Name, err)
	}
	_, err = s.schedules.Modify(ctx, scheduleKey(r.Name), func(cur *scheduleState, exists bool) (*scheduleState, error) {
		if exists && !cur.LastFired.Before(due) {
			return cur, nil
		}
		return &scheduleState{LastFired: due}, nil
	})
	return err
}

// runSchedules fires due rules every tick until ctx ends.
func (s *Service) runSchedules(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.fireSchedules(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("scheduled rules", "err", err)
			}
		}
	}
}
