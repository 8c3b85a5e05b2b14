package events

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

// Archive is an archive of a bus's events, kept in its source bus's record
// (so ingest reads it with the rules); its name is reserved account-wide
// by an archiveName record.
type Archive struct {
	Name          string    `json:"name"`
	Bus           string    `json:"bus"`
	Description   string    `json:"description,omitempty"`
	EventPattern  string    `json:"event_pattern,omitempty"`
	RetentionDays int       `json:"retention_days,omitempty"`
	Created       time.Time `json:"created"`
}

// archiveName reserves an archive's name and says which bus holds it.
type archiveName struct {
	Bus string `json:"bus"`
}

// Replay states.
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCompleted  = "COMPLETED"
	ReplayCancelled  = "CANCELLED"
	ReplayFailed     = "FAILED"
)

// Replay is a replay of an archive's events, by event time, into its bus.
type Replay struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Archive     string    `json:"archive"`
	Bus         string    `json:"bus"`
	FilterArns  []string  `json:"filter_arns,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	State       string    `json:"state"`
	StateReason string    `json:"state_reason,omitempty"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended,omitzero"`
	LastEvent   time.Time `json:"last_event,omitzero"`
}

const (
	archiveStream  = "NUBO_EVENTS_ARCHIVE"
	archiveSubject = "nubo.events.archive."
	replaySubject  = "nubo.events.replay"
)

func archiveKey(name string) string { return "archive." + hex.EncodeToString([]byte(name)) }
func replayKey(name string) string  { return "replay." + hex.EncodeToString([]byte(name)) }

// archiveSubjectOf is the stream subject an archive's events are kept on.
func archiveSubjectOf(name string) string { return archiveSubject + hex.EncodeToString([]byte(name)) }

// ArchiveARN and ReplayARN name archives and replays.
func (s *Service) ArchiveARN(name string) string {
	return s.opts.Account.ARN("events", "archive/"+name)
}
func (s *Service) ReplayARN(name string) string { return s.opts.Account.ARN("events", "replay/"+name) }

func (s *Service) startArchives(ctx context.Context) error {
	raw := s.kv.Raw()
	s.names = backbone.Typed[archiveName](raw)
	s.replays = backbone.Typed[Replay](raw)
	st, err := s.opts.Backbone.Stream(ctx, jetstream.StreamConfig{Name: archiveStream, Description: "archived events of nubo's event buses",
		Subjects: []string{archiveSubject + ">"}, Storage: jetstream.FileStorage, AllowMsgTTL: true})
	if err != nil {
		return fmt.Errorf("events: the archive stream: %w", err)
	}
	s.archive = st
	s.replayQ, err = s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream: "NUBO_EVENTS_REPLAY", Description: "replays of archived events waiting to run",
		Subjects: []string{replaySubject}, Consumer: "events-replay", MaxDeliver: 5, Workers: 1,
	})
	if err != nil {
		return fmt.Errorf("events: the replay queue: %w", err)
	}
	return s.replayQ.Consume(s.handleReplay)
}

// CreateArchive creates an archive of a bus's events.
func (s *Service) CreateArchive(ctx context.Context, a Archive) error {
	if a.EventPattern != "" {
		if err := eventpattern.Validate(a.EventPattern); err != nil {
			return err
		}
	}
	if _, _, err := s.GetBus(ctx, a.Bus); err != nil {
		return err
	}
	if _, err := s.names.Modify(ctx, archiveKey(a.Name), func(cur *archiveName, exists bool) (*archiveName, error) {
		if exists {
			return nil, fmt.Errorf("archive %s already exists: %w", a.Name, ErrExists)
		}
		return &archiveName{Bus: a.Bus}, nil
	}); err != nil {
		return err
	}
	a.Created = s.opts.Now().UTC()
	_, err := s.modifyBus(ctx, a.Bus, func(b *Bus) error {
		if b.Archives == nil {
			b.Archives = map[string]*Archive{}
		}
		b.Archives[a.Name] = &a
		return nil
	})
	if err != nil {
		_ = s.names.Delete(ctx, archiveKey(a.Name), 0)
	}
	return err
}

