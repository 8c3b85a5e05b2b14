package schedules

import (
	"math"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// API returns the EventBridge Scheduler API (REST-JSON, signing name
// "scheduler"), each operation authorized as its scheduler:* action on the
// schedule or group it names.
func (s *Service) API() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:    "scheduler",
		SDKID:      "scheduler",
		Protocol:   awsapi.RestJSON,
		Authorizer: s.opts.Authorizer,
		Logger:     s.log,
		MapError:   wireError,
		MaxBody:    1 << 20,
		Ops: []awsapi.Declared{
			awsapi.Op[scheduleIn, scheduleArnOut]{Name: "CreateSchedule", Action: "scheduler:CreateSchedule",
				HTTP: "POST /schedules/{Name}", Resources: s.scheduleInTargets, Handler: s.createSchedule},
			awsapi.Op[scheduleIn, scheduleArnOut]{Name: "UpdateSchedule", Action: "scheduler:UpdateSchedule",
				HTTP: "PUT /schedules/{Name}", Resources: s.scheduleInTargets, Handler: s.updateSchedule},
			awsapi.Op[scheduleRef, scheduleOut]{Name: "GetSchedule", Action: "scheduler:GetSchedule",
				HTTP: "GET /schedules/{Name}", Resources: s.scheduleRefTargets, Handler: s.getSchedule},
			awsapi.Op[scheduleRef, awsapi.None]{Name: "DeleteSchedule", Action: "scheduler:DeleteSchedule",
				HTTP: "DELETE /schedules/{Name}", Resources: s.scheduleRefTargets, Handler: s.deleteSchedule},
			awsapi.Op[listSchedulesIn, listSchedulesOut]{Name: "ListSchedules", Action: "scheduler:ListSchedules",
				HTTP: "GET /schedules", Handler: s.listSchedules},
			awsapi.Op[groupIn, groupArnOut]{Name: "CreateScheduleGroup", Action: "scheduler:CreateScheduleGroup",
				HTTP: "POST /schedule-groups/{Name}", Resources: s.groupInTargets, Handler: s.createGroup},
			awsapi.Op[groupRef, groupOut]{Name: "GetScheduleGroup", Action: "scheduler:GetScheduleGroup",
				HTTP: "GET /schedule-groups/{Name}", Resources: s.groupRefTargets, Handler: s.getGroup},
			awsapi.Op[groupRef, awsapi.None]{Name: "DeleteScheduleGroup", Action: "scheduler:DeleteScheduleGroup",
				HTTP: "DELETE /schedule-groups/{Name}", Resources: s.groupRefTargets, Handler: s.deleteGroup},
			awsapi.Op[listGroupsIn, listGroupsOut]{Name: "ListScheduleGroups", Action: "scheduler:ListScheduleGroups",
				HTTP: "GET /schedule-groups", Handler: s.listGroups},
			awsapi.Op[tagsRef, tagsOut]{Name: "ListTagsForResource", Action: "scheduler:ListTagsForResource",
				HTTP: "GET /tags/{ResourceArn}", Resources: s.tagsTargets, Handler: s.listTags},
			awsapi.Op[tagIn, awsapi.None]{Name: "TagResource", Action: "scheduler:TagResource",
				HTTP: "POST /tags/{ResourceArn}", Resources: s.tagInTargets, Handler: s.tagResource},
			awsapi.Op[untagIn, awsapi.None]{Name: "UntagResource", Action: "scheduler:UntagResource",
				HTTP: "DELETE /tags/{ResourceArn}", Resources: s.untagTargets, Handler: s.untagResource},
		},
	})
}

// epoch is a timestamp as restJson1 sends it (seconds since the epoch).
type epoch = *float64

func fromEpoch(e epoch) time.Time {
	if e == nil || math.IsNaN(*e) || math.IsInf(*e, 0) {
		return time.Time{}
	}
	sec, frac := math.Modf(*e)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func toEpoch(t time.Time) epoch {
	if t.IsZero() {
		return nil
	}
	v := float64(t.UnixMilli()) / 1000
	return &v
}

type flexibleWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int   `json:"MaximumWindowInMinutes,omitempty"`
}

