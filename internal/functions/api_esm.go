package functions

import (
	"net/http"
	"strconv"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The Lambda API's event source mapping operations (esm.go). Get, Update
// and Delete are authorized on the mapping's ARN
// (arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID), Create and
// List on "*"; each with lambda:FunctionArn when the request names a
// function.

func (a *lambdaAPI) esmOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[esmInput, esmOutput]{Name: "CreateEventSourceMapping", Action: "lambda:CreateEventSourceMapping",
			HTTP: "POST /2015-03-31/event-source-mappings", Status: http.StatusAccepted,
			Resources: func(c *awsapi.Call, in *esmInput) ([]awsapi.Target, error) {
				return []awsapi.Target{a.esmTarget("*", in.FunctionName)}, nil
			}, Handler: a.createESM},
		awsapi.Op[listESMInput, listESMOutput]{Name: "ListEventSourceMappings", Action: "lambda:ListEventSourceMappings",
			HTTP: "GET /2015-03-31/event-source-mappings",
			Resources: func(c *awsapi.Call, in *listESMInput) ([]awsapi.Target, error) {
				return []awsapi.Target{{Resource: "*"}}, nil
			}, Handler: a.listESM},
		awsapi.Op[esmRef, esmOutput]{Name: "GetEventSourceMapping", Action: "lambda:GetEventSourceMapping",
			HTTP: "GET /2015-03-31/event-source-mappings/{UUID}", Resources: a.esmRefTarget, Handler: a.getESM},
		awsapi.Op[esmInput, esmOutput]{Name: "UpdateEventSourceMapping", Action: "lambda:UpdateEventSourceMapping",
			HTTP: "PUT /2015-03-31/event-source-mappings/{UUID}", Status: http.StatusAccepted,
			Resources: func(c *awsapi.Call, in *esmInput) ([]awsapi.Target, error) {
				return a.esmRefTarget(c, &esmRef{UUID: in.UUID})
			}, Handler: a.updateESM},
		awsapi.Op[esmRef, esmOutput]{Name: "DeleteEventSourceMapping", Action: "lambda:DeleteEventSourceMapping",
			HTTP: "DELETE /2015-03-31/event-source-mappings/{UUID}", Status: http.StatusAccepted, Resources: a.esmRefTarget, Handler: a.deleteESM},
	}
}

// esmTarget is a mapping's target with lambda:FunctionArn of fn.
func (a *lambdaAPI) esmTarget(resource, fn string) awsapi.Target {
	t := awsapi.Target{Resource: resource}
	if fn != "" {
		if name, qual, err := parseFunctionRef(fn); err == nil {
			t.Context = map[string][]string{"lambda:FunctionArn": {a.s.qualifiedARN(name, qual)}}
		}
	}
	return t
}

func (a *lambdaAPI) esmRefTarget(c *awsapi.Call, in *esmRef) ([]awsapi.Target, error) {
	fn := ""
	if m, err := a.esm.Get(c.Context(), in.UUID); err == nil {
		fn = m.Function
	}
	return []awsapi.Target{a.esmTarget(a.esm.ARN(in.UUID), fn)}, nil
}

type esmRef struct {
	UUID string `aws:"uri=UUID" json:"-"`
}

// esmInput is CreateEventSourceMapping's and UpdateEventSourceMapping's body.
type esmInput struct {
	UUID                           string          `aws:"uri=UUID" json:"-"`
	FunctionName                   string          `json:"FunctionName"`
	EventSourceArn                 string          `json:"EventSourceArn"`
	BatchSize                      *int            `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int            `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string        `json:"FunctionResponseTypes"`
	FilterCriteria                 *FilterCriteria `json:"FilterCriteria"`
	ScalingConfig                  *ScalingConfig  `json:"ScalingConfig"`
	Enabled                        *bool           `json:"Enabled"`
	StartingPosition               string          `json:"StartingPosition"`
}

func (in *esmInput) mapping() MappingInput {
	return MappingInput{FunctionName: in.FunctionName, EventSourceArn: in.EventSourceArn, BatchSize: in.BatchSize,
		MaxBatchingWindow: in.MaximumBatchingWindowInSeconds, FunctionResponseTypes: in.FunctionResponseTypes,
		FilterCriteria: in.FilterCriteria, ScalingConfig: in.ScalingConfig, Enabled: in.Enabled}
}

