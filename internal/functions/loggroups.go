package functions

import (
	"context"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/logs"
)

// LogGroupName is a function's default log group, /aws/lambda/NAME, whose
// RetentionInDays applies to its lines (logs.Options.RetentionGroup).
func LogGroupName(function string) string { return "/aws/lambda/" + function }

// The pool writes through the logs context's Writer: any logs.Writer (the
// store, or what wraps it) is a LogSink that takes batches.
var (
	_ logs.Sources = (*Service)(nil)
	_ LogSink      = logs.Writer(nil)
	_ lineBatcher  = logs.Writer(nil)
)

// LogSources implements logs.Sources: the log group of every function
// (LoggingConfig.LogGroup), each once, with the lines of the first
// function, by name, that logs to it.
func (s *Service) LogSources(ctx context.Context) ([]logs.Source, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []logs.Source
	for _, c := range all {
		if seen[c.LogGroup] {
			continue
		}
		seen[c.LogGroup] = true
		out = append(out, logSource(c))
	}
	return out, nil
}

// LogSource implements logs.Sources: the function logging to group, the
// one named by /aws/lambda/NAME first, else the first by name;
// logs.ErrGroupNotFound if none does.
func (s *Service) LogSource(ctx context.Context, group string) (logs.Source, error) {
	if name, ok := strings.CutPrefix(group, "/aws/lambda/"); ok {
		if c, err := s.Get(ctx, name); err == nil && c.LogGroup == group {
			return logSource(c), nil
		}
	}
	all, err := s.List(ctx)
	if err != nil {
		return logs.Source{}, err
	}
	for _, c := range all {
		if c.LogGroup == group {
			return logSource(c), nil
		}
	}
	return logs.Source{}, fmt.Errorf("log group %q: %w", group, logs.ErrGroupNotFound)
}

// logSource is where c's lines are: under its name in its log group.
func logSource(c *Config) logs.Source {
	return logs.Source{Group: c.LogGroup, Key: c.Name, Created: c.LastModified}
}
