package events

import (
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

type (
	createArchiveIn struct {
		ArchiveName    string
		EventSourceArn string
		Description    string
		EventPattern   string
		RetentionDays  int
	}
	archiveStateOut struct {
		ArchiveArn   string  `json:"ArchiveArn"`
		State        string  `json:"State"`
		StateReason  string  `json:"StateReason,omitempty"`
		CreationTime float64 `json:"CreationTime"`
	}
	archiveNameIn struct {
		ArchiveName string
	}
	updateArchiveIn struct {
		ArchiveName   string
		Description   *string
		EventPattern  *string
		RetentionDays *int
	}
	wireArchive struct {
		ArchiveArn     string  `json:"ArchiveArn,omitempty"`
		ArchiveName    string  `json:"ArchiveName"`
		EventSourceArn string  `json:"EventSourceArn"`
		Description    string  `json:"Description,omitempty"`
		EventPattern   string  `json:"EventPattern,omitempty"`
		State          string  `json:"State"`
		RetentionDays  int     `json:"RetentionDays"`
		SizeBytes      int64   `json:"SizeBytes"`
		EventCount     int64   `json:"EventCount"`
		CreationTime   float64 `json:"CreationTime"`
	}
	listArchivesIn struct {
		NamePrefix     string
		EventSourceArn string
		State          string
		NextToken      string
		Limit          int
	}
	listArchivesOut struct {
		Archives  []wireArchive `json:"Archives"`
		NextToken string        `json:"NextToken,omitempty"`
	}
	destination struct {
		Arn        string   `json:"Arn"`
		FilterArns []string `json:"FilterArns,omitempty"`
	}
	startReplayIn struct {
		ReplayName     string
		Description    string
		EventSourceArn string
		EventStartTime float64
		EventEndTime   float64
		Destination    *destination
	}
	replayStateOut struct {
		ReplayArn       string  `json:"ReplayArn"`
		State           string  `json:"State"`
		StateReason     string  `json:"StateReason,omitempty"`
		ReplayStartTime float64 `json:"ReplayStartTime,omitempty"`
	}
	replayNameIn struct {
		ReplayName string
	}
	wireReplay struct {
		ReplayName            string       `json:"ReplayName"`
		ReplayArn             string       `json:"ReplayArn,omitempty"`
		Description           string       `json:"Description,omitempty"`
		State                 string       `json:"State"`
		StateReason           string       `json:"StateReason,omitempty"`
		EventSourceArn        string       `json:"EventSourceArn"`
		Destination           *destination `json:"Destination,omitempty"`
		EventStartTime        float64      `json:"EventStartTime"`
		EventEndTime          float64      `json:"EventEndTime"`
		EventLastReplayedTime float64      `json:"EventLastReplayedTime,omitempty"`
		ReplayStartTime       float64      `json:"ReplayStartTime"`
		ReplayEndTime         float64      `json:"ReplayEndTime,omitempty"`
	}
	listReplaysIn struct {
		NamePrefix     string
		State          string
		EventSourceArn string
		NextToken      string
		Limit          int
	}
	listReplaysOut struct {
		Replays   []wireReplay `json:"Replays"`
		NextToken string       `json:"NextToken,omitempty"`
	}
)

// archiveOps are the archive and replay operations.
func (s *Service) archiveOps() []awsapi.Declared {
	archive := func(name string) []awsapi.Target { return []awsapi.Target{{Resource: s.ArchiveARN(name)}} }
	replay := func(name string) []awsapi.Target { return []awsapi.Target{{Resource: s.ReplayARN(name)}} }
	return []awsapi.Declared{
		awsapi.Op[createArchiveIn, archiveStateOut]{Name: "CreateArchive", Action: "events:CreateArchive",
			Resources: func(c *awsapi.Call, in *createArchiveIn) ([]awsapi.Target, error) {
				return archive(in.ArchiveName), nil
			},
			Handler: s.createArchive},
		awsapi.Op[archiveNameIn, wireArchive]{Name: "DescribeArchive", Action: "events:DescribeArchive",
			Resources: func(c *awsapi.Call, in *archiveNameIn) ([]awsapi.Target, error) { return archive(in.ArchiveName), nil },
			Handler:   s.describeArchive},
		awsapi.Op[updateArchiveIn, archiveStateOut]{Name: "UpdateArchive", Action: "events:UpdateArchive",
			Resources: func(c *awsapi.Call, in *updateArchiveIn) ([]awsapi.Target, error) {
				return archive(in.ArchiveName), nil
			},
			Handler: s.updateArchive},
		awsapi.Op[archiveNameIn, awsapi.None]{Name: "DeleteArchive", Action: "events:DeleteArchive",
			Resources: func(c *awsapi.Call, in *archiveNameIn) ([]awsapi.Target, error) { return archive(in.ArchiveName), nil },
			Handler: func(c *awsapi.Call, in *archiveNameIn) (awsapi.None, error) {
				return awsapi.None{}, s.DeleteArchive(ctxOf(c), in.ArchiveName)
			}},
		awsapi.Op[listArchivesIn, listArchivesOut]{Name: "ListArchives", Action: "events:ListArchives", Handler: s.listArchives},
		awsapi.Op[startReplayIn, replayStateOut]{Name: "StartReplay", Action: "events:StartReplay",
			Resources: func(c *awsapi.Call, in *startReplayIn) ([]awsapi.Target, error) {
				return []awsapi.Target{{Resource: in.EventSourceArn}}, nil
			}, Handler: s.startReplay},
		awsapi.Op[replayNameIn, wireReplay]{Name: "DescribeReplay", Action: "events:DescribeReplay",
			Resources: func(c *awsapi.Call, in *replayNameIn) ([]awsapi.Target, error) { return replay(in.ReplayName), nil },
			Handler:   s.describeReplay},
		awsapi.Op[replayNameIn, replayStateOut]{Name: "CancelReplay", Action: "events:CancelReplay",
			Resources: func(c *awsapi.Call, in *replayNameIn) ([]awsapi.Target, error) { return replay(in.ReplayName), nil },
			Handler: func(c *awsapi.Call, in *replayNameIn) (replayStateOut, error) {
				r, err := s.CancelReplay(ctxOf(c), in.ReplayName)
				if err != nil {
					return replayStateOut{}, err
				}
				return replayStateOut{ReplayArn: s.ReplayARN(r.Name), State: r.State}, nil
			}},
		awsapi.Op[listReplaysIn, listReplaysOut]{Name: "ListReplays", Action: "events:ListReplays", Handler: s.listReplays},
	}
}

func checkArchiveName(name string) error {
	if !ruleNameRE.MatchString(name) || len(name) > 48 {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 48", name)
	}
	return nil
}

func (s *Service) createArchive(c *awsapi.Call, in *createArchiveIn) (archiveStateOut, error) {
	if err := checkArchiveName(in.ArchiveName); err != nil {
		return archiveStateOut{}, err
	}
	bus, rule, err := s.parseResourceARN(in.EventSourceArn)
	if err != nil || rule != "" {
		return archiveStateOut{}, awsapi.ValidationError("Parameter EventSourceArn is not valid: it must be an event bus ARN.")
	}
	if in.RetentionDays < 0 {
		return archiveStateOut{}, awsapi.ValidationError("1 validation error detected: Value at 'retentionDays' failed to satisfy constraint: Member must have value greater than or equal to 0")
	}
	a := Archive{Name: in.ArchiveName, Bus: bus, Description: in.Description, EventPattern: in.EventPattern, RetentionDays: in.RetentionDays}
	if err := s.CreateArchive(ctxOf(c), a); err != nil {
		return archiveStateOut{}, err
	}
	got, err := s.GetArchive(ctxOf(c), a.Name)
	if err != nil {
		return archiveStateOut{}, err
	}
	return archiveStateOut{ArchiveArn: s.ArchiveARN(a.Name), State: "ENABLED", CreationTime: epoch(got.Created)}, nil
}

func (s *Service) wireArchive(c *awsapi.Call, a *Archive) wireArchive {
	return wireArchive{ArchiveArn: s.ArchiveARN(a.Name), ArchiveName: a.Name, EventSourceArn: s.BusARN(a.Bus), Description: a.Description,
		EventPattern: a.EventPattern, State: "ENABLED", RetentionDays: a.RetentionDays, EventCount: s.archiveCount(ctxOf(c), a.Name),
		CreationTime: epoch(a.Created)}
}

func (s *Service) describeArchive(c *awsapi.Call, in *archiveNameIn) (wireArchive, error) {
	a, err := s.GetArchive(ctxOf(c), in.ArchiveName)
	if err != nil {
		return wireArchive{}, err
	}
	return s.wireArchive(c, a), nil
}

func (s *Service) updateArchive(c *awsapi.Call, in *updateArchiveIn) (archiveStateOut, error) {
	if in.EventPattern != nil && *in.EventPattern != "" {
		if err := eventpattern.Validate(*in.EventPattern); err != nil {
			return archiveStateOut{}, err
		}
	}
	a, err := s.UpdateArchive(ctxOf(c), in.ArchiveName, func(a *Archive) error {
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.EventPattern != nil {
			a.EventPattern = *in.EventPattern
		}
		if in.RetentionDays != nil {
			a.RetentionDays = *in.RetentionDays
		}
		return nil
	})
	if err != nil {
		return archiveStateOut{}, err
	}
	return archiveStateOut{ArchiveArn: s.ArchiveARN(a.Name), State: "ENABLED", CreationTime: epoch(a.Created)}, nil
}

func (s *Service) listArchives(c *awsapi.Call, in *listArchivesIn) (listArchivesOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listArchivesOut{}, err
	}
	all, err := s.ListArchives(ctxOf(c))
	if err != nil {
		return listArchivesOut{}, err
	}
	var out []wireArchive
	for _, a := range all {
		if !strings.HasPrefix(a.Name, in.NamePrefix) || (in.EventSourceArn != "" && in.EventSourceArn != s.BusARN(a.Bus)) ||
			(in.State != "" && in.State != "ENABLED") {
			continue
		}
		w := s.wireArchive(c, a)
		w.ArchiveArn, w.Description, w.EventPattern = "", "", ""
		out = append(out, w)
	}
	page, next, err := awsapi.Page(out, in.NextToken, in.Limit, 100)
	return listArchivesOut{Archives: nonNil(page), NextToken: next}, err
}

