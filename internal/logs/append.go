package logs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Append stores lines of source at once, as stream's (each event's
// RequestID reads back as stream), and waits for JetStream to acknowledge
// them: PutLogEvents answers only once its events are stored. Unlike
// Lines it keeps each line's own time, however it compares with lines
// stored before (PutLogEvents may put older events after newer ones).
// It returns the stream sequence of the last message stored.
func (l *Store) Append(ctx context.Context, source, stream string, lines []Line) (uint64, error) {
	js := l.bb.JetStream()
	var last uint64
	var chunk []Line
	size := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		ack, err := js.PublishMsg(ctx, l.appendMsg(source, stream, chunk))
		if err != nil {
			return fmt.Errorf("logs %q: put events: %w", source, err)
		}
		last, chunk, size = ack.Sequence, chunk[:0], 0
		return nil
	}
	for _, ln := range lines {
		if len(chunk) == maxBatchLines || len(chunk) > 0 && size+len(ln.Text) > maxBatchBytes {
			if err := flush(); err != nil {
				return last, err
			}
		}
		chunk = append(chunk, ln)
		size += len(ln.Text)
	}
	if err := flush(); err != nil {
		return last, err
	}
	if group, ok := userSourceGroup(source); ok && l.subscribed(group) {
		events := make([]subscribedEvent, 0, len(lines))
		for i, ln := range lines {
			events = append(events, subscribedEvent{ID: eventID(ln.At.UnixNano(), i), Stream: stream, Timestamp: ln.At.UnixMilli(), Message: string(ln.Text)})
		}
		if err := l.queueSubscribed(ctx, group, events, true); err != nil {
			return last, err
		}
	}
	return last, nil
}

// appendMsg is one message holding lines, in the format Read splits
// (see Lines).
func (l *Store) appendMsg(source, stream string, lines []Line) *nats.Msg {
	h := nats.Header{}
	h[timeHdr] = []string{strconv.FormatInt(lines[0].At.UnixNano(), 10)}
	h[requestIDHdr] = []string{stream}
	var data []byte
	if len(lines) > 1 {
		idx := make([]byte, 0, len(lines)*24)
		for i, ln := range lines {
			if i > 0 {
				idx = append(idx, ',')
			}
			idx = strconv.AppendInt(idx, ln.At.UnixNano(), 10)
			idx = append(idx, ':')
			idx = strconv.AppendInt(idx, int64(len(ln.Text)), 10)
		}
		h[linesHdr] = []string{string(idx)}
	}
	for _, ln := range lines {
		data = append(data, ln.Text...)
	}
	if ttl := l.ttl(source); ttl > 0 {
		h[jetstream.MsgTTLHeader] = []string{strconv.FormatInt(int64(ttl/time.Second), 10)}
	}
	return &nats.Msg{Subject: l.bb.Subject(logSubject + source), Header: h, Data: data}
}
