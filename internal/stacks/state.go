package stacks

import (
	"context"
	"time"
)

// Stack classes (seed 001: data apart from plumbing).
const (
	ClassStateful  = "stateful"
	ClassStateless = "stateless"
)

// Stack statuses, after CloudFormation's.
const (
	StatusCreateInProgress       = "CREATE_IN_PROGRESS"
	StatusUpdateInProgress       = "UPDATE_IN_PROGRESS"
	StatusDeleteInProgress       = "DELETE_IN_PROGRESS"
	StatusCreateComplete         = "CREATE_COMPLETE"
	StatusUpdateComplete         = "UPDATE_COMPLETE"
	StatusRollbackComplete       = "ROLLBACK_COMPLETE"
	StatusUpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE"
	StatusRollbackFailed         = "ROLLBACK_FAILED"
	StatusCreateFailed           = "CREATE_FAILED"
	StatusUpdateFailed           = "UPDATE_FAILED"
	StatusDeleteFailed           = "DELETE_FAILED"
	StatusDeleteComplete         = "DELETE_COMPLETE"
	// StatusReviewInProgress is a stack a CREATE change set made: it has
	// an id and no resources until the change set is executed.
	StatusReviewInProgress = "REVIEW_IN_PROGRESS"
)

// StackState is what the engine records about a stack: the resources that
// exist, as they were last applied.
type StackState struct {
	Name       string                    `json:"name"`
	ID         string                    `json:"id"`
	Class      string                    `json:"class"`
	Status     string                    `json:"status"`
	Reason     string                    `json:"reason,omitempty"`
	Version    int                       `json:"version"` // the deployment that produced this state
	Template   string                    `json:"template,omitempty"`
	BaseDir    string                    `json:"base_dir,omitempty"`
	Parameters map[string]string         `json:"parameters,omitempty"`
	NoEcho     []string                  `json:"no_echo,omitempty"`
	Resources  map[string]*ResourceState `json:"resources"`
	Outputs    map[string]OutputState    `json:"outputs,omitempty"`
	Imports    []string                  `json:"imports,omitempty"`
	// Cleanup holds resources replaced by the deployment and not deleted yet
	// (the delete phase runs last; a crash may leave them here).
	Cleanup []*ResourceState `json:"cleanup,omitempty"`
	// API is what the CloudFormation API was asked for the stack (nil for
	// a stack only nubo deploy made).
	API     *APIRequest `json:"api,omitempty"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
}

// ResourceState is one resource as applied.
type ResourceState struct {
	LogicalID           string   `json:"logical_id"`
	Type                string   `json:"type"`
	PhysicalID          string   `json:"physical_id,omitempty"`
	Props               Props    `json:"props,omitempty"`
	Attrs               Attrs    `json:"attrs,omitempty"`
	Deps                []string `json:"deps,omitempty"`
	DeletionPolicy      string   `json:"deletion_policy,omitempty"`
	UpdateReplacePolicy string   `json:"update_replace_policy,omitempty"`
	Stateful            bool     `json:"stateful,omitempty"`
	// Pending is set while a provider call is in flight: "create", "update",
	// "replace" (the recorded resource stays current until its replacement,
	// PendingID, is created). A state that still has it after a crash tells recovery what
	// may be half done.
	Pending string `json:"pending,omitempty"`
	// PendingID is the physical id the in-flight create will produce, when
	// the provider can tell beforehand (see Identifier).
	PendingID string `json:"pending_id,omitempty"`
}

// OutputState is a resolved output.
type OutputState struct {
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
	Export      string `json:"export,omitempty"`
}

// Identifier is an optional Provider extension: the physical id a Create
// with these properties and ctx will produce, when a property fixes it (a
// Name) or the name is generated (GeneratedName, whose random part the
// engine fixes in ctx with WithNameSuffix). The engine records it before the
// call, so after a crash it can adopt a resource whose create finished but
// was never recorded, and delete it with the stack.
type Identifier interface {
	PhysicalIDFor(ctx context.Context, props Props) (string, bool)
}

func (s *StackState) clone() *StackState {
	c := *s
	c.Resources = make(map[string]*ResourceState, len(s.Resources))
	for k, r := range s.Resources {
		rc := *r
		c.Resources[k] = &rc
	}
	c.Cleanup = append([]*ResourceState(nil), s.Cleanup...)
	c.Outputs = make(map[string]OutputState, len(s.Outputs))
	for k, o := range s.Outputs {
		c.Outputs[k] = o
	}
	return &c
}

// InProgress reports whether the state was left mid-operation.
func (s *StackState) InProgress() bool {
	switch s.Status {
	case StatusCreateInProgress, StatusUpdateInProgress, StatusDeleteInProgress:
		return true
	}
	return false
}

// Exports returns export name → value of the stack.
func (s *StackState) Exports() map[string]string {
	out := map[string]string{}
	for _, o := range s.Outputs {
		if o.Export != "" {
			out[o.Export] = o.Value
		}
	}
	return out
}
