package schedules

import (
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagMap(tags []tag) (map[string]string, error) {
	if len(tags) > 200 {
		return nil, invalid("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200")
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return nil, invalid("1 validation error detected: a tag's Key must be 1 to 128 characters and its Value at most 256")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

func tagList(m map[string]string) []tag {
	out := make([]tag, 0, len(m))
	for k, v := range m {
		out = append(out, tag{Key: k, Value: v})
	}
	return out
}

type groupIn struct {
	Name        string `aws:"uri=Name" json:"-"`
	ClientToken string `json:"ClientToken"`
	Tags        []tag  `json:"Tags"`
}

type groupArnOut struct {
	ScheduleGroupArn string `json:"ScheduleGroupArn"`
}

type groupRef struct {
	Name        string `aws:"uri=Name" json:"-"`
	ClientToken string `aws:"querystring=clientToken" json:"-"`
}

type groupOut struct {
	Arn                  string `json:"Arn"`
	CreationDate         epoch  `json:"CreationDate"`
	LastModificationDate epoch  `json:"LastModificationDate"`
	Name                 string `json:"Name"`
	State                string `json:"State"`
}

func (s *Service) groupTarget(c *awsapi.Call, name string) awsapi.Target {
	t := awsapi.Target{Resource: s.GroupARN(name)}
	if g, err := s.GetGroup(c.Context(), name); err == nil {
		t.ResourceTags = g.Tags
	}
	return t
}

func (s *Service) groupInTargets(c *awsapi.Call, in *groupIn) ([]awsapi.Target, error) {
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return []awsapi.Target{{Resource: s.GroupARN(in.Name), RequestTags: tags}}, nil
}

func (s *Service) groupRefTargets(c *awsapi.Call, in *groupRef) ([]awsapi.Target, error) {
	return []awsapi.Target{s.groupTarget(c, in.Name)}, nil
}

func (s *Service) createGroup(c *awsapi.Call, in *groupIn) (groupArnOut, error) {
	tags, err := tagMap(in.Tags)
	if err != nil {
		return groupArnOut{}, err
	}
	if _, err := s.CreateGroup(c.Context(), in.Name, tags); err != nil {
		return groupArnOut{}, err
	}
	return groupArnOut{ScheduleGroupArn: s.GroupARN(in.Name)}, nil
}

func (s *Service) groupWire(g *Group) groupOut {
	return groupOut{Arn: s.GroupARN(g.Name), CreationDate: toEpoch(g.Created), LastModificationDate: toEpoch(g.Modified),
		Name: g.Name, State: "ACTIVE"}
}

func (s *Service) getGroup(c *awsapi.Call, in *groupRef) (groupOut, error) {
	g, err := s.GetGroup(c.Context(), in.Name)
	if err != nil {
		return groupOut{}, err
	}
	return s.groupWire(g), nil
}

func (s *Service) deleteGroup(c *awsapi.Call, in *groupRef) (awsapi.None, error) {
	return awsapi.None{}, s.DeleteGroup(c.Context(), in.Name)
}

type listGroupsIn struct {
	MaxResults int    `aws:"querystring=MaxResults" json:"-"`
	NamePrefix string `aws:"querystring=NamePrefix" json:"-"`
	NextToken  string `aws:"querystring=NextToken" json:"-"`
}

type listGroupsOut struct {
	NextToken      string     `json:"NextToken,omitempty"`
	ScheduleGroups []groupOut `json:"ScheduleGroups"`
}

func (s *Service) listGroups(c *awsapi.Call, in *listGroupsIn) (listGroupsOut, error) {
	if err := checkMaxResults(in.MaxResults); err != nil {
		return listGroupsOut{}, err
	}
	all, err := s.Groups(c.Context())
	if err != nil {
		return listGroupsOut{}, err
	}
	items := make([]groupOut, 0, len(all))
	for i := range all {
		if strings.HasPrefix(all[i].Name, in.NamePrefix) {
			items = append(items, s.groupWire(&all[i]))
		}
	}
	page, next, err := awsapi.Page(items, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return listGroupsOut{}, err
	}
	return listGroupsOut{NextToken: next, ScheduleGroups: page}, nil
}

type tagsRef struct {
	ResourceArn string `aws:"uri=ResourceArn" json:"-"`
}

type tagsOut struct {
	Tags []tag `json:"Tags"`
}

type tagIn struct {
	ResourceArn string `aws:"uri=ResourceArn" json:"-"`
	Tags        []tag  `json:"Tags"`
}

type untagIn struct {
	ResourceArn string   `aws:"uri=ResourceArn" json:"-"`
	TagKeys     []string `aws:"querystring=TagKeys" json:"-"`
}

func (s *Service) arnTarget(c *awsapi.Call, arn string) ([]awsapi.Target, error) {
	name, err := s.groupOfARN(arn)
	if err != nil { // authorized as named; the handler refuses it
		return []awsapi.Target{{Resource: arn}}, nil
	}
	return []awsapi.Target{s.groupTarget(c, name)}, nil
}

func (s *Service) tagsTargets(c *awsapi.Call, in *tagsRef) ([]awsapi.Target, error) {
	return s.arnTarget(c, in.ResourceArn)
}

func (s *Service) tagInTargets(c *awsapi.Call, in *tagIn) ([]awsapi.Target, error) {
	ts, err := s.arnTarget(c, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	ts[0].RequestTags, err = tagMap(in.Tags)
	return ts, err
}

func (s *Service) untagTargets(c *awsapi.Call, in *untagIn) ([]awsapi.Target, error) {
	return s.arnTarget(c, in.ResourceArn)
}

func (s *Service) listTags(c *awsapi.Call, in *tagsRef) (tagsOut, error) {
	name, err := s.groupOfARN(in.ResourceArn)
	if err != nil {
		return tagsOut{}, err
	}
	g, err := s.GetGroup(c.Context(), name)
	if err != nil {
		return tagsOut{}, err
	}
	return tagsOut{Tags: tagList(g.Tags)}, nil
}

func (s *Service) tagResource(c *awsapi.Call, in *tagIn) (awsapi.None, error) {
	name, err := s.groupOfARN(in.ResourceArn)
	if err != nil {
		return awsapi.None{}, err
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.TagGroup(c.Context(), name, tags, nil)
}

func (s *Service) untagResource(c *awsapi.Call, in *untagIn) (awsapi.None, error) {
	name, err := s.groupOfARN(in.ResourceArn)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(in.TagKeys) == 0 {
		return awsapi.None{}, invalid("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	return awsapi.None{}, s.TagGroup(c.Context(), name, nil, in.TagKeys)
}
