package parameters

import (
	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	labelIn struct {
		Name             string
		ParameterVersion *int64
		Labels           []string
	}
	labelOut struct {
		InvalidLabels    []string
		ParameterVersion int64
	}
	unlabelOut struct {
		InvalidLabels []string
		RemovedLabels []string
	}
)

// checkLabels is SSM's length constraint on a request's Labels.
func checkLabels(labels []string) error {
	if len(labels) == 0 || len(labels) > MaxLabelsPerVersion {
		return awsapi.ValidationError("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", MaxLabelsPerVersion)
	}
	return nil
}

func (s *Store) labelParameterVersion(c *awsapi.Call, in *labelIn) (labelOut, error) {
	if err := checkLabels(in.Labels); err != nil {
		return labelOut{}, err
	}
	name, _ := s.resolve(c.Context(), in.Name)
	var version int64
	if in.ParameterVersion != nil {
		version = *in.ParameterVersion
	}
	v, invalid, err := s.Label(c.Context(), name, version, in.Labels)
	if err != nil {
		return labelOut{}, err
	}
	return labelOut{InvalidLabels: invalid, ParameterVersion: v}, nil
}

func (s *Store) unlabelParameterVersion(c *awsapi.Call, in *labelIn) (unlabelOut, error) {
	if err := checkLabels(in.Labels); err != nil {
		return unlabelOut{}, err
	}
	if in.ParameterVersion == nil {
		return unlabelOut{}, awsapi.ValidationError("1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null")
	}
	name, _ := s.resolve(c.Context(), in.Name)
	removed, invalid, err := s.Unlabel(c.Context(), name, *in.ParameterVersion, in.Labels)
	if err != nil {
		return unlabelOut{}, err
	}
	return unlabelOut{InvalidLabels: invalid, RemovedLabels: removed}, nil
}
