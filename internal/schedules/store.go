package schedules

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// DefaultGroup is the schedule group every account has.
const DefaultGroup = "default"

// Schedule is one stored schedule.
type Schedule struct {
	Group                 string         `json:"group"`
	Name                  string         `json:"name"`
	Description           string         `json:"description,omitempty"`
	Expression            string         `json:"expression"`
	Timezone              string         `json:"timezone,omitempty"`
	Start                 time.Time      `json:"start,omitzero"`
	End                   time.Time      `json:"end,omitzero"`
	State                 string         `json:"state"`
	FlexibleMode          string         `json:"flexible_mode"`
	FlexibleWindowMinutes int            `json:"flexible_window,omitempty"`
	ActionAfterCompletion string         `json:"action_after_completion,omitempty"`
	KmsKeyArn             string         `json:"kms_key_arn,omitempty"`
	Target                Target         `json:"target"`
	Created               time.Time      `json:"created"`
	Modified              time.Time      `json:"modified"`
	Extra                 map[string]any `json:"extra,omitempty"`
}

// Target is a schedule's target.
type Target struct {
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn"`
	Input            *string           `json:"Input,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	// The templated targets' parameters nubo keeps and returns.
	SqsParameters         map[string]any `json:"SqsParameters,omitempty"`
	EventBridgeParameters map[string]any `json:"EventBridgeParameters,omitempty"`
}

// RetryPolicy is a target's retry policy (AWS's defaults: 185 attempts,
// 86400 s).
type RetryPolicy struct {
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
}

// DeadLetterConfig names the queue a target's failed firings go to.
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// Group is one schedule group.
type Group struct {
	Name     string            `json:"name"`
	Tags     map[string]string `json:"tags,omitempty"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
}

var nameRE = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

func checkName(field, name string) error {
	if !nameRE.MatchString(name) {
		return invalid("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+ and length 1 to 64", name, field)
	}
	return nil
}

func scheduleKey(group, name string) string {
	return "s." + hex.EncodeToString([]byte(group)) + "." + hex.EncodeToString([]byte(name))
}

func groupKey(name string) string { return "g." + hex.EncodeToString([]byte(name)) }

// timerID is a schedule's id on the timer.
func timerID(group, name string) string { return group + "/" + name }

func (s *Service) buckets() (*backbone.KV[Schedule], *backbone.KV[Group], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.schedules == nil {
		return nil, nil, errors.New("schedules: not started")
	}
	return s.schedules, s.groups, nil
}

// GetGroup returns a group; the default group always exists.
func (s *Service) GetGroup(ctx context.Context, name string) (*Group, error) {
	_, groups, err := s.buckets()
	if err != nil {
		return nil, err
	}
	g, _, err := groups.Get(ctx, groupKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound("Schedule group %s does not exist.", name)
	}
	return g, err
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, name string, tags map[string]string) (*Group, error) {
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	_, groups, err := s.buckets()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	g := &Group{Name: name, Tags: tags, Created: now, Modified: now}
	if _, err := groups.Create(ctx, groupKey(name), g); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil, conflict("Schedule group %s already exists.", name)
		}
		return nil, err
	}
	return g, nil
}

// DeleteGroup deletes a group and its schedules.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	if name == DefaultGroup {
		return invalid("The default schedule group cannot be deleted.")
	}
	if _, err := s.GetGroup(ctx, name); err != nil {
		return err
	}
	list, err := s.List(ctx, name)
	if err != nil {
		return err
	}
	for _, sc := range list {
		if err := s.Delete(ctx, sc.Group, sc.Name); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	_, groups, _ := s.buckets()
	if err := groups.Raw().Purge(ctx, groupKey(name)); err != nil {
		return fmt.Errorf("schedules: delete group %s: %w", name, err)
	}
	return nil
}

// Groups lists the groups by name.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	_, groups, err := s.buckets()
	if err != nil {
		return nil, err
	}
	entries, err := groups.List(ctx, "g.")
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(entries))
	for _, e := range entries {
		if e.Value != nil {
			out = append(out, *e.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// TagGroup changes a group's tags: set adds or replaces, remove drops.
func (s *Service) TagGroup(ctx context.Context, name string, set map[string]string, remove []string) error {
	_, groups, err := s.buckets()
	if err != nil {
		return err
	}
	_, err = groups.Modify(ctx, groupKey(name), func(cur *Group, exists bool) (*Group, error) {
		if !exists {
			return nil, notFound("Schedule group %s does not exist.", name)
		}
		if cur.Tags == nil {
			cur.Tags = map[string]string{}
		}
		for k, v := range set {
			cur.Tags[k] = v
		}
		for _, k := range remove {
			delete(cur.Tags, k)
		}
		if len(cur.Tags) > 50 {
			return nil, invalid("a schedule group has at most 50 tags")
		}
		return cur, nil
	})
	return err
}

// Get returns a schedule.
func (s *Service) Get(ctx context.Context, group, name string) (*Schedule, error) {
	schedules, _, err := s.buckets()
	if err != nil {
		return nil, err
	}
	sc, _, err := schedules.Get(ctx, scheduleKey(group, name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound("Schedule %s does not exist.", name)
	}
	return sc, err
}

// List returns the schedules of a group ("" : every group), by group then
// name.
func (s *Service) List(ctx context.Context, group string) ([]Schedule, error) {
	schedules, _, err := s.buckets()
	if err != nil {
		return nil, err
	}
	prefix := "s."
	if group != "" {
		prefix += hex.EncodeToString([]byte(group)) + "."
	}
	entries, err := schedules.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(entries))
	for _, e := range entries {
		if e.Value != nil {
			out = append(out, *e.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Put creates (create) or replaces a schedule, then sets its timer.
func (s *Service) Put(ctx context.Context, sc *Schedule, create bool) error {
	if err := s.validate(ctx, sc); err != nil {
		return err
	}
	schedules, _, err := s.buckets()
	if err != nil {
		return err
	}
	now := s.now().UTC()
	_, err = schedules.Modify(ctx, scheduleKey(sc.Group, sc.Name), func(cur *Schedule, exists bool) (*Schedule, error) {
		switch {
		case create && exists:
			return nil, conflict("Schedule %s already exists.", sc.Name)
		case !create && !exists:
			return nil, notFound("Schedule %s does not exist.", sc.Name)
		}
		sc.Created, sc.Modified = now, now
		if exists {
			sc.Created = cur.Created
		}
		return sc, nil
	})
	if err != nil {
		return err
	}
	id := timerID(sc.Group, sc.Name)
	if sc.State == StateDisabled {
		return s.timer.Stop(ctx, id)
	}
	_, err = s.timer.Set(ctx, id, TimerSpec{Expression: sc.Expression, Timezone: sc.Timezone, Start: sc.Start, End: sc.End,
		Window: time.Duration(sc.FlexibleWindowMinutes) * time.Minute})
	return err
}

// Delete removes a schedule and its pending firing.
func (s *Service) Delete(ctx context.Context, group, name string) error {
	if _, err := s.Get(ctx, group, name); err != nil {
		return err
	}
	schedules, _, err := s.buckets()
	if err != nil {
		return err
	}
	if err := s.timer.Stop(ctx, timerID(group, name)); err != nil {
		return err
	}
	if err := schedules.Raw().Purge(ctx, scheduleKey(group, name)); err != nil {
		return fmt.Errorf("schedules: delete %s/%s: %w", group, name, err)
	}
	return nil
}

// splitTimerID undoes timerID.
func splitTimerID(id string) (group, name string) {
	group, name, _ = strings.Cut(id, "/")
	return group, name
}