// GetArchive reads an archive.
func (s *Service) GetArchive(ctx context.Context, name string) (*Archive, error) {
	n, _, err := s.names.Get(ctx, archiveKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("archive %s does not exist: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("events: reading archive %s: %w", name, err)
	}
	b, _, err := s.GetBus(ctx, n.Bus)
	if err != nil || b.Archives[name] == nil {
		return nil, fmt.Errorf("archive %s does not exist: %w", name, ErrNotFound)
	}
	return b.Archives[name], nil
}

// UpdateArchive changes an archive's description, pattern and retention.
func (s *Service) UpdateArchive(ctx context.Context, name string, fn func(a *Archive) error) (*Archive, error) {
	a, err := s.GetArchive(ctx, name)
	if err != nil {
		return nil, err
	}
	var out *Archive
	_, err = s.modifyBus(ctx, a.Bus, func(b *Bus) error {
		cur := b.Archives[name]
		if cur == nil {
			return fmt.Errorf("archive %s does not exist: %w", name, ErrNotFound)
		}
		if err := fn(cur); err != nil {
			return err
		}
		out = cur
		return nil
	})
	return out, err
}

// DeleteArchive deletes an archive and its events.
func (s *Service) DeleteArchive(ctx context.Context, name string) error {
	a, err := s.GetArchive(ctx, name)
	if err != nil {
		return err
	}
	if _, err := s.modifyBus(ctx, a.Bus, func(b *Bus) error { delete(b.Archives, name); return nil }); err != nil {
		return err
	}
	if err := s.archive.Purge(ctx, jetstream.WithPurgeSubject(archiveSubjectOf(name))); err != nil {
		return fmt.Errorf("events: purging archive %s: %w", name, err)
	}
	if err := s.names.Delete(ctx, archiveKey(name), 0); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("events: deleting archive %s: %w", name, err)
	}
	return nil
}

