package logs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// splitLines gives the lines of a stored message, their times and
// their request ids (rid unless the index names one from reqs, the
// message's requestIDsHdr); a message without a valid line index is one
// line at time at.
func splitLines(data []byte, index, reqs, rid string, at time.Time) ([]string, []time.Time, []string) {
	if index != "" {
		var msgs, ids []string
		var times []time.Time
		var list []string
		if reqs != "" {
			list = strings.Split(reqs, ",")
		}
		rest, off := index, 0
		for rest != "" && len(msgs) < maxBatchLines {
			var item string
			item, rest, _ = strings.Cut(rest, ",")
			nsS, lenS, ok := strings.Cut(item, ":")
			lenS, kS, hasK := strings.Cut(lenS, ":")
			ns, err1 := strconv.ParseInt(nsS, 10, 64)
			n, err2 := strconv.Atoi(lenS)
			if !ok || err1 != nil || err2 != nil || n < 0 || n > len(data)-off {
				msgs = nil
				break
			}
			id := rid
			if hasK {
				k, err := strconv.Atoi(kS)
				if err != nil || k < 0 || k >= len(list) {
					msgs = nil
					break
				}
				id = list[k]
			}
			msgs = append(msgs, string(data[off:off+n]))
			times = append(times, time.Unix(0, ns))
			ids = append(ids, id)
			off += n
		}
		if msgs != nil && rest == "" && off == len(data) {
			return msgs, times, ids
		}
	}
	return []string{string(data)}, []time.Time{at}, []string{rid}
}

// Event is one stored line.
type Event struct {
	// Seq is a stable, increasing id: the stream sequence of the line's
	// message times maxBatchLines, plus the line's place in the message.
	Seq       uint64
	Source    string
	RequestID string
	Time      time.Time
	Ingested  time.Time
	Message   string
}

// Query selects lines of one source.
type Query struct {
	Since    time.Time // lines stored at or after (zero: from the start)
	Until    time.Time // lines stored at or before (zero: no end)
	AfterSeq uint64    // resume after this event (a page token)
	// Follow keeps reading new lines until ctx ends; otherwise Read stops at
	// the last line stored when it was called.
	Follow bool
	// Also names more sources read with the first, in the order their
	// lines were stored (a function's group with streams PutLogEvents
	// wrote); each Event's Source says whose it is.
	Also []string
}

// ErrStopRead ends a Read early without an error.
var ErrStopRead = errors.New("stop reading")

// Read calls fn with each matching line, oldest first. fn may return
// ErrStopRead to stop.
func (l *Store) Read(ctx context.Context, source string, q Query, fn func(Event) error) error {
	subjects := []string{l.bb.Subject(logSubject + source)}
	for _, s := range q.Also {
		subjects = append(subjects, l.bb.Subject(logSubject+s))
	}
	var last uint64
	if !q.Follow {
		var newest time.Time
		for _, subj := range subjects {
			m, err := l.stream.GetLastMsgForSubject(ctx, subj)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("logs %q: %w", source, err)
			}
			if m.Sequence > last {
				last, newest = m.Sequence, m.Time
			}
		}
		if last == 0 {
			return nil
		}
		if (last+1)*maxBatchLines-1 <= q.AfterSeq || (!q.Since.IsZero() && newest.Before(q.Since)) {
			return nil
		}
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: subjects}
	switch {
	case q.AfterSeq > 0:
		// Resume within the message holding the line after AfterSeq.
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, max(1, (q.AfterSeq+1)/maxBatchLines)
	case !q.Since.IsZero():
		since := q.Since
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	default:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	}
	cons, err := l.bb.JetStream().OrderedConsumer(ctx, l.bb.Name(logStream), cfg)
	if err != nil {
		return fmt.Errorf("logs %q: %w", source, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("logs %q: %w", source, err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil && q.Follow {
				return nil
			}
			return fmt.Errorf("logs %q: %w", source, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("logs %q: %w", source, err)
		}
		if !q.Follow && md.Sequence.Stream > last {
			return nil
		}
		at := md.Timestamp
		if ns, err := strconv.ParseInt(msg.Headers().Get(timeHdr), 10, 64); err == nil {
			at = time.Unix(0, ns)
		}
		from := source
		if len(subjects) > 1 {
			from = strings.TrimPrefix(msg.Subject(), l.bb.Subject(logSubject))
		}
		hd := msg.Headers()
		msgs, times, rids := splitLines(msg.Data(), hd.Get(linesHdr), hd.Get(requestIDsHdr), hd.Get(requestIDHdr), at)
		for i, text := range msgs {
			ev := Event{Seq: md.Sequence.Stream*maxBatchLines + uint64(i), Source: from, RequestID: rids[i], Time: times[i], Ingested: md.Timestamp, Message: text}
			if ev.Seq <= q.AfterSeq {
				continue
			}
			if !q.Until.IsZero() && ev.Time.After(q.Until) {
				if !q.Follow {
					return nil
				}
				continue
			}
			if !q.Since.IsZero() && ev.Time.Before(q.Since) {
				continue
			}
			if err := fn(ev); err != nil {
				if errors.Is(err, ErrStopRead) {
					return nil
				}
				return err
			}
		}
		if !q.Follow && md.Sequence.Stream >= last {
			return nil
		}
	}
}
