package events

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

// maxPutEventsSize is PutEvents' limit on the total size of its entries.
const maxPutEventsSize = 256 * 1024

type (
	putEventsEntry struct {
		Time         *float64
		Source       *string
		Resources    []string
		DetailType   *string
		Detail       *string
		EventBusName string
		TraceHeader  string
	}
	putEventsIn struct {
		Entries    []putEventsEntry
		EndpointId string
	}
	putEventsResult struct {
		EventId      string `json:"EventId,omitempty"`
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorMessage string `json:"ErrorMessage,omitempty"`
	}
	putEventsOut struct {
		FailedEntryCount int               `json:"FailedEntryCount"`
		Entries          []putEventsResult `json:"Entries"`
	}
	testPatternIn struct {
		EventPattern string
		Event        string
	}
	testPatternOut struct {
		Result bool `json:"Result"`
	}
)

// entrySize is an entry's size as EventBridge counts it.
func entrySize(e *putEventsEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func checkEntries(entries []putEventsEntry) error {
	if len(entries) == 0 || len(entries) > 10 {
		return awsapi.ValidationError("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	total := 0
	for i := range entries {
		total += entrySize(&entries[i])
	}
	if total > maxPutEventsSize {
		return awsapi.ValidationError("Total size of the entries in the request is over the limit.")
	}
	return nil
}

// putEventsTargets authorizes events:PutEvents on each bus the entries
// name, with the bus's resource policy (PutPermission).
func (s *Service) putEventsTargets(c *awsapi.Call, in *putEventsIn) ([]awsapi.Target, error) {
	if err := checkEntries(in.Entries); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []awsapi.Target
	for _, e := range in.Entries {
		bus := busName(e.EventBusName)
		if seen[bus] {
			continue
		}
		seen[bus] = true
		t := awsapi.Target{Resource: s.BusARN(bus)}
		if b, _, err := s.GetBus(c.Context(), bus); err == nil {
			t.ResourcePolicy, t.ResourceTags = b.Policy, b.Tags
		}
		out = append(out, t)
	}
	return out, nil
}

// entryError checks one entry as EventBridge does, answering its error
// code and message.
func entryError(e *putEventsEntry) (code, msg string) {
	switch {
	case e.Source == nil || *e.Source == "":
		return "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == nil || *e.DetailType == "":
		return "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == nil || *e.Detail == "":
		return "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case strings.HasPrefix(*e.Source, "aws."):
		return "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	var obj map[string]any
	if json.Unmarshal([]byte(*e.Detail), &obj) != nil || obj == nil {
		return "MalformedDetail", "Detail is malformed."
	}
	return "", ""
}

func (s *Service) putEvents(c *awsapi.Call, in *putEventsIn) (putEventsOut, error) {
	if err := checkEntries(in.Entries); err != nil {
		return putEventsOut{}, err
	}
	out := putEventsOut{Entries: make([]putEventsResult, len(in.Entries))}
	for i := range in.Entries {
		e := &in.Entries[i]
		if code, msg := entryError(e); code != "" {
			out.Entries[i] = putEventsResult{ErrorCode: code, ErrorMessage: msg}
			out.FailedEntryCount++
			continue
		}
		t := s.opts.Now()
		if e.Time != nil {
			sec := *e.Time
			t = time.Unix(0, int64(sec*1e9))
		}
		env := Envelope{Version: "0", ID: awsapi.NewRequestID(), DetailType: *e.DetailType, Source: *e.Source,
			Account: s.opts.Account.ID, Time: t.UTC().Format("2006-01-02T15:04:05Z"), Region: s.opts.Account.Region,
			Resources: nonNil(e.Resources), Detail: compact(*e.Detail)}
		if err := s.Publish(ctxOf(c), busName(e.EventBusName), env); err != nil {
			code := "InternalFailure"
			if awsErr := wireError(err); awsapi.AsError(awsErr).Code == "ResourceNotFoundException" {
				code = "ResourceNotFoundException"
			}
			out.Entries[i] = putEventsResult{ErrorCode: code, ErrorMessage: awsapi.AsError(wireError(err)).Message}
			out.FailedEntryCount++
			continue
		}
		out.Entries[i] = putEventsResult{EventId: env.ID}
	}
	return out, nil
}

func compact(s string) rawJSON {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return rawJSON(s)
	}
	return rawJSON(b.Bytes())
}

// Publish puts an event on a bus: it is stored on the ingest queue, from
// which any node matches and delivers it.
func (s *Service) Publish(ctx context.Context, bus string, env Envelope) error {
	if _, _, err := s.GetBus(ctx, bus); err != nil {
		return err
	}
	return s.enqueue(ctx, bus, env)
}

// requiredEventFields are the envelope fields TestEventPattern requires.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

func (s *Service) testEventPattern(c *awsapi.Call, in *testPatternIn) (testPatternOut, error) {
	if in.EventPattern == "" {
		return testPatternOut{}, awsapi.ValidationError("1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null")
	}
	set, err := eventpattern.Compile([]eventpattern.Pattern{{ID: "p", JSON: in.EventPattern}})
	if err != nil {
		return testPatternOut{}, err
	}
	ev, err := eventpattern.ParseEvent([]byte(in.Event))
	if err != nil {
		return testPatternOut{}, awsapi.ValidationError("Parameter Event is not valid.")
	}
	var obj map[string]any
	_ = json.Unmarshal([]byte(in.Event), &obj)
	for _, f := range requiredEventFields {
		if _, ok := obj[f]; !ok {
			return testPatternOut{}, awsapi.ValidationError("Parameter Event is not valid. Reason: the event has no %q field.", f)
		}
	}
	return testPatternOut{Result: len(set.MatchEvent(ev)) == 1}, nil
}

// PutEvent puts one event on the bus a name or ARN names, as PutEvents
// does for an entry (the platform uses it for Lambda's async-invoke
// destinations), and answers its id.
func (s *Service) PutEvent(ctx context.Context, bus, source, detailType string, detail []byte, resources []string) (string, error) {
	env := Envelope{Version: "0", ID: awsapi.NewRequestID(), DetailType: detailType, Source: source,
		Account: s.opts.Account.ID, Time: s.opts.Now().UTC().Format("2006-01-02T15:04:05Z"), Region: s.opts.Account.Region,
		Resources: nonNil(resources), Detail: compact(string(detail))}
	if err := s.Publish(ctx, busName(bus), env); err != nil {
		return "", err
	}
	return env.ID, nil
}
