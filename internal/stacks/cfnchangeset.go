package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// A change set is a plan the engine computed, kept until it is executed or
// deleted: executing it deploys its template and parameters with the plan's
// digest, so the deployment applies that plan or nothing (the stack changed
// since: the execution fails). Change sets are stored beside the stacks,
// at changeset.STACK.NAME.
type changeSet struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Stack           string            `json:"stack"`
	StackID         string            `json:"stack_id"`
	Type            string            `json:"type"` // CREATE, UPDATE
	Status          string            `json:"status"`
	StatusReason    string            `json:"status_reason,omitempty"`
	ExecutionStatus string            `json:"execution_status"`
	Description     string            `json:"description,omitempty"`
	Created         time.Time         `json:"created"`
	Template        string            `json:"template"`
	TemplateDesc    string            `json:"template_description,omitempty"`
	Parameters      map[string]string `json:"parameters,omitempty"`
	NoEcho          []string          `json:"no_echo,omitempty"`
	Capabilities    []string          `json:"capabilities,omitempty"`
	Tags            []Tag             `json:"tags,omitempty"`
	OnStackFailure  string            `json:"on_stack_failure,omitempty"`
	Changes         []Change          `json:"changes,omitempty"`
	Digest          string            `json:"digest,omitempty"`
	Token           string            `json:"token,omitempty"`
	// Op is the stack operation executing the change set.
	Op string `json:"op,omitempty"`
}

// Change set statuses, as CloudFormation reports them.
const (
	csCreateComplete = "CREATE_COMPLETE"
	csFailed         = "FAILED"
	csAvailable      = "AVAILABLE"
	csUnavailable    = "UNAVAILABLE"
	csExecuting      = "EXECUTE_IN_PROGRESS"
	csNoChanges      = "The submitted information didn't contain changes. Submit different information to create a change set."
)

func changeSetKey(stack, name string) string { return "changeset." + stack + "." + name }

