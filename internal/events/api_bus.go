package events

import (
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	tag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	createBusIn struct {
		Name            string
		EventSourceName string
		Description     string
		Tags            []tag
	}
	createBusOut struct {
		EventBusArn string `json:"EventBusArn"`
		Description string `json:"Description,omitempty"`
	}
	busNameIn struct {
		Name string
	}
	wireBus struct {
		Name             string  `json:"Name"`
		Arn              string  `json:"Arn"`
		Description      string  `json:"Description,omitempty"`
		Policy           string  `json:"Policy,omitempty"`
		CreationTime     float64 `json:"CreationTime"`
		LastModifiedTime float64 `json:"LastModifiedTime"`
	}
	listBusesIn struct {
		NamePrefix string
		NextToken  string
		Limit      int
	}
	listBusesOut struct {
		EventBuses []wireBus `json:"EventBuses"`
		NextToken  string    `json:"NextToken,omitempty"`
	}
)

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func (s *Service) wireBus(b *Bus) wireBus {
	return wireBus{Name: b.Name, Arn: s.BusARN(b.Name), Description: b.Description, Policy: b.Policy,
		CreationTime: epoch(b.Created), LastModifiedTime: epoch(b.Modified)}
}

func (s *Service) createBus(c *awsapi.Call, in *createBusIn) (createBusOut, error) {
	if err := checkBusName("name", in.Name); err != nil {
		return createBusOut{}, err
	}
	if in.Name == DefaultBus {
		return createBusOut{}, awsapi.ValidationError("Event bus name must not be 'default'.")
	}
	if in.EventSourceName != "" || strings.HasPrefix(in.Name, "aws.partner/") {
		return createBusOut{}, awsapi.ValidationError("partner event sources are not supported by nubo")
	}
	if len(in.Description) > 512 {
		return createBusOut{}, awsapi.ValidationError("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	b, err := s.CreateBus(ctxOf(c), Bus{Name: in.Name, Description: in.Description, Tags: tagMap(in.Tags)})
	if err != nil {
		return createBusOut{}, err
	}
	return createBusOut{EventBusArn: s.BusARN(b.Name), Description: b.Description}, nil
}

func (s *Service) describeBus(c *awsapi.Call, in *busNameIn) (wireBus, error) {
	b, _, err := s.GetBus(ctxOf(c), busName(in.Name))
	if err != nil {
		return wireBus{}, err
	}
	return s.wireBus(b), nil
}

func (s *Service) listBuses(c *awsapi.Call, in *listBusesIn) (listBusesOut, error) {
	if in.Limit < 0 || in.Limit > 100 {
		return listBusesOut{}, awsapi.ValidationError("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", in.Limit)
	}
	buses, err := s.ListBuses(ctxOf(c))
	if err != nil {
		return listBusesOut{}, err
	}
	var all []wireBus
	for _, b := range buses {
		if strings.HasPrefix(b.Name, in.NamePrefix) {
			all = append(all, s.wireBus(b))
		}
	}
	page, next, err := awsapi.Page(all, in.NextToken, in.Limit, 100)
	if err != nil {
		return listBusesOut{}, err
	}
	return listBusesOut{EventBuses: nonNil(page), NextToken: next}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
