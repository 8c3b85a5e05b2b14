package stacks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Inputs of the CloudFormation operations that change stacks.
type (
	cfnParamIn struct {
		ParameterKey     string
		ParameterValue   *string
		UsePreviousValue *bool
	}
	createStackIn struct {
		StackName          string
		TemplateBody       string
		TemplateURL        string
		Parameters         []cfnParamIn
		Capabilities       []string
		Tags               []Tag
		DisableRollback    *bool
		OnFailure          string
		ClientRequestToken string
	}
	updateStackIn struct {
		StackName           string
		TemplateBody        string
		TemplateURL         string
		UsePreviousTemplate *bool
		Parameters          []cfnParamIn
		Capabilities        []string
		Tags                []Tag
		DisableRollback     *bool
		ClientRequestToken  string
	}
	deleteStackIn struct {
		StackName          string
		ClientRequestToken string
	}
	stackIDOut struct {
		StackID string `xml:"StackId"`
	}
)

// cfnValidation is CloudFormation's ValidationError.
func cfnValidation(format string, args ...any) *awsapi.Error {
	return awsapi.Errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

// cfnError is err as the CloudFormation API answers it: the request's own
// errors as they are, a busy stack CloudFormation's ValidationError, and
// anything else (the backbone failing) a server error.
func cfnError(err error) error {
	var ae *awsapi.Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, ErrStackBusy):
		return cfnValidation("%s", err.Error())
	}
	return awsapi.InternalError(err)
}