func (s *store) changeSet(ctx context.Context, stack, name string) (*changeSet, error) {
	e, err := s.kv.Get(ctx, changeSetKey(stack, name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("change set %s of stack %q: %w", name, stack, err)
	}
	var cs changeSet
	if err := json.Unmarshal(e.Value(), &cs); err != nil {
		return nil, fmt.Errorf("change set %s of stack %q: %w", name, stack, err)
	}
	return &cs, nil
}

func (s *store) putChangeSet(ctx context.Context, cs *changeSet) error {
	b, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	if _, err := s.kv.Put(ctx, changeSetKey(cs.Stack, cs.Name), b); err != nil {
		return fmt.Errorf("change set %s of stack %q: write: %w", cs.Name, cs.Stack, err)
	}
	return nil
}

func (s *store) deleteChangeSet(ctx context.Context, stack, name string) error {
	if err := s.kv.Delete(ctx, changeSetKey(stack, name)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("change set %s of stack %q: delete: %w", name, stack, err)
	}
	return nil
}

// changeSets lists the change sets of stack ("*": of every stack).
func (s *store) changeSets(ctx context.Context, stack string) ([]*changeSet, error) {
	keys, err := s.keys(ctx, "changeset."+stack+".")
	if err != nil {
		return nil, fmt.Errorf("change sets of stack %q: %w", stack, err)
	}
	var out []*changeSet
	for _, k := range keys {
		parts := strings.SplitN(k, ".", 3)
		if len(parts) != 3 {
			continue
		}
		if cs, err := s.changeSet(ctx, parts[1], parts[2]); err == nil && cs != nil {
			out = append(out, cs)
		}
	}
	return out, nil
}

// setExecutionStatus records how a change set's execution ended.
func (e *Engine) setExecutionStatus(ctx context.Context, stack, name, status string) {
	cs, err := e.store.changeSet(ctx, stack, name)
	if err != nil || cs == nil {
		return
	}
	cs.ExecutionStatus = status
	if err := e.store.putChangeSet(ctx, cs); err != nil {
		e.log.Warn("change set not updated", "stack", stack, "change_set", name, "err", err)
	}
}

// executionStatus is cs's execution status: one executing whose
// operation has ended is complete or failed as its stack ended, even before
// the worker records it.
func (e *Engine) executionStatus(ctx context.Context, cs *changeSet) string {
	if cs.ExecutionStatus != csExecuting {
		return cs.ExecutionStatus
	}
	st, _, err := e.store.get(ctx, cs.Stack)
	if err != nil || st == nil || st.API == nil || st.API.Op != cs.Op || st.InProgress() {
		return cs.ExecutionStatus
	}
	if st.Status == StatusCreateComplete || st.Status == StatusUpdateComplete {
		return "EXECUTE_COMPLETE"
	}
	return "EXECUTE_FAILED"
}

// dropChangeSets deletes the change sets of stack but keep.
func (e *Engine) dropChangeSets(ctx context.Context, stack, keep string) {
	list, err := e.store.changeSets(ctx, stack)
	if err != nil {
		e.log.Warn("change sets not listed", "stack", stack, "err", err)
		return
	}
	for _, cs := range list {
		if cs.Name != keep {
			_ = e.store.deleteChangeSet(ctx, stack, cs.Name)
		}
	}
}

var changeSetNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

// Inputs and outputs of the change set operations.
type (
	createChangeSetIn struct {
		StackName           string
		ChangeSetName       string
		ChangeSetType       string
		TemplateBody        string
		TemplateURL         string
		UsePreviousTemplate *bool
		Parameters          []cfnParamIn
		Capabilities        []string
		Tags                []Tag
		Description         string
		ClientToken         string
		OnStackFailure      string
	}
	createChangeSetOut struct {
		ID      string `xml:"Id"`
		StackID string `xml:"StackId"`
	}
	changeSetIn struct {
		ChangeSetName string
		StackName     string
	}
	executeChangeSetIn struct {
		ChangeSetName      string
		StackName          string
		ClientRequestToken string
		DisableRollback    *bool
	}
	listChangeSetsIn struct {
		StackName string
	}
	// emptyResult is an empty <OperationResult> (ExecuteChangeSet and
	// DeleteChangeSet have one; DeleteStack has none: awsapi.None).
	emptyResult struct{}
	cfnTarget   struct {
		Attribute          string `xml:"Attribute"`
		Name               string `xml:"Name,omitempty"`
		RequiresRecreation string `xml:"RequiresRecreation,omitempty"`
	}
	cfnChangeDetail struct {
		Target       cfnTarget `xml:"Target"`
		Evaluation   string    `xml:"Evaluation"`
		ChangeSource string    `xml:"ChangeSource"`
	}
	cfnResourceChange struct {
		Action             string            `xml:"Action"`
		LogicalResourceID  string            `xml:"LogicalResourceId"`
		PhysicalResourceID string            `xml:"PhysicalResourceId,omitempty"`
		ResourceType       string            `xml:"ResourceType"`
		Replacement        string            `xml:"Replacement,omitempty"`
		Scope              []string          `xml:"Scope>member"`
		Details            []cfnChangeDetail `xml:"Details>member"`
	}
	cfnChange struct {
		Type           string            `xml:"Type"`
		ResourceChange cfnResourceChange `xml:"ResourceChange"`
	}
	describeChangeSetOut struct {
		ChangeSetName   string         `xml:"ChangeSetName"`
		ChangeSetID     string         `xml:"ChangeSetId"`
		StackID         string         `xml:"StackId"`
		StackName       string         `xml:"StackName"`
		Description     string         `xml:"Description,omitempty"`
		Parameters      []cfnParameter `xml:"Parameters>member"`
		CreationTime    string         `xml:"CreationTime"`
		ExecutionStatus string         `xml:"ExecutionStatus"`
		Status          string         `xml:"Status"`
		StatusReason    string         `xml:"StatusReason,omitempty"`
		Capabilities    []string       `xml:"Capabilities>member"`
		Tags            []Tag          `xml:"Tags>member"`
		Changes         []cfnChange    `xml:"Changes>member"`
		OnStackFailure  string         `xml:"OnStackFailure,omitempty"`
	}
	cfnChangeSetSummary struct {
		StackID         string `xml:"StackId"`
		StackName       string `xml:"StackName"`
		ChangeSetID     string `xml:"ChangeSetId"`
		ChangeSetName   string `xml:"ChangeSetName"`
		ExecutionStatus string `xml:"ExecutionStatus"`
		Status          string `xml:"Status"`
		StatusReason    string `xml:"StatusReason,omitempty"`
		CreationTime    string `xml:"CreationTime"`
		Description     string `xml:"Description,omitempty"`
	}
	listChangeSetsOut struct {
		Summaries []cfnChangeSetSummary `xml:"Summaries>member"`
	}
)

func (e *Engine) changeSetID(name string) string {
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:changeSet/%s/%s", e.opts.Partition, e.opts.Account.Region, e.opts.Account.ID, name, newOpID())
}

func (e *Engine) createChangeSet(c *awsapi.Call, in *createChangeSetIn) (createChangeSetOut, error) {
	ctx := c.Context()
	name, err := stackNameParam(in.StackName)
	if err != nil {
		return createChangeSetOut{}, err
	}
	if !changeSetNameRE.MatchString(in.ChangeSetName) {
		return createChangeSetOut{}, cfnValidation("1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	typ := in.ChangeSetType
	switch typ {
	case "":
		typ = "UPDATE"
	case "CREATE", "UPDATE":
	case "IMPORT":
		return createChangeSetOut{}, cfnValidation("ChangeSetType IMPORT: nubo does not import existing resources into stacks")
	default:
		return createChangeSetOut{}, cfnValidation("ChangeSetType %q: want CREATE or UPDATE", in.ChangeSetType)
	}
	switch in.OnStackFailure {
	case "", "ROLLBACK", "DELETE", "DO_NOTHING":
	default:
		return createChangeSetOut{}, cfnValidation("OnStackFailure %q: want ROLLBACK, DELETE or DO_NOTHING", in.OnStackFailure)
	}
	usePrevious := boolOf(in.UsePreviousTemplate)
	var body string
	if usePrevious {
		if typ == "CREATE" {
			return createChangeSetOut{}, cfnValidation("UsePreviousTemplate: a CREATE change set has no previous template")
		}
	} else if body, err = templateParam(in.TemplateBody, in.TemplateURL); err != nil {
		return createChangeSetOut{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return createChangeSetOut{}, err
	}
	var out createChangeSetOut
	err = e.withLock(ctx, name, func(prior *StackState) error {
		if prior != nil && !sameStack(prior, in.StackName) {
			prior = nil
		}
		stub := false
		switch {
		case typ == "CREATE" && prior == nil:
			now := time.Now().UTC()
			prior = &StackState{Name: name, ID: e.stackID(name), Status: StatusReviewInProgress, Resources: map[string]*ResourceState{}, Created: now, Updated: now}
			stub = true
		case typ == "CREATE" && prior.Status != StatusReviewInProgress:
			return cfnValidation("Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, in.ChangeSetName)
		case typ == "UPDATE" && (prior == nil || prior.Status == StatusReviewInProgress):
			return cfnValidation("Stack [%s] does not exist", in.StackName)
		case typ == "UPDATE":
			if err := updatable(prior); err != nil {
				return err
			}
		}
		old, err := e.store.changeSet(ctx, name, in.ChangeSetName)
		if err != nil {
			return err
		}
		if old != nil {
			if in.ClientToken != "" && old.Token == in.ClientToken {
				out = createChangeSetOut{ID: old.ID, StackID: old.StackID}
				return nil
			}
			return awsapi.Errorf(http.StatusBadRequest, "AlreadyExistsException", "ChangeSet %s already exists", in.ChangeSetName)
		}
		if usePrevious {
			body = prior.Template
		}
		params, err := parameterValues(in.Parameters, prior.Parameters)
		if err != nil {
			return err
		}
		if err := e.checkTemplateCapabilities(name, prior.ID, body, false, in.Capabilities); err != nil {
			return err
		}
		req := PlanRequest{Stack: name, Template: body, Parameters: params, NoPreviousParameters: true}
		p, err := e.planFor(ctx, req, prior.clone())
		if err != nil {
			return err
		}
		cs := &changeSet{ID: e.changeSetID(in.ChangeSetName), Name: in.ChangeSetName, Stack: name, StackID: prior.ID, Type: typ,
			Status: csCreateComplete, ExecutionStatus: csAvailable, Description: in.Description, Created: time.Now().UTC(),
			Template: body, TemplateDesc: p.tmpl.Description, Parameters: p.rawParams, NoEcho: p.noEcho, Capabilities: in.Capabilities,
			Tags: in.Tags, OnStackFailure: in.OnStackFailure, Changes: p.Changes, Digest: p.Digest, Token: in.ClientToken}
		if cs.Tags == nil && prior.API != nil {
			cs.Tags = prior.API.Tags
		}
		if typ == "UPDATE" && p.Empty() && equalParams(p.rawParams, prior.Parameters) {
			cs.Status, cs.StatusReason, cs.ExecutionStatus = csFailed, csNoChanges, csUnavailable
		}
		if stub {
			if err := e.store.put(ctx, prior); err != nil {
				return err
			}
			r := &run{e: e, ctx: ctx, cur: prior}
			r.stackEvent(StatusReviewInProgress, "User Initiated")
			e.flushEvents()
		}
		if err := e.store.putChangeSet(ctx, cs); err != nil {
			return err
		}
		out = createChangeSetOut{ID: cs.ID, StackID: cs.StackID}
		return nil
	})
	if err != nil {
		return createChangeSetOut{}, cfnError(err)
	}
	return out, nil
}

// findChangeSet is the change set ChangeSetName names (a name with
// StackName, or a change set id).
func (e *Engine) findChangeSet(ctx context.Context, csName, stack string) (*changeSet, error) {
	if csName == "" {
		return nil, cfnValidation("1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null")
	}
	notFound := awsapi.Errorf(http.StatusNotFound, "ChangeSetNotFound", "ChangeSet [%s] does not exist", csName)
	if strings.HasPrefix(csName, "arn:") {
		_, rest, ok := strings.Cut(csName, ":changeSet/")
		if !ok {
			return nil, notFound
		}
		name, _, _ := strings.Cut(rest, "/")
		scope := "*"
		if stack != "" {
			scope = stackNameOf(stack)
		}
		if !changeSetNameRE.MatchString(name) || (scope != "*" && ValidStackName(scope) != nil) {
			return nil, notFound
		}
		list, err := e.store.changeSets(ctx, scope)
		if err != nil {
			return nil, err
		}
		for _, cs := range list {
			if cs.Name == name && cs.ID == csName {
				return cs, nil
			}
		}
		return nil, notFound
	}
	if stack == "" {
		return nil, cfnValidation("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	if !changeSetNameRE.MatchString(csName) || ValidStackName(stackNameOf(stack)) != nil {
		return nil, notFound
	}
	cs, err := e.store.changeSet(ctx, stackNameOf(stack), csName)
	if err != nil {
		return nil, err
	}
	if cs == nil || (strings.HasPrefix(stack, "arn:") && cs.StackID != stack) {
		return nil, notFound
	}
	return cs, nil
}

func (e *Engine) describeChangeSet(c *awsapi.Call, in *changeSetIn) (describeChangeSetOut, error) {
	cs, err := e.findChangeSet(c.Context(), in.ChangeSetName, in.StackName)
	if err != nil {
		return describeChangeSetOut{}, err
	}
	out := describeChangeSetOut{ChangeSetName: cs.Name, ChangeSetID: cs.ID, StackID: cs.StackID, StackName: cs.Stack,
		Description: cs.Description, CreationTime: cfnTime(cs.Created), ExecutionStatus: e.executionStatus(c.Context(), cs), Status: cs.Status,
		StatusReason: cs.StatusReason, Capabilities: cs.Capabilities, Tags: cs.Tags, OnStackFailure: cs.OnStackFailure,
		Changes: []cfnChange{}}
	for _, k := range sortedKeys(cs.Parameters) {
		v := cs.Parameters[k]
		if containsString(cs.NoEcho, k) {
			v = Masked
		}
		out.Parameters = append(out.Parameters, cfnParameter{k, v})
	}
	for _, ch := range cs.Changes {
		out.Changes = append(out.Changes, cfnChange{Type: "Resource", ResourceChange: resourceChange(ch)})
	}
	return out, nil
}

// resourceChange is a plan's change as a change set shows it.
func resourceChange(ch Change) cfnResourceChange {
	rc := cfnResourceChange{LogicalResourceID: ch.LogicalID, PhysicalResourceID: ch.PhysicalID, ResourceType: ch.Type}
	switch ch.Action {
	case ActionCreate:
		rc.Action = "Add"
	case ActionDelete:
		rc.Action = "Remove"
	default:
		rc.Action, rc.Replacement, rc.Scope = "Modify", "False", []string{"Properties"}
		if ch.Action == ActionReplace {
			rc.Replacement = "True"
		}
		seen := map[string]int{}
		for _, pc := range ch.Props {
			name := pc.Path
			if i := strings.IndexAny(name, "./["); i > 0 {
				name = name[:i]
			}
			recreate := "Never"
			if pc.ForcesReplacement {
				recreate = "Always"
			}
			if i, ok := seen[name]; ok {
				if recreate == "Always" {
					rc.Details[i].Target.RequiresRecreation = recreate
				}
				continue
			}
			seen[name] = len(rc.Details)
			rc.Details = append(rc.Details, cfnChangeDetail{Target: cfnTarget{Attribute: "Properties", Name: name, RequiresRecreation: recreate},
				Evaluation: "Static", ChangeSource: "DirectModification"})
		}
	}
	return rc
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func (e *Engine) executeChangeSet(c *awsapi.Call, in *executeChangeSetIn) (emptyResult, error) {
	ctx := c.Context()
	cs, err := e.findChangeSet(ctx, in.ChangeSetName, in.StackName)
	if err != nil {
		return emptyResult{}, err
	}
	if cs.Status != csCreateComplete || cs.ExecutionStatus != csAvailable {
		if in.ClientRequestToken != "" && cs.ExecutionStatus != csAvailable {
			if st, _, err := e.store.get(ctx, cs.Stack); err == nil && st != nil && st.API != nil && st.API.Token == in.ClientRequestToken {
				return emptyResult{}, nil // this request, made again
			}
		}
		return emptyResult{}, awsapi.Errorf(http.StatusBadRequest, "InvalidChangeSetStatus",
			"ChangeSet [%s] cannot be executed in its current status of [%s] and execution status of [%s]", cs.ID, cs.Status, cs.ExecutionStatus)
	}
	noRollback := boolOf(in.DisableRollback) || cs.OnStackFailure == "DO_NOTHING"
	_, err = e.begin(ctx, cs.Stack, func(prior *StackState) (*StackState, *queuedOp, error) {
		if prior == nil || prior.ID != cs.StackID {
			return nil, nil, cfnValidation("Stack [%s] does not exist", cs.Stack)
		}
		creating := cs.Type == "CREATE"
		if creating && prior.Status != StatusReviewInProgress {
			return nil, nil, cfnValidation("Stack:%s is in %s state and can not be updated.", prior.ID, prior.Status)
		}
		if !creating {
			if err := updatable(prior); err != nil {
				return nil, nil, err
			}
		}
		next := prior.clone()
		next.Status, next.Reason = StatusUpdateInProgress, ""
		if creating {
			next.Status = StatusCreateInProgress
		}
		next.Updated = time.Now().UTC()
		next.API = &APIRequest{Op: newOpID(), Token: in.ClientRequestToken, Capabilities: cs.Capabilities, Tags: cs.Tags,
			Description: cs.TemplateDesc, DisableRollback: noRollback}
		req := PlanRequest{Stack: cs.Stack, Template: cs.Template, Parameters: cs.Parameters, NoPreviousParameters: true}
		return next, &queuedOp{ID: next.API.Op, Token: in.ClientRequestToken, Stack: cs.Stack, Kind: "deploy", FromVersion: prior.Version, Creating: creating,
			DeleteOnFailure: cs.OnStackFailure == "DELETE", ChangeSet: cs.Name,
			Deploy: &DeployRequest{PlanRequest: req, PlanDigest: cs.Digest, NoRollback: noRollback}}, nil
	}, func(op *queuedOp) error {
		// Before the operation is queued (its worker waits for the lock):
		// the change set is executing, and the others no longer apply.
		e.dropChangeSets(ctx, cs.Stack, cs.Name)
		cs.ExecutionStatus, cs.Op = csExecuting, op.ID
		return e.store.putChangeSet(ctx, cs)
	})
	if err != nil {
		return emptyResult{}, cfnError(err)
	}
	return emptyResult{}, nil
}

func (e *Engine) deleteChangeSet(c *awsapi.Call, in *changeSetIn) (emptyResult, error) {
	ctx := c.Context()
	cs, err := e.findChangeSet(ctx, in.ChangeSetName, in.StackName)
	if err != nil {
		return emptyResult{}, err
	}
	if cs.ExecutionStatus == csExecuting {
		return emptyResult{}, awsapi.Errorf(http.StatusBadRequest, "InvalidChangeSetStatus", "Cannot delete ChangeSet [%s] in execution status %s", cs.ID, cs.ExecutionStatus)
	}
	return emptyResult{}, e.store.deleteChangeSet(ctx, cs.Stack, cs.Name)
}

func (e *Engine) listChangeSets(c *awsapi.Call, in *listChangeSetsIn) (listChangeSetsOut, error) {
	ctx := c.Context()
	st, err := e.stackFor(ctx, in.StackName)
	if err != nil {
		return listChangeSetsOut{}, err
	}
	list, err := e.store.changeSets(ctx, st.Name)
	if err != nil {
		return listChangeSetsOut{}, err
	}
	out := listChangeSetsOut{Summaries: []cfnChangeSetSummary{}}
	for _, cs := range list {
		if cs.StackID != st.ID {
			continue
		}
		out.Summaries = append(out.Summaries, cfnChangeSetSummary{StackID: cs.StackID, StackName: cs.Stack, ChangeSetID: cs.ID, ChangeSetName: cs.Name,
			ExecutionStatus: e.executionStatus(ctx, cs), Status: cs.Status, StatusReason: cs.StatusReason, CreationTime: cfnTime(cs.Created), Description: cs.Description})
	}
	return out, nil
}