type scheduleIn struct {
	Name                       string          `aws:"uri=Name" json:"-"`
	ActionAfterCompletion      string          `json:"ActionAfterCompletion"`
	ClientToken                string          `json:"ClientToken"`
	Description                string          `json:"Description"`
	EndDate                    epoch           `json:"EndDate"`
	FlexibleTimeWindow         *flexibleWindow `json:"FlexibleTimeWindow"`
	GroupName                  string          `json:"GroupName"`
	KmsKeyArn                  string          `json:"KmsKeyArn"`
	ScheduleExpression         string          `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string          `json:"ScheduleExpressionTimezone"`
	StartDate                  epoch           `json:"StartDate"`
	State                      string          `json:"State"`
	Target                     *Target         `json:"Target"`
}

type scheduleArnOut struct {
	ScheduleArn string `json:"ScheduleArn"`
}

type scheduleRef struct {
	Name        string `aws:"uri=Name" json:"-"`
	GroupName   string `aws:"querystring=groupName" json:"-"`
	ClientToken string `aws:"querystring=clientToken" json:"-"`
}

type scheduleOut struct {
	ActionAfterCompletion      string         `json:"ActionAfterCompletion,omitempty"`
	Arn                        string         `json:"Arn"`
	CreationDate               epoch          `json:"CreationDate"`
	Description                string         `json:"Description,omitempty"`
	EndDate                    epoch          `json:"EndDate,omitempty"`
	FlexibleTimeWindow         flexibleWindow `json:"FlexibleTimeWindow"`
	GroupName                  string         `json:"GroupName"`
	KmsKeyArn                  string         `json:"KmsKeyArn,omitempty"`
	LastModificationDate       epoch          `json:"LastModificationDate"`
	Name                       string         `json:"Name"`
	ScheduleExpression         string         `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string         `json:"ScheduleExpressionTimezone,omitempty"`
	StartDate                  epoch          `json:"StartDate,omitempty"`
	State                      string         `json:"State"`
	Target                     Target         `json:"Target"`
}

func group(g string) string {
	if g == "" {
		return DefaultGroup
	}
	return g
}

func (s *Service) scheduleInTargets(c *awsapi.Call, in *scheduleIn) ([]awsapi.Target, error) {
	return []awsapi.Target{{Resource: s.ScheduleARN(group(in.GroupName), in.Name)}}, nil
}

func (s *Service) scheduleRefTargets(c *awsapi.Call, in *scheduleRef) ([]awsapi.Target, error) {
	return []awsapi.Target{{Resource: s.ScheduleARN(group(in.GroupName), in.Name)}}, nil
}

