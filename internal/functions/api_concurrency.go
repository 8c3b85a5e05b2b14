package functions

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The Lambda API's reserved concurrency and event invoke config operations.

// fnRef is the input of an operation on the function its path names: the
// {FunctionName} path value (a name, partial or full ARN, with an optional
// qualifier) and the Qualifier query parameter. The inputs of the other
// function operations repeat these two fields (awsapi binds the input's own
// fields).
type fnRef struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Qualifier    string `aws:"querystring=Qualifier" json:"-"`
}

// ---- concurrency ----

type concurrencyBody struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

type putConcurrencyInput struct {
	FunctionName                 string `aws:"uri=FunctionName" json:"-"`
	Qualifier                    string `aws:"querystring=Qualifier" json:"-"`
	ReservedConcurrentExecutions *int   `json:"ReservedConcurrentExecutions"`
}

func (a *lambdaAPI) putConcurrency(c *awsapi.Call, in *putConcurrencyInput) (concurrencyBody, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return concurrencyBody{}, err
	}
	if in.ReservedConcurrentExecutions == nil {
		return concurrencyBody{}, awsapi.InvalidParameter("ReservedConcurrentExecutions is required")
	}
	fc, err := a.s.SetReservedConcurrency(c.Context(), name, in.ReservedConcurrentExecutions)
	if err != nil {
		return concurrencyBody{}, a.notFound(name, err)
	}
	return concurrencyBody{ReservedConcurrentExecutions: fc.ReservedConcurrency}, nil
}

func (a *lambdaAPI) getConcurrency(c *awsapi.Call, in *fnRef) (concurrencyBody, error) {
	_, fc, err := a.function(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return concurrencyBody{}, err
	}
	return concurrencyBody{ReservedConcurrentExecutions: fc.ReservedConcurrency}, nil
}

func (a *lambdaAPI) deleteConcurrency(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, err := a.latestRef(in.FunctionName, in.Qualifier)
	if err != nil {
		return awsapi.None{}, err
	}
	if _, err := a.s.SetReservedConcurrency(c.Context(), name, nil); err != nil {
		return awsapi.None{}, a.notFound(name, err)
	}
	return awsapi.None{}, nil
}

// ---- event invoke config ----

type destinationTarget struct {
	Destination string `json:"Destination,omitempty"`
}

type destinationConfig struct {
	OnSuccess *destinationTarget `json:"OnSuccess,omitempty"`
	OnFailure *destinationTarget `json:"OnFailure,omitempty"`
}

type eventInvokeConfigBody struct {
	FunctionArn              string             `json:"FunctionArn,omitempty"`
	LastModified             float64            `json:"LastModified,omitempty"`
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        *destinationConfig `json:"DestinationConfig,omitempty"`
}

type eventInvokeConfigInput struct {
	FunctionName             string             `aws:"uri=FunctionName" json:"-"`
	Qualifier                string             `aws:"querystring=Qualifier" json:"-"`
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds"`
	DestinationConfig        *destinationConfig `json:"DestinationConfig"`
}

func (a *lambdaAPI) eventInvokeConfigWire(name string, c *EventInvokeConfig) eventInvokeConfigBody {
	out := eventInvokeConfigBody{
		FunctionArn:              a.eicARN(name),
		LastModified:             float64(c.LastModified),
		MaximumRetryAttempts:     c.MaximumRetryAttempts,
		MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
		DestinationConfig:        &destinationConfig{OnSuccess: &destinationTarget{}, OnFailure: &destinationTarget{}},
	}
	if out.MaximumRetryAttempts == nil {
		n := DefaultMaxRetryAttempts
		out.MaximumRetryAttempts = &n
	}
	if out.MaximumEventAgeInSeconds == nil {
		n := DefaultMaxEventAge
		out.MaximumEventAgeInSeconds = &n
	}
	out.DestinationConfig.OnSuccess.Destination = c.OnSuccess
	out.DestinationConfig.OnFailure.Destination = c.OnFailure
	return out
}