func fromEpoch(f float64) time.Time { return time.Unix(0, int64(f*1e9)).UTC() }

func (s *Service) startReplay(c *awsapi.Call, in *startReplayIn) (replayStateOut, error) {
	if err := checkArchiveName(in.ReplayName); err != nil {
		return replayStateOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ReplayName)
	}
	a, err := awsapi.ParseARN(in.EventSourceArn)
	if err != nil || !strings.HasPrefix(a.Resource, "archive/") {
		return replayStateOut{}, awsapi.ValidationError("Parameter EventSourceArn is not valid: it must be an archive ARN.")
	}
	archive := strings.TrimPrefix(a.Resource, "archive/")
	if in.Destination == nil || in.Destination.Arn == "" {
		return replayStateOut{}, awsapi.ValidationError("1 validation error detected: Value null at 'destination' failed to satisfy constraint: Member must not be null")
	}
	start, end := fromEpoch(in.EventStartTime), fromEpoch(in.EventEndTime)
	if !start.Before(end) {
		return replayStateOut{}, awsapi.ValidationError("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	ar, err := s.GetArchive(ctxOf(c), archive)
	if err != nil {
		return replayStateOut{}, err
	}
	if in.Destination.Arn != s.BusARN(ar.Bus) {
		return replayStateOut{}, awsapi.ValidationError("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	r, err := s.StartReplay(ctxOf(c), Replay{Name: in.ReplayName, Description: in.Description, Archive: archive,
		FilterArns: in.Destination.FilterArns, Start: start, End: end})
	if err != nil {
		return replayStateOut{}, err
	}
	return replayStateOut{ReplayArn: s.ReplayARN(r.Name), State: r.State, ReplayStartTime: epoch(r.Started)}, nil
}

func (s *Service) wireReplay(r *Replay, full bool) wireReplay {
	w := wireReplay{ReplayName: r.Name, State: r.State, StateReason: r.StateReason, EventSourceArn: s.ArchiveARN(r.Archive),
		EventStartTime: epoch(r.Start), EventEndTime: epoch(r.End), ReplayStartTime: epoch(r.Started)}
	if !r.LastEvent.IsZero() {
		w.EventLastReplayedTime = epoch(r.LastEvent)
	}
	if !r.Ended.IsZero() {
		w.ReplayEndTime = epoch(r.Ended)
	}
	if full {
		w.ReplayArn, w.Description = s.ReplayARN(r.Name), r.Description
		w.Destination = &destination{Arn: s.BusARN(r.Bus), FilterArns: r.FilterArns}
	}
	return w
}

func (s *Service) describeReplay(c *awsapi.Call, in *replayNameIn) (wireReplay, error) {
	r, err := s.GetReplay(ctxOf(c), in.ReplayName)
	if err != nil {
		return wireReplay{}, err
	}
	return s.wireReplay(r, true), nil
}

func (s *Service) listReplays(c *awsapi.Call, in *listReplaysIn) (listReplaysOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listReplaysOut{}, err
	}
	all, err := s.ListReplays(ctxOf(c))
	if err != nil {
		return listReplaysOut{}, err
	}
	var out []wireReplay
	for _, r := range all {
		if !strings.HasPrefix(r.Name, in.NamePrefix) || (in.State != "" && in.State != r.State) ||
			(in.EventSourceArn != "" && in.EventSourceArn != s.ArchiveARN(r.Archive)) {
			continue
		}
		out = append(out, s.wireReplay(r, false))
	}
	page, next, err := awsapi.Page(out, in.NextToken, in.Limit, 100)
	return listReplaysOut{Replays: nonNil(page), NextToken: next}, err
}
