package logs

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// This file holds the operations on a group's own log streams:
// CreateLogStream, PutLogEvents and DescribeLogStreams. A stream is kept
// in the store's streams bucket; its events are lines of the group's
// UserSource, each carrying the stream's name, so GetLogEvents and
// FilterLogEvents read them as they read a function's.

// AWS's limits of one PutLogEvents call.
const (
	maxPutEvents = 10000
	maxPutBytes  = 1 << 20 // the messages' UTF-8 bytes plus eventOverhead each
	// eventOverhead is what AWS counts for each event besides its message.
	eventOverhead = 26
	maxEventSpan  = 24 * time.Hour
	maxEventAge   = 14 * 24 * time.Hour
	maxEventAhead = 2 * time.Hour
)

func streamNotFound() error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified log stream does not exist.")
}

// validStreamName reports whether name is a log stream name AWS accepts:
// 1 to 512 characters, none of them ':' or '*' (nor, here, a control
// character: the name is kept in a message header).
func validStreamName(name string) bool {
	if name == "" || len(name) > 512 {
		return false
	}
	for _, r := range name {
		if r == ':' || r == '*' || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func checkStreamName(name string) error {
	if !validStreamName(name) {
		return invalidParameter("1 validation error detected: Value '" + name + "' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]* and have length between 1 and 512")
	}
	return nil
}

// streamTarget is what an operation on a log stream is authorized on.
func (a *api) streamTarget(group, stream string) []awsapi.Target {
	return []awsapi.Target{{Resource: a.groupARN(group) + ":log-stream:" + stream}}
}

// groupExistsFor reports ResourceNotFoundException unless group exists:
// stored (created) or written to by a function.
func (a *api) requireGroup(c *awsapi.Call, group string) error {
	if err := checkGroupName(group); err != nil {
		return err
	}
	_, err := a.source(c, group)
	return err
}

type createLogStreamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func (a *api) createLogStream(c *awsapi.Call, in *createLogStreamInput) (awsapi.None, error) {
	if err := checkStreamName(in.LogStreamName); err != nil {
		return awsapi.None{}, err
	}
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	err := a.store.CreateStream(c.Context(), in.LogGroupName, LogStream{Name: in.LogStreamName, Created: time.Now().UnixMilli()})
	if errors.Is(err, ErrStreamExists) {
		return awsapi.None{}, awsapi.NewError(http.StatusBadRequest, "ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	return awsapi.None{}, err
}

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken"`
}

type rejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsOutput struct {
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *rejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

// checkEvents validates a PutLogEvents batch as AWS does: 1 to 10,000
// events of 1 MiB at most (messages plus 26 bytes each), in chronological
// order, spanning at most 24 hours.
func checkEvents(events []inputLogEvent) error {
	if len(events) == 0 {
		return invalidParameter("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(events) > maxPutEvents {
		return invalidParameter("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000")
	}
	size := 0
	for i, e := range events {
		if e.Timestamp == nil || e.Message == nil {
			return invalidParameter("Log event " + strconv.Itoa(i) + " must have a timestamp and a message")
		}
		if *e.Message == "" {
			return invalidParameter("Log event " + strconv.Itoa(i) + ": the message must not be empty")
		}
		size += len(*e.Message) + eventOverhead
		if i > 0 && *e.Timestamp < *events[i-1].Timestamp {
			return invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxPutBytes {
		return invalidParameter("Upload too large: " + strconv.Itoa(size) + " bytes exceeds limit of " + strconv.Itoa(maxPutBytes))
	}
	if time.Duration(*events[len(events)-1].Timestamp-*events[0].Timestamp)*time.Millisecond > maxEventSpan {
		return invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}

// putLogEvents stores the events of one stream. Events more than 14 days
// old (or older than the group's retention) or more than 2 hours ahead
// are not stored and reported in rejectedLogEventsInfo, as AWS does.
func (a *api) putLogEvents(c *awsapi.Call, in *putLogEventsInput) (putLogEventsOutput, error) {
	if err := checkEvents(in.LogEvents); err != nil {
		return putLogEventsOutput{}, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return putLogEventsOutput{}, err
	}
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return putLogEventsOutput{}, err
	}
	ctx := c.Context()
	if _, _, err := a.store.Stream(ctx, in.LogGroupName, in.LogStreamName); err != nil {
		return putLogEventsOutput{}, err
	}
	now := time.Now()
	oldest := now.Add(-maxEventAge)
	expired := time.Time{}
	if g, err := a.store.Group(ctx, in.LogGroupName); err == nil && g.RetentionDays > 0 {
		expired = now.Add(-time.Duration(g.RetentionDays) * 24 * time.Hour)
	}
	var out putLogEventsOutput
	var rej rejectedLogEventsInfo
	lines := make([]Line, 0, len(in.LogEvents))
	var stored int64
	for i, e := range in.LogEvents {
		at := time.UnixMilli(*e.Timestamp)
		switch {
		case at.After(now.Add(maxEventAhead)):
			if rej.TooNewLogEventStartIndex == nil {
				rej.TooNewLogEventStartIndex = &i
			}
			continue
		case at.Before(expired):
			rej.ExpiredLogEventEndIndex = &i
			continue
		case at.Before(oldest):
			rej.TooOldLogEventEndIndex = &i
			continue
		}
		lines = append(lines, Line{At: at, Text: []byte(*e.Message)})
		stored += int64(len(*e.Message))
	}
	if rej != (rejectedLogEventsInfo{}) {
		out.RejectedLogEventsInfo = &rej
	}
	if len(lines) == 0 {
		return out, nil
	}
	seq, err := a.store.Append(ctx, UserSource(in.LogGroupName), in.LogStreamName, lines)
	if err != nil {
		return putLogEventsOutput{}, err
	}
	out.NextSequenceToken = strconv.FormatUint(seq, 10)
	first, last := lines[0].At.UnixMilli(), lines[len(lines)-1].At.UnixMilli()
	err = a.store.updateStream(ctx, in.LogGroupName, in.LogStreamName, func(s *LogStream) {
		if s.FirstEvent == 0 || first < s.FirstEvent {
			s.FirstEvent = first
		}
		s.LastEvent = max(s.LastEvent, last)
		s.LastIngestion = now.UnixMilli()
		s.StoredBytes += stored
	})
	return out, err
}

type describeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               int    `json:"limit"`
}

func (in *describeLogStreamsInput) group() string {
	if in.LogGroupName != "" {
		return in.LogGroupName
	}
	return in.LogGroupIdentifier
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeLogStreamsOutput struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

// describeLogStreams lists the streams made by CreateLogStream (a
// function's day-streams are not listed). Its page token is the offset of
// the next stream in the requested order.
func (a *api) describeLogStreams(c *awsapi.Call, in *describeLogStreamsInput) (describeLogStreamsOutput, error) {
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return describeLogStreamsOutput{}, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return describeLogStreamsOutput{}, invalidParameter("orderBy must be LogStreamName or LastEventTime")
	}
	if err := checkLimit(in.Limit, 50); err != nil {
		return describeLogStreamsOutput{}, err
	}
	src, err := a.source(c, in.group())
	if err != nil {
		return describeLogStreamsOutput{}, err
	}
	all, err := a.store.Streams(c.Context(), src.Group)
	if err != nil {
		return describeLogStreamsOutput{}, err
	}
	var streams []LogStream
	for _, s := range all {
		if strings.HasPrefix(s.Name, in.LogStreamNamePrefix) {
			streams = append(streams, s)
		}
	}
	less := func(i, j int) bool { return streams[i].Name < streams[j].Name }
	if in.OrderBy == "LastEventTime" {
		less = func(i, j int) bool {
			if streams[i].LastEvent != streams[j].LastEvent {
				return streams[i].LastEvent < streams[j].LastEvent
			}
			return streams[i].Name < streams[j].Name
		}
	}
	sort.Slice(streams, func(i, j int) bool {
		if in.Descending {
			return less(j, i)
		}
		return less(i, j)
	})
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "o/"))
		if err != nil || !strings.HasPrefix(in.NextToken, "o/") || n < 0 || n > len(streams) {
			return describeLogStreamsOutput{}, invalidParameter("The specified nextToken is invalid.")
		}
		from = n
	}
	limit := in.Limit
	if limit == 0 {
		limit = 50
	}
	out := describeLogStreamsOutput{LogStreams: []logStreamOut{}}
	to := min(len(streams), from+limit)
	for _, s := range streams[from:to] {
		out.LogStreams = append(out.LogStreams, logStreamOut{
			LogStreamName: s.Name, CreationTime: s.Created, FirstEventTimestamp: s.FirstEvent,
			LastEventTimestamp: s.LastEvent, LastIngestionTime: s.LastIngestion, StoredBytes: s.StoredBytes,
			Arn: a.groupARN(src.Group) + ":log-stream:" + s.Name,
		})
	}
	if to < len(streams) {
		out.NextToken = "o/" + strconv.Itoa(to)
	}
	return out, nil
}