// newOpID is the id of a stack operation or change set.
func newOpID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// stackNameOf is the stack name a StackName parameter gives: a name, or a
// stack id (arn:...:stack/NAME/UUID).
func stackNameOf(nameOrID string) string {
	if !strings.HasPrefix(nameOrID, "arn:") {
		return nameOrID
	}
	_, rest, ok := strings.Cut(nameOrID, ":stack/")
	if !ok {
		return nameOrID
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// stackNameParam checks a StackName parameter and returns the name.
func stackNameParam(nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", cfnValidation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	name := stackNameOf(nameOrID)
	if err := ValidStackName(name); err != nil {
		return "", cfnValidation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", nameOrID)
	}
	return name, nil
}

// sameStack reports whether nameOrID names st (a stack id must be its id).
func sameStack(st *StackState, nameOrID string) bool {
	return st != nil && (!strings.HasPrefix(nameOrID, "arn:") || st.ID == nameOrID)
}

// templateParam is the template a request passes: TemplateBody, or (nubo
// has no S3) a clear refusal of TemplateURL.
func templateParam(body, url string) (string, error) {
	switch {
	case url != "" && body != "":
		return "", cfnValidation("Specify exactly one of TemplateBody and TemplateURL")
	case url != "":
		return "", cfnValidation("TemplateURL %q: nubo has no S3 to read templates from; pass the template as TemplateBody (aws cloudformation deploy does for templates under 51,200 bytes), or deploy with nubo deploy", url)
	case body == "":
		return "", cfnValidation("Either Template URL or Template Body must be specified.")
	}
	return body, nil
}

// parameterValues are the values a request gives; UsePreviousValue takes
// the stack's previous one.
func parameterValues(in []cfnParamIn, previous map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for i, p := range in {
		if p.ParameterKey == "" {
			return nil, cfnValidation("Parameters.member.%d.ParameterKey: a parameter needs a key", i+1)
		}
		if p.UsePreviousValue != nil && *p.UsePreviousValue {
			if p.ParameterValue != nil {
				return nil, cfnValidation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true and a parameter value at the same time", p.ParameterKey)
			}
			v, ok := previous[p.ParameterKey]
			if !ok {
				return nil, cfnValidation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", p.ParameterKey)
			}
			out[p.ParameterKey] = v
			continue
		}
		if p.ParameterValue == nil {
			return nil, cfnValidation("Invalid input for parameter key %s. Need to specify either usePreviousValue as true or a value for the parameter", p.ParameterKey)
		}
		out[p.ParameterKey] = *p.ParameterValue
	}
	return out, nil
}

var tagKeyRE = regexp.MustCompile(`^.{1,128}$`)

func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return cfnValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for i, t := range tags {
		if !tagKeyRE.MatchString(t.Key) || strings.HasPrefix(t.Key, "aws:") {
			return cfnValidation("Tags.member.%d.Key %q: a key has 1 to 128 characters and does not start with aws:", i+1, t.Key)
		}
		if len(t.Value) > 256 {
			return cfnValidation("Tags.member.%d.Value: at most 256 characters", i+1)
		}
	}
	return nil
}

// Capabilities CloudFormation asks to be acknowledged.
const (
	CapabilityIAM        = "CAPABILITY_IAM"
	CapabilityNamedIAM   = "CAPABILITY_NAMED_IAM"
	CapabilityAutoExpand = "CAPABILITY_AUTO_EXPAND"
)

// iamNameProps are the IAM resource types and the property that names one.
var iamNameProps = map[string]string{
	"AWS::IAM::AccessKey":           "",
	"AWS::IAM::Group":               "GroupName",
	"AWS::IAM::InstanceProfile":     "InstanceProfileName",
	"AWS::IAM::ManagedPolicy":       "ManagedPolicyName",
	"AWS::IAM::Policy":              "",
	"AWS::IAM::Role":                "RoleName",
	"AWS::IAM::User":                "UserName",
	"AWS::IAM::UserToGroupAddition": "",
}

// requiredCapabilities is what t (processed) needs acknowledged, and why:
// CAPABILITY_NAMED_IAM for an IAM resource with a custom name,
// CAPABILITY_IAM for other IAM resources, and CAPABILITY_AUTO_EXPAND for a
// transformed template deployed without a change set (direct).
func requiredCapabilities(t *Template, direct bool) (caps []string, reason string) {
	var named, unnamed []string
	for _, id := range t.ids {
		r := t.Resources[id]
		prop, ok := iamNameProps[r.Type]
		if !ok {
			continue
		}
		if _, has := r.Properties[prop]; prop != "" && has {
			named = append(named, id)
		} else {
			unnamed = append(unnamed, id)
		}
	}
	switch {
	case len(named) > 0:
		caps = append(caps, CapabilityNamedIAM)
		reason = "The following resource(s) require capabilities: [" + strings.Join(typesOf(t, append(named, unnamed...)), ", ") + "]"
	case len(unnamed) > 0:
		caps = append(caps, CapabilityIAM)
		reason = "The following resource(s) require capabilities: [" + strings.Join(typesOf(t, unnamed), ", ") + "]"
	}
	if direct && len(t.Transform) > 0 {
		caps = append(caps, CapabilityAutoExpand)
	}
	return caps, reason
}

func typesOf(t *Template, ids []string) []string {
	var out []string
	for _, id := range ids {
		if typ := t.Resources[id].Type; !slices.Contains(out, typ) {
			out = append(out, typ)
		}
	}
	sort.Strings(out)
	return out
}

// checkCapabilities refuses a template whose capabilities the request did
// not acknowledge (CAPABILITY_NAMED_IAM covers CAPABILITY_IAM).
func checkCapabilities(t *Template, direct bool, given []string) error {
	need, _ := requiredCapabilities(t, direct)
	var missing []string
	for _, c := range need {
		if slices.Contains(given, c) || (c == CapabilityIAM && slices.Contains(given, CapabilityNamedIAM)) {
			continue
		}
		missing = append(missing, c)
	}
	if len(missing) > 0 {
		return awsapi.Errorf(http.StatusBadRequest, "InsufficientCapabilitiesException", "Requires capabilities : [%s]", strings.Join(missing, ", "))
	}
	for _, c := range given {
		if c != CapabilityIAM && c != CapabilityNamedIAM && c != CapabilityAutoExpand {
			return cfnValidation("Capabilities: %q is not one of CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND", c)
		}
	}
	return nil
}

// checkTemplateCapabilities parses body as the plan will (its transforms
// applied) and refuses it when the request did not acknowledge what it
// needs, before any resource type is looked at (as CloudFormation does),
// or when its code is in local files the request does not carry.
func (e *Engine) checkTemplateCapabilities(stack, id, body string, direct bool, given []string) error {
	t, err := e.parseFor(stack, id, body)
	if err != nil {
		return err
	}
	if err := checkCapabilities(t, direct, given); err != nil {
		return err
	}
	return noLocalCode(t)
}

// localCodeProps are the properties that name a function's or layer's code
// location; a plain string there is a local path (nubo deploy packages it).
var localCodeProps = map[string]string{
	"AWS::Lambda::Function":     "Code",
	"AWS::Lambda::LayerVersion": "Content",
}

// noLocalCode refuses a template whose code is a local path: the
// CloudFormation API receives the template alone, without its directory.
func noLocalCode(t *Template) error {
	for _, id := range t.ids {
		r := t.Resources[id]
		if prop, ok := localCodeProps[r.Type]; ok {
			if path, isPath := r.Properties[prop].(string); isPath {
				return cfnValidation("Resource %s: its code is the local path %q, which the CloudFormation API does not receive with the template: deploy it with nubo deploy, which packages local code, or give the code inline (ZipFile, InlineCode)", id, path)
			}
		}
	}
	return nil
}

// planFor plans req against prior for the CloudFormation API: a plan error
// or refusal is the request's ValidationError.
func (e *Engine) planFor(ctx context.Context, req PlanRequest, prior *StackState) (*Plan, error) {
	if prior != nil && prior.InProgress() {
		prior = prior.clone()
		e.recoverPending(ctx, prior)
	}
	p, err := e.plan(ctx, req, prior)
	if err != nil {
		var ae *awsapi.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, cfnValidation("%s", err.Error()) // the template, its parameters or resources
	}
	if len(p.Refusals) > 0 {
		return nil, cfnValidation("%s", (&RefusedError{Stack: req.Stack, Reasons: p.Refusals}).Error())
	}
	return p, nil
}

func boolOf(b *bool) bool { return b != nil && *b }

func (e *Engine) createStack(c *awsapi.Call, in *createStackIn) (stackIDOut, error) {
	ctx := c.Context()
	name, err := stackNameParam(in.StackName)
	if err != nil {
		return stackIDOut{}, err
	}
	if name != in.StackName {
		return stackIDOut{}, cfnValidation("StackName %q: a new stack is named, not given by id", in.StackName)
	}
	body, err := templateParam(in.TemplateBody, in.TemplateURL)
	if err != nil {
		return stackIDOut{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return stackIDOut{}, err
	}
	switch in.OnFailure {
	case "", "ROLLBACK", "DELETE", "DO_NOTHING":
	default:
		return stackIDOut{}, cfnValidation("OnFailure %q: want ROLLBACK, DELETE or DO_NOTHING", in.OnFailure)
	}
	if in.OnFailure != "" && in.DisableRollback != nil {
		return stackIDOut{}, cfnValidation("You can specify either DisableRollback or OnFailure, but not both.")
	}
	params, err := parameterValues(in.Parameters, nil)
	if err != nil {
		return stackIDOut{}, err
	}
	noRollback := boolOf(in.DisableRollback) || in.OnFailure == "DO_NOTHING"
	st, err := e.begin(ctx, name, func(prior *StackState) (*StackState, *queuedOp, error) {
		if prior != nil {
			if in.ClientRequestToken != "" && prior.API != nil && prior.API.Token == in.ClientRequestToken {
				return prior, nil, nil // this request, made again
			}
			return nil, nil, awsapi.Errorf(http.StatusBadRequest, "AlreadyExistsException", "Stack [%s] already exists", name)
		}
		now := time.Now().UTC()
		stub := &StackState{Name: name, ID: e.stackID(name), Status: StatusCreateInProgress, Resources: map[string]*ResourceState{}, Created: now, Updated: now}
		if err := e.checkTemplateCapabilities(name, stub.ID, body, true, in.Capabilities); err != nil {
			return nil, nil, err
		}
		req := PlanRequest{Stack: name, Template: body, Parameters: params, NoPreviousParameters: true}
		p, err := e.planFor(ctx, req, stub.clone())
		if err != nil {
			return nil, nil, err
		}
		stub.API = &APIRequest{Op: newOpID(), Token: in.ClientRequestToken, Capabilities: in.Capabilities, Tags: in.Tags,
			Description: p.tmpl.Description, DisableRollback: noRollback}
		return stub, &queuedOp{ID: stub.API.Op, Token: in.ClientRequestToken, Stack: name, Kind: "deploy", Creating: true, DeleteOnFailure: in.OnFailure == "DELETE",
			Deploy: &DeployRequest{PlanRequest: req, NoRollback: noRollback}}, nil
	})
	if err != nil {
		return stackIDOut{}, cfnError(err)
	}
	return stackIDOut{StackID: st.ID}, nil
}

func (e *Engine) updateStack(c *awsapi.Call, in *updateStackIn) (stackIDOut, error) {
	ctx := c.Context()
	name, err := stackNameParam(in.StackName)
	if err != nil {
		return stackIDOut{}, err
	}
	usePrevious := boolOf(in.UsePreviousTemplate)
	var body string
	if usePrevious {
		if in.TemplateBody != "" || in.TemplateURL != "" {
			return stackIDOut{}, cfnValidation("You cannot specify both usePreviousTemplate and Template Body/Template URL")
		}
	} else if body, err = templateParam(in.TemplateBody, in.TemplateURL); err != nil {
		return stackIDOut{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return stackIDOut{}, err
	}
	st, err := e.begin(ctx, name, func(prior *StackState) (*StackState, *queuedOp, error) {
		if !sameStack(prior, in.StackName) || prior.Status == StatusReviewInProgress {
			return nil, nil, cfnValidation("Stack [%s] does not exist", in.StackName)
		}
		if in.ClientRequestToken != "" && prior.API != nil && prior.API.Token == in.ClientRequestToken {
			return prior, nil, nil
		}
		if err := updatable(prior); err != nil {
			return nil, nil, err
		}
		if usePrevious {
			body = prior.Template
		}
		params, err := parameterValues(in.Parameters, prior.Parameters)
		if err != nil {
			return nil, nil, err
		}
		if err := e.checkTemplateCapabilities(name, prior.ID, body, true, in.Capabilities); err != nil {
			return nil, nil, err
		}
		req := PlanRequest{Stack: name, Template: body, Parameters: params, NoPreviousParameters: true}
		p, err := e.planFor(ctx, req, prior.clone())
		if err != nil {
			return nil, nil, err
		}
		tags := in.Tags
		if tags == nil && prior.API != nil {
			tags = prior.API.Tags // not given: kept
		}
		if p.Empty() && equalParams(p.rawParams, prior.Parameters) && (prior.API == nil || slices.Equal(tags, prior.API.Tags)) {
			return nil, nil, cfnValidation("No updates are to be performed.")
		}
		next := prior.clone()
		next.Status, next.Reason = StatusUpdateInProgress, ""
		next.Updated = time.Now().UTC()
		next.API = &APIRequest{Op: newOpID(), Token: in.ClientRequestToken, Capabilities: in.Capabilities, Tags: tags,
			Description: p.tmpl.Description, DisableRollback: boolOf(in.DisableRollback)}
		return next, &queuedOp{ID: next.API.Op, Token: in.ClientRequestToken, Stack: name, Kind: "deploy", FromVersion: prior.Version,
			Deploy: &DeployRequest{PlanRequest: req, NoRollback: boolOf(in.DisableRollback)}}, nil
	})
	if err != nil {
		return stackIDOut{}, cfnError(err)
	}
	return stackIDOut{StackID: st.ID}, nil
}

// updatable refuses an update of a stack in a status CloudFormation does
// not update from.
func updatable(st *StackState) error {
	switch {
	case st.InProgress(),
		st.Status == StatusRollbackComplete, st.Status == StatusRollbackFailed, st.Status == StatusDeleteFailed:
		return cfnValidation("Stack:%s is in %s state and can not be updated.", st.ID, st.Status)
	}
	return nil
}

func equalParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (e *Engine) deleteStack(c *awsapi.Call, in *deleteStackIn) (awsapi.None, error) {
	ctx := c.Context()
	name, err := stackNameParam(in.StackName)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = e.begin(ctx, name, func(prior *StackState) (*StackState, *queuedOp, error) {
		if !sameStack(prior, in.StackName) || prior.Status == StatusDeleteInProgress {
			return nil, nil, nil // nothing to delete, or being deleted: CloudFormation answers success
		}
		if prior.InProgress() {
			return nil, nil, cfnValidation("Stack [%s] cannot be deleted while in status %s", name, prior.Status)
		}
		next := prior.clone()
		next.Status, next.Reason = StatusDeleteInProgress, ""
		api := APIRequest{}
		if prior.API != nil {
			api = *prior.API
		}
		api.Op, api.Token = newOpID(), in.ClientRequestToken
		next.API = &api
		return next, &queuedOp{ID: api.Op, Token: in.ClientRequestToken, Stack: name, Kind: "destroy", FromVersion: prior.Version}, nil
	})
	if err != nil {
		return awsapi.None{}, cfnError(err)
	}
	return awsapi.None{}, nil
}

// errNoStack is the ValidationError for a stack that does not exist.
func errNoStack(nameOrID string) error {
	return cfnValidation("Stack with id %s does not exist", nameOrID)
}
