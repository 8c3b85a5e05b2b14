package logs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               int      `json:"limit"`
}

// group is the log group the request names, by name or identifier.
func (in *filterLogEventsInput) group() string {
	if in.LogGroupName != "" {
		return in.LogGroupName
	}
	return in.LogGroupIdentifier
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

type filterLogEventsOutput struct {
	Events             []filteredLogEvent  `json:"events"`
	SearchedLogStreams []searchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// Page tokens are "<prefix><Event.Seq of the last event returned>":
// sequence numbers in the store, not offsets, so a page resumes after the
// same line however many were written since. FilterLogEvents' prefix is
// "s/", GetLogEvents' "f/" (forward) and "b/" (backward).
func parseToken(tok, prefix string) (uint64, error) {
	s, ok := strings.CutPrefix(tok, prefix)
	if !ok {
		return 0, awsapi.InvalidParameter("The specified nextToken is invalid.")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, awsapi.InvalidParameter("The specified nextToken is invalid.")
	}
	return n, nil
}

const maxLogEventsPage = 10000

func (a *api) filterLogEvents(c *awsapi.Call, in *filterLogEventsInput) (filterLogEventsOutput, error) {
	src, err := a.source(c, in.group())
	if err != nil {
		return filterLogEventsOutput{}, err
	}
	if err := checkLimit(in.Limit, maxLogEventsPage); err != nil {
		return filterLogEventsOutput{}, err
	}
	if err := checkFilterPattern(in.FilterPattern); err != nil {
		return filterLogEventsOutput{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = maxLogEventsPage
	}
	q := Query{Since: fromMillis(in.StartTime), Until: fromMillis(in.EndTime)}
	if !strings.HasPrefix(src.Key, userSourcePrefix) {
		// A function's group: with the streams PutLogEvents wrote to it.
		if own, err := a.store.Streams(c.Context(), src.Group); err != nil {
			return filterLogEventsOutput{}, err
		} else if len(own) > 0 {
			q.Also = []string{UserSource(src.Group)}
		}
	}
	if in.NextToken != "" {
		if q.AfterSeq, err = parseToken(in.NextToken, "s/"); err != nil {
			return filterLogEventsOutput{}, err
		}
	}
	streams := map[string]bool{}
	for _, s := range in.LogStreamNames {
		streams[s] = true
	}
	out := filterLogEventsOutput{Events: []filteredLogEvent{}, SearchedLogStreams: []searchedLogStream{}}
	seen := map[string]bool{}
	var lastSeq uint64
	more := false
	err = a.store.Read(c.Context(), src.Key, q, func(e Event) error {
		if len(out.Events) == limit {
			more = true
			return ErrStopRead
		}
		lastSeq = e.Seq
		stream := eventStream(e)
		if len(streams) > 0 && !streams[stream] || !strings.HasPrefix(stream, in.LogStreamNamePrefix) {
			return nil
		}
		if !matchFilter(in.FilterPattern, e.Message) {
			return nil
		}
		if !seen[stream] {
			seen[stream] = true
			out.SearchedLogStreams = append(out.SearchedLogStreams, searchedLogStream{LogStreamName: stream, SearchedCompletely: true})
		}
		out.Events = append(out.Events, filteredLogEvent{
			LogStreamName: stream, Timestamp: millis(e.Time), Message: e.Message,
			IngestionTime: millis(e.Ingested), EventID: strconv.FormatUint(e.Seq, 10),
		})
		return nil
	})
	if err != nil {
		return filterLogEventsOutput{}, err
	}
	if more {
		out.NextToken = "s/" + strconv.FormatUint(lastSeq, 10)
	}
	return out, nil
}

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              int    `json:"limit"`
	StartFromHead      *bool  `json:"startFromHead"`
}

// group is the log group the request names, by name or identifier.
func (in *getLogEventsInput) group() string {
	if in.LogGroupName != "" {
		return in.LogGroupName
	}
	return in.LogGroupIdentifier
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsOutput struct {
	Events            []outputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// getLogEvents reads one day-stream forward. Without a token it starts at
// the head of the stream (nubo does not page backwards from the tail).
func (a *api) getLogEvents(c *awsapi.Call, in *getLogEventsInput) (getLogEventsOutput, error) {
	src, err := a.source(c, in.group())
	if err != nil {
		return getLogEventsOutput{}, err
	}
	var q Query
	own := strings.HasPrefix(src.Key, userSourcePrefix)
	if !own {
		// A function's group may hold streams PutLogEvents wrote too
		// (a function's own SDK calls): those are read as a group's own.
		if _, _, err := a.store.Stream(c.Context(), src.Group, in.LogStreamName); err == nil {
			own, src.Key = true, UserSource(src.Group)
		}
	}
	if own {
		// A stream of the group's own: its events carry its name.
		if _, _, err := a.store.Stream(c.Context(), src.Group, in.LogStreamName); err != nil {
			return getLogEventsOutput{}, err
		}
	} else {
		day, err := time.Parse("2006/01/02", strings.SplitN(in.LogStreamName, "/[", 2)[0])
		if err != nil {
			return getLogEventsOutput{}, streamNotFound()
		}
		q = Query{Since: day, Until: day.Add(24*time.Hour - time.Nanosecond)}
	}
	if s := fromMillis(in.StartTime); s.After(q.Since) {
		q.Since = s
	}
	if u := fromMillis(in.EndTime); !u.IsZero() && (q.Until.IsZero() || u.Before(q.Until)) {
		q.Until = u
	}
	if err := checkLimit(in.Limit, maxLogEventsPage); err != nil {
		return getLogEventsOutput{}, err
	}
	var tokenSeq uint64
	if in.NextToken != "" {
		if strings.HasPrefix(in.NextToken, "b/") {
			tokenSeq, err = parseToken(in.NextToken, "b/")
			if err != nil {
				return getLogEventsOutput{}, err
			}
			// Backward paging is not kept: the page before the head is empty.
			seq := strconv.FormatUint(tokenSeq, 10)
			return getLogEventsOutput{Events: []outputLogEvent{}, NextForwardToken: "f/" + seq, NextBackwardToken: "b/" + seq}, nil
		}
		if tokenSeq, err = parseToken(in.NextToken, "f/"); err != nil {
			return getLogEventsOutput{}, err
		}
		q.AfterSeq = tokenSeq
	}
	limit := in.Limit
	if limit == 0 {
		limit = maxLogEventsPage
	}
	// Without a token, startFromHead false (the default) reads the
	// stream's last page, as on AWS; true reads its first.
	tail := in.NextToken == "" && (in.StartFromHead == nil || !*in.StartFromHead)
	events := []outputLogEvent{}
	seqs := []uint64{}
	first, last := tokenSeq, tokenSeq
	err = a.store.Read(c.Context(), src.Key, q, func(e Event) error {
		if own && e.RequestID != in.LogStreamName {
			return nil
		}
		if len(events) == limit {
			if !tail {
				return ErrStopRead
			}
			events, seqs = events[1:], seqs[1:]
		}
		seqs = append(seqs, e.Seq)
		events = append(events, outputLogEvent{Timestamp: millis(e.Time), Message: e.Message, IngestionTime: millis(e.Ingested)})
		return nil
	})
	if err != nil {
		return getLogEventsOutput{}, err
	}
	if len(seqs) > 0 {
		first, last = seqs[0]-1, seqs[len(seqs)-1]
	}
	return getLogEventsOutput{
		Events:            events,
		NextForwardToken:  "f/" + strconv.FormatUint(last, 10),
		NextBackwardToken: "b/" + strconv.FormatUint(first, 10),
	}, nil
}

// checkLimit refuses a limit outside 1..max as AWS does (0: not given).
func checkLimit(limit, max int) error {
	if limit < 0 {
		return invalidParameter(fmt.Sprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", limit))
	}
	if limit > max {
		return invalidParameter(fmt.Sprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", limit, max))
	}
	return nil
}