// schedule is the input as a stored schedule, its members checked.
func (in *scheduleIn) schedule() (*Schedule, error) {
	if in.ScheduleExpression == "" {
		return nil, invalid("1 validation error detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null")
	}
	if in.Target == nil {
		return nil, invalid("1 validation error detected: Value null at 'target' failed to satisfy constraint: Member must not be null")
	}
	if in.FlexibleTimeWindow == nil {
		return nil, invalid("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null")
	}
	if len(in.Description) > 512 {
		return nil, invalid("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	sc := &Schedule{Group: group(in.GroupName), Name: in.Name, Description: in.Description, Expression: in.ScheduleExpression,
		Timezone: in.ScheduleExpressionTimezone, Start: fromEpoch(in.StartDate), End: fromEpoch(in.EndDate), State: in.State,
		FlexibleMode: in.FlexibleTimeWindow.Mode, ActionAfterCompletion: in.ActionAfterCompletion, KmsKeyArn: in.KmsKeyArn,
		Target: *in.Target}
	if w := in.FlexibleTimeWindow.MaximumWindowInMinutes; w != nil {
		sc.FlexibleWindowMinutes = *w
	}
	return sc, nil
}

func (s *Service) createSchedule(c *awsapi.Call, in *scheduleIn) (scheduleArnOut, error) {
	sc, err := in.schedule()
	if err == nil {
		err = s.Put(c.Context(), sc, true)
	}
	if err != nil {
		return scheduleArnOut{}, err
	}
	return scheduleArnOut{ScheduleArn: s.ScheduleARN(sc.Group, sc.Name)}, nil
}

func (s *Service) updateSchedule(c *awsapi.Call, in *scheduleIn) (scheduleArnOut, error) {
	sc, err := in.schedule()
	if err == nil {
		err = s.Put(c.Context(), sc, false)
	}
	if err != nil {
		return scheduleArnOut{}, err
	}
	return scheduleArnOut{ScheduleArn: s.ScheduleARN(sc.Group, sc.Name)}, nil
}

func (s *Service) getSchedule(c *awsapi.Call, in *scheduleRef) (scheduleOut, error) {
	sc, err := s.Get(c.Context(), group(in.GroupName), in.Name)
	if err != nil {
		return scheduleOut{}, err
	}
	return s.wire(sc), nil
}

func (s *Service) wire(sc *Schedule) scheduleOut {
	out := scheduleOut{ActionAfterCompletion: sc.ActionAfterCompletion, Arn: s.ScheduleARN(sc.Group, sc.Name),
		CreationDate: toEpoch(sc.Created), Description: sc.Description, EndDate: toEpoch(sc.End),
		FlexibleTimeWindow: flexibleWindow{Mode: sc.FlexibleMode}, GroupName: sc.Group, KmsKeyArn: sc.KmsKeyArn,
		LastModificationDate: toEpoch(sc.Modified), Name: sc.Name, ScheduleExpression: sc.Expression,
		ScheduleExpressionTimezone: sc.Timezone, StartDate: toEpoch(sc.Start), State: sc.State, Target: sc.Target}
	if sc.FlexibleMode == ModeFlexible {
		w := sc.FlexibleWindowMinutes
		out.FlexibleTimeWindow.MaximumWindowInMinutes = &w
	}
	return out
}

func (s *Service) deleteSchedule(c *awsapi.Call, in *scheduleRef) (awsapi.None, error) {
	return awsapi.None{}, s.Delete(c.Context(), group(in.GroupName), in.Name)
}

type listSchedulesIn struct {
	GroupName  string `aws:"querystring=ScheduleGroup" json:"-"`
	MaxResults int    `aws:"querystring=MaxResults" json:"-"`
	NamePrefix string `aws:"querystring=NamePrefix" json:"-"`
	NextToken  string `aws:"querystring=NextToken" json:"-"`
	State      string `aws:"querystring=State" json:"-"`
}

type scheduleSummary struct {
	Arn                  string       `json:"Arn"`
	CreationDate         epoch        `json:"CreationDate"`
	GroupName            string       `json:"GroupName"`
	LastModificationDate epoch        `json:"LastModificationDate"`
	Name                 string       `json:"Name"`
	State                string       `json:"State"`
	Target               targetSumary `json:"Target"`
}

type targetSumary struct {
	Arn string `json:"Arn"`
}

type listSchedulesOut struct {
	NextToken string            `json:"NextToken,omitempty"`
	Schedules []scheduleSummary `json:"Schedules"`
}

func checkMaxResults(n int) error {
	if n < 0 || n > 100 {
		return invalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", n)
	}
	return nil
}

func (s *Service) listSchedules(c *awsapi.Call, in *listSchedulesIn) (listSchedulesOut, error) {
	if err := checkMaxResults(in.MaxResults); err != nil {
		return listSchedulesOut{}, err
	}
	if in.State != "" && in.State != StateEnabled && in.State != StateDisabled {
		return listSchedulesOut{}, invalid("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", in.State)
	}
	all, err := s.List(c.Context(), in.GroupName)
	if err != nil {
		return listSchedulesOut{}, err
	}
	items := make([]scheduleSummary, 0, len(all))
	for _, sc := range all {
		if !strings.HasPrefix(sc.Name, in.NamePrefix) || in.State != "" && sc.State != in.State {
			continue
		}
		items = append(items, scheduleSummary{Arn: s.ScheduleARN(sc.Group, sc.Name), CreationDate: toEpoch(sc.Created),
			GroupName: sc.Group, LastModificationDate: toEpoch(sc.Modified), Name: sc.Name, State: sc.State,
			Target: targetSumary{Arn: sc.Target.Arn}})
	}
	page, next, err := awsapi.Page(items, in.NextToken, in.MaxResults, 100)
	if err != nil {
		return listSchedulesOut{}, err
	}
	return listSchedulesOut{NextToken: next, Schedules: page}, nil
}
