package logs

import (
	"context"
	"time"
)

// Sources are the log groups the store's writers write to, as the context
// that writes them knows them (functions: each function writes its lines,
// under its name, to its LoggingConfig log group). The Logs API lists and
// reads groups through it; the writing context implements it, so this
// package imports none of them.
type Sources interface {
	// LogSources lists the log groups written to, each once.
	LogSources(ctx context.Context) ([]Source, error)
	// LogSource finds the log group named group; ErrGroupNotFound if
	// nothing writes to it.
	LogSource(ctx context.Context, group string) (Source, error)
}

// Source is a log group and where its lines are kept.
type Source struct {
	// Group is the log group's name.
	Group string
	// Key is the source its lines are written and read under (Writer,
	// Store.Read): a function's name.
	Key string
	// Created is the group's creationTime.
	Created time.Time
}
