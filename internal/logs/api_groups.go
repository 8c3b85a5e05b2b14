package logs

import (
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	NextToken           string `json:"nextToken"`
	Limit               int    `json:"limit"`
}

type logGroup struct {
	LogGroupName      string `json:"logGroupName"`
	LogGroupArn       string `json:"logGroupArn"`
	Arn               string `json:"arn"`
	CreationTime      int64  `json:"creationTime"`
	StoredBytes       int64  `json:"storedBytes"`
	MetricFilterCount int    `json:"metricFilterCount"`
	LogGroupClass     string `json:"logGroupClass"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
}

type describeLogGroupsOutput struct {
	LogGroups []logGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// describeLogGroups lists the groups written to, by name; its page token
// is the name of the last group returned.
func (a *api) describeLogGroups(c *awsapi.Call, in *describeLogGroupsInput) (describeLogGroupsOutput, error) {
	if err := checkLimit(in.Limit, 50); err != nil {
		return describeLogGroupsOutput{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = 50
	}
	out := describeLogGroupsOutput{LogGroups: []logGroup{}}
	var all []Source
	if a.sources != nil {
		var err error
		if all, err = a.sources.LogSources(c.Context()); err != nil {
			return describeLogGroupsOutput{}, err
		}
	}
	// Groups created through the API or a stack, with their settings.
	stored, err := a.store.Groups(c.Context())
	if err != nil {
		return describeLogGroupsOutput{}, err
	}
	counts, err := a.store.metricFilterCounts(c.Context())
	if err != nil {
		return describeLogGroupsOutput{}, err
	}
	settings := map[string]Group{}
	for _, g := range stored {
		settings[g.Name] = g
		all = append(all, Source{Group: g.Name, Created: time.UnixMilli(g.Created)})
	}
	groups := map[string]Source{}
	var names []string
	for _, s := range all {
		if !strings.HasPrefix(s.Group, in.LogGroupNamePrefix) || !strings.Contains(s.Group, in.LogGroupNamePattern) {
			continue
		}
		if _, dup := groups[s.Group]; !dup {
			groups[s.Group] = s
			names = append(names, s.Group)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if in.NextToken != "" && n <= in.NextToken {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = out.LogGroups[len(out.LogGroups)-1].LogGroupName
			break
		}
		arn := a.account.ARN("logs", "log-group:"+n)
		lg := logGroup{
			LogGroupName: n, LogGroupArn: arn, Arn: arn + ":*",
			CreationTime: millis(groups[n].Created), LogGroupClass: "STANDARD", MetricFilterCount: counts[n],
		}
		if g, ok := settings[n]; ok {
			lg.RetentionInDays = g.RetentionDays
			if g.Created > 0 {
				lg.CreationTime = g.Created
			}
			if g.Class != "" {
				lg.LogGroupClass = g.Class
			}
			lg.KmsKeyID = g.KmsKeyID
		}
		out.LogGroups = append(out.LogGroups, lg)
	}
	return out, nil
}