func (a *lambdaAPI) writeEventInvokeConfig(c *awsapi.Call, in *eventInvokeConfigInput, merge bool) (eventInvokeConfigBody, error) {
	name, err := a.eicRef(in.FunctionName, in.Qualifier) // api_versions.go
	if err != nil {
		return eventInvokeConfigBody{}, err
	}
	eic := EventInvokeConfig{MaximumRetryAttempts: in.MaximumRetryAttempts, MaximumEventAgeInSeconds: in.MaximumEventAgeInSeconds}
	if d := in.DestinationConfig; d != nil {
		if d.OnSuccess != nil {
			eic.OnSuccess = d.OnSuccess.Destination
		}
		if d.OnFailure != nil {
			eic.OnFailure = d.OnFailure.Destination
		}
	}
	out, err := a.s.PutEventInvokeConfig(c.Context(), name, eic, merge)
	if err != nil {
		return eventInvokeConfigBody{}, a.notFound(name, err)
	}
	return a.eventInvokeConfigWire(name, out), nil
}

func (a *lambdaAPI) putEventInvokeConfig(c *awsapi.Call, in *eventInvokeConfigInput) (eventInvokeConfigBody, error) {
	return a.writeEventInvokeConfig(c, in, false)
}

func (a *lambdaAPI) updateEventInvokeConfig(c *awsapi.Call, in *eventInvokeConfigInput) (eventInvokeConfigBody, error) {
	return a.writeEventInvokeConfig(c, in, true)
}

func (a *lambdaAPI) noInvokeConfig(name string, err error) error {
	if errors.Is(err, errNoInvokeConfig) {
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("The function %s doesn't have an EventInvokeConfig", a.eicARN(name)))
	}
	return a.notFound(name, err)
}

func (a *lambdaAPI) getEventInvokeConfig(c *awsapi.Call, in *fnRef) (eventInvokeConfigBody, error) {
	name, err := a.eicRef(in.FunctionName, in.Qualifier) // api_versions.go
	if err != nil {
		return eventInvokeConfigBody{}, err
	}
	eic, err := a.s.EventInvokeConfig(c.Context(), name)
	if err != nil {
		return eventInvokeConfigBody{}, a.noInvokeConfig(name, err)
	}
	return a.eventInvokeConfigWire(name, eic), nil
}

func (a *lambdaAPI) deleteEventInvokeConfig(c *awsapi.Call, in *fnRef) (awsapi.None, error) {
	name, err := a.eicRef(in.FunctionName, in.Qualifier) // api_versions.go
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.s.DeleteEventInvokeConfig(c.Context(), name); err != nil {
		return awsapi.None{}, a.noInvokeConfig(name, err)
	}
	return awsapi.None{}, nil
}

type listEventInvokeConfigsInput struct {
	FunctionName string `aws:"uri=FunctionName" json:"-"`
	Marker       string `aws:"querystring=Marker" json:"-"`
	MaxItems     string `aws:"querystring=MaxItems" json:"-"`
}

type listEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []eventInvokeConfigBody `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string                  `json:"NextMarker,omitempty"`
}

// listEventInvokeConfigs lists the configs of a function's $LATEST,
// versions and aliases (MaxItems 1-50, as Lambda's model says).
func (a *lambdaAPI) listEventInvokeConfigs(c *awsapi.Call, in *listEventInvokeConfigsInput) (listEventInvokeConfigsOutput, error) {
	name, err := a.latestRef(in.FunctionName, "")
	if err != nil {
		return listEventInvokeConfigsOutput{}, err
	}
	all, err := a.s.EventInvokeConfigs(c.Context(), name)
	if err != nil {
		return listEventInvokeConfigsOutput{}, a.notFound(name, err)
	}
	items, next, err := page(in.Marker, in.MaxItems, all)
	if err != nil {
		return listEventInvokeConfigsOutput{}, err
	}
	out := listEventInvokeConfigsOutput{FunctionEventInvokeConfigs: []eventInvokeConfigBody{}, NextMarker: next}
	for _, rc := range items {
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, a.eventInvokeConfigWire(rc.Ref, rc.Config))
	}
	return out, nil
}
