package parameters

import (
	"github.com/nubo-run/nubo/internal/awsapi"
)

// historyPageSize is GetParameterHistory's largest and default page.
const historyPageSize = 50

// defaultKeyID is the KMS key SSM names for a SecureString encrypted with
// the account's default key, which is the only one nubo has.
const defaultKeyID = "alias/aws/ssm"

type (
	historyIn struct {
		Name           string
		WithDecryption bool
		MaxResults     int
		NextToken      string
	}
	historyOut struct {
		Parameters []historyParameter
		NextToken  string `json:",omitempty"`
	}
	historyParameter struct {
		Name             string   `json:"Name"`
		Type             string   `json:"Type"`
		KeyId            string   `json:"KeyId,omitempty"`
		LastModifiedDate float64  `json:"LastModifiedDate"`
		Description      string   `json:"Description,omitempty"`
		Value            string   `json:"Value"`
		AllowedPattern   string   `json:"AllowedPattern,omitempty"`
		Version          int64    `json:"Version"`
		LastModifiedUser string   `json:"LastModifiedUser,omitempty"`
		Labels           []string `json:"Labels"`
		Tier             string   `json:"Tier"`
		Policies         []any    `json:"Policies"`
		DataType         string   `json:"DataType"`
	}
)

func (s *Store) getParameterHistory(c *awsapi.Call, in *historyIn) (historyOut, error) {
	if in.MaxResults < 0 || in.MaxResults > historyPageSize {
		return historyOut{}, awsapi.ValidationError("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", in.MaxResults, historyPageSize)
	}
	name, _ := s.resolve(c.Context(), in.Name)
	all, err := s.History(c.Context(), name)
	if err != nil {
		return historyOut{}, err
	}
	cur := all[len(all)-1]
	page, next, err := awsapi.Page(all, in.NextToken, in.MaxResults, historyPageSize)
	if err != nil {
		return historyOut{}, invalidToken(err)
	}
	out := historyOut{Parameters: make([]historyParameter, 0, len(page)), NextToken: next}
	for _, p := range page {
		w := s.wire(p, in.WithDecryption)
		h := historyParameter{Name: p.Name, Type: p.Type, LastModifiedDate: w.LastModifiedDate, Description: p.Description,
			Value: w.Value, AllowedPattern: p.AllowedPattern, Version: p.Version, Labels: LabelsOf(cur, p.Version), Tier: p.Tier,
			LastModifiedUser: p.LastModifiedUser,
			Policies:         []any{}, DataType: p.DataType}
		if p.Type == TypeSecureString {
			h.KeyId = defaultKeyID
		}
		out.Parameters = append(out.Parameters, h)
	}
	return out, nil
}