// ListArchives lists every archive, by name.
func (s *Service) ListArchives(ctx context.Context) ([]*Archive, error) {
	buses, err := s.ListBuses(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Archive
	for _, b := range buses {
		for _, a := range b.Archives {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// archiveCount is how many events an archive holds.
func (s *Service) archiveCount(ctx context.Context, name string) int64 {
	subj := archiveSubjectOf(name)
	info, err := s.archive.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return 0
	}
	return int64(info.State.Subjects[subj])
}

// archiveEvent keeps an event in each archive of its bus whose pattern it
// matches (replayed events are not archived again).
func (s *Service) archiveEvent(ctx context.Context, b *Bus, event []byte) error {
	if len(b.Archives) == 0 {
		return nil
	}
	var env struct {
		ID         string `json:"id"`
		ReplayName string `json:"replay-name"`
	}
	if err := json.Unmarshal(event, &env); err != nil || env.ReplayName != "" {
		return nil
	}
	for _, a := range b.Archives {
		if a.EventPattern != "" {
			set, err := eventpattern.Compile([]eventpattern.Pattern{{ID: a.Name, JSON: a.EventPattern}})
			if err != nil {
				continue
			}
			m, err := set.Match(event)
			if err != nil || len(m) == 0 {
				continue
			}
		}
		opts := []jetstream.PublishOpt{jetstream.WithMsgID(a.Name + "/" + env.ID)}
		if a.RetentionDays > 0 {
			// The archive's retention: JetStream removes the event then.
			opts = append(opts, jetstream.WithMsgTTL(time.Duration(a.RetentionDays)*24*time.Hour))
		}
		if _, err := s.opts.Backbone.JetStream().Publish(ctx, archiveSubjectOf(a.Name), event, opts...); err != nil {
			return fmt.Errorf("events: archiving into %s: %w", a.Name, err)
		}
	}
	return nil
}

// StartReplay records a replay and queues it.
func (s *Service) StartReplay(ctx context.Context, r Replay) (*Replay, error) {
	a, err := s.GetArchive(ctx, r.Archive)
	if err != nil {
		return nil, err
	}
	r.Bus, r.State, r.Started = a.Bus, ReplayStarting, s.opts.Now().UTC()
	if _, err := s.replays.Modify(ctx, replayKey(r.Name), func(cur *Replay, exists bool) (*Replay, error) {
		if exists {
			return nil, fmt.Errorf("replay %s already exists: %w", r.Name, ErrExists)
		}
		return &r, nil
	}); err != nil {
		return nil, err
	}
	if err := s.replayQ.Publish(ctx, backbone.Message{Subject: replaySubject, Data: []byte(r.Name), ID: r.Name}); err != nil {
		return nil, fmt.Errorf("events: queueing replay %s: %w", r.Name, err)
	}
	return &r, nil
}

// GetReplay reads a replay.
func (s *Service) GetReplay(ctx context.Context, name string) (*Replay, error) {
	r, _, err := s.replays.Get(ctx, replayKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("replay %s does not exist: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("events: reading replay %s: %w", name, err)
	}
	return r, nil
}

// ListReplays lists every replay, by name.
func (s *Service) ListReplays(ctx context.Context) ([]*Replay, error) {
	entries, err := s.replays.List(ctx, "replay.")
	if err != nil {
		return nil, fmt.Errorf("events: listing replays: %w", err)
	}
	out := make([]*Replay, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Value)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// setReplay changes a replay through fn.
func (s *Service) setReplay(ctx context.Context, name string, fn func(r *Replay) error) (*Replay, error) {
	e, err := s.replays.Modify(ctx, replayKey(name), func(cur *Replay, exists bool) (*Replay, error) {
		if !exists {
			return nil, fmt.Errorf("replay %s does not exist: %w", name, ErrNotFound)
		}
		if err := fn(cur); err != nil {
			return nil, err
		}
		return cur, nil
	})
	if err != nil {
		return nil, err
	}
	return e.Value, nil
}

// CancelReplay asks a starting or running replay to stop.
func (s *Service) CancelReplay(ctx context.Context, name string) (*Replay, error) {
	return s.setReplay(ctx, name, func(r *Replay) error {
		switch r.State {
		case ReplayStarting, ReplayRunning:
			r.State = ReplayCancelling
			return nil
		}
		return fmt.Errorf("replay %s is %s: %w", name, r.State, ErrIllegalStatus)
	})
}

// handleReplay runs a replay: it reads the archive's events in order and
// puts those whose time is in the replay's window back on the bus, with
// replay-name set, for the rules the replay names (all when none).
func (s *Service) handleReplay(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	name := string(d.Data)
	r, err := s.setReplay(ctx, name, func(r *Replay) error {
		if r.State == ReplayStarting || r.State == ReplayRunning {
			r.State = ReplayRunning
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return backbone.Ack()
	}
	if err != nil {
		return backbone.Retry(time.Second)
	}
	if r.State != ReplayRunning {
		return backbone.Ack()
	}
	finish := func(state, reason string, last time.Time) backbone.Outcome {
		if _, err := s.setReplay(ctx, name, func(r *Replay) error {
			if r.State == ReplayCancelling {
				state = ReplayCancelled
			}
			r.State, r.StateReason, r.Ended = state, reason, s.opts.Now().UTC()
			if !last.IsZero() {
				r.LastEvent = last
			}
			return nil
		}); err != nil {
			return backbone.Retry(time.Second)
		}
		return backbone.Ack()
	}
	last, err := s.replayEvents(ctx, r)
	if err != nil {
		return finish(ReplayFailed, err.Error(), last)
	}
	return finish(ReplayCompleted, "", last)
}

func (s *Service) replayEvents(ctx context.Context, r *Replay) (time.Time, error) {
	var last time.Time
	subj := archiveSubjectOf(r.Archive)
	info, err := s.archive.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return last, fmt.Errorf("reading the archive: %w", err)
	}
	if info.State.Subjects[subj] == 0 {
		return last, nil
	}
	cons, err := s.archive.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return last, fmt.Errorf("reading the archive: %w", err)
	}
	remaining := info.State.Subjects[subj]
	for i := uint64(0); i < remaining; i++ {
		if i%100 == 0 {
			if cur, err := s.GetReplay(ctx, r.Name); err == nil && cur.State == ReplayCancelling {
				return last, nil
			}
		}
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			return last, fmt.Errorf("reading the archive: %w", err)
		}
		var env Envelope
		if err := json.Unmarshal(msg.Data(), &env); err != nil {
			continue
		}
		at, err := time.Parse(time.RFC3339, env.Time)
		if err != nil || at.Before(r.Start) || !at.Before(r.End) {
			continue
		}
		env.ReplayName = r.Name
		if err := s.enqueueFor(ctx, r.Bus, env, r.FilterArns); err != nil {
			return last, err
		}
		last = at
	}
	return last, nil
}