// esmOutput is EventSourceMappingConfiguration.
type esmOutput struct {
	UUID                           string          `json:"UUID"`
	EventSourceMappingArn          string          `json:"EventSourceMappingArn"`
	EventSourceArn                 string          `json:"EventSourceArn"`
	FunctionArn                    string          `json:"FunctionArn"`
	BatchSize                      int             `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int             `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string        `json:"FunctionResponseTypes,omitempty"`
	FilterCriteria                 *FilterCriteria `json:"FilterCriteria,omitempty"`
	ScalingConfig                  *ScalingConfig  `json:"ScalingConfig,omitempty"`
	State                          string          `json:"State"`
	StateTransitionReason          string          `json:"StateTransitionReason"`
	LastModified                   float64         `json:"LastModified"`
	LastProcessingResult           string          `json:"LastProcessingResult,omitempty"`
}

func (a *lambdaAPI) esmOut(m *Mapping, state string) esmOutput {
	if state == "" {
		state = m.State()
	}
	name, qual := functionPart(m.Function), qualifierPart(m.Function)
	return esmOutput{UUID: m.UUID, EventSourceMappingArn: a.esm.ARN(m.UUID), EventSourceArn: m.EventSourceArn,
		FunctionArn: a.s.qualifiedARN(name, qual), BatchSize: m.BatchSize, MaximumBatchingWindowInSeconds: m.MaxBatchingWindow,
		FunctionResponseTypes: m.FunctionResponseTypes, FilterCriteria: m.FilterCriteria, ScalingConfig: m.ScalingConfig,
		State: state, StateTransitionReason: m.StateTransitionReason,
		LastModified: float64(m.LastModified.UnixMilli()) / 1000, LastProcessingResult: m.LastProcessingResult}
}

func (a *lambdaAPI) createESM(c *awsapi.Call, in *esmInput) (esmOutput, error) {
	if in.EventSourceArn == "" {
		return esmOutput{}, awsapi.InvalidParameter("EventSourceArn is required")
	}
	m, err := a.esm.Create(c.Context(), in.mapping())
	if err != nil {
		return esmOutput{}, err
	}
	return a.esmOut(m, esmCreating), nil
}

func (a *lambdaAPI) getESM(c *awsapi.Call, in *esmRef) (esmOutput, error) {
	m, err := a.esm.Get(c.Context(), in.UUID)
	if err != nil {
		return esmOutput{}, err
	}
	return a.esmOut(m, ""), nil
}

func (a *lambdaAPI) updateESM(c *awsapi.Call, in *esmInput) (esmOutput, error) {
	if in.EventSourceArn != "" {
		return esmOutput{}, awsapi.InvalidParameter("EventSourceArn cannot be updated")
	}
	before, err := a.esm.Get(c.Context(), in.UUID)
	if err != nil {
		return esmOutput{}, err
	}
	m, err := a.esm.Update(c.Context(), in.UUID, in.mapping())
	if err != nil {
		return esmOutput{}, err
	}
	state := esmUpdating
	switch {
	case m.Enabled && !before.Enabled:
		state = esmEnabling
	case !m.Enabled && before.Enabled:
		state = esmDisabling
	}
	return a.esmOut(m, state), nil
}

func (a *lambdaAPI) deleteESM(c *awsapi.Call, in *esmRef) (esmOutput, error) {
	m, err := a.esm.Delete(c.Context(), in.UUID)
	if err != nil {
		return esmOutput{}, err
	}
	return a.esmOut(m, esmDeleting), nil
}

type listESMInput struct {
	EventSourceArn string `aws:"querystring=EventSourceArn" json:"-"`
	FunctionName   string `aws:"querystring=FunctionName" json:"-"`
	Marker         string `aws:"querystring=Marker" json:"-"`
	MaxItems       string `aws:"querystring=MaxItems" json:"-"`
}

type listESMOutput struct {
	EventSourceMappings []esmOutput `json:"EventSourceMappings"`
	NextMarker          string      `json:"NextMarker,omitempty"`
}

// listESM pages by UUID: the marker is the last UUID returned.
func (a *lambdaAPI) listESM(c *awsapi.Call, in *listESMInput) (listESMOutput, error) {
	limit := 100
	if in.MaxItems != "" {
		n, err := strconv.Atoi(in.MaxItems)
		if err != nil || n < 1 || n > 10000 {
			return listESMOutput{}, awsapi.InvalidParameter("MaxItems must be between 1 and 10000, got %q", in.MaxItems)
		}
		limit = n
	}
	ms, err := a.esm.List(c.Context(), in.FunctionName, in.EventSourceArn)
	if err != nil {
		return listESMOutput{}, err
	}
	out := listESMOutput{EventSourceMappings: []esmOutput{}}
	for _, m := range ms {
		if in.Marker != "" && m.UUID <= in.Marker {
			continue
		}
		if len(out.EventSourceMappings) == limit {
			out.NextMarker = out.EventSourceMappings[limit-1].UUID
			break
		}
		out.EventSourceMappings = append(out.EventSourceMappings, a.esmOut(m, ""))
	}
	return out, nil
}
