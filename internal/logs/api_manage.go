package logs

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// This file holds the operations that manage log groups: CreateLogGroup,
// DeleteLogGroup, PutRetentionPolicy and DeleteRetentionPolicy. A group
// created here is stored with the groups' settings (Store.CreateGroup),
// so every node sees it.

// invalidParameter is Logs' InvalidParameterException.
func invalidParameter(msg string) error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidParameterException", msg)
}

func groupExists() error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceAlreadyExistsException", "The specified log group already exists")
}

// validGroupName reports whether name is a log group name AWS accepts:
// 1 to 512 of [.-_/#A-Za-z0-9].
func validGroupName(name string) bool {
	if name == "" || len(name) > 512 {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.', r == '-', r == '_', r == '/', r == '#':
		default:
			return false
		}
	}
	return true
}

func checkGroupName(name string) error {
	if !validGroupName(name) {
		return invalidParameter("1 validation error detected: Value '" + name + "' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+ and have length between 1 and 512")
	}
	return nil
}

// groupTarget is what an operation on a whole log group is authorized on:
// arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*.
func (a *api) groupTarget(name string) []awsapi.Target {
	return []awsapi.Target{{Resource: a.account.ARN("logs", "log-group:"+name+":*")}}
}

type createLogGroupInput struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
	LogGroupClass string            `json:"logGroupClass"`
}

func (a *api) createLogGroup(c *awsapi.Call, in *createLogGroupInput) (awsapi.None, error) {
	if err := checkGroupName(in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	switch in.LogGroupClass {
	case "", "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		return awsapi.None{}, invalidParameter("logGroupClass must be one of STANDARD, INFREQUENT_ACCESS, DELIVERY")
	}
	if len(in.Tags) > 50 {
		return awsapi.None{}, invalidParameter("A log group can have at most 50 tags")
	}
	if a.sources != nil {
		if _, err := a.sources.LogSource(c.Context(), in.LogGroupName); err == nil {
			return awsapi.None{}, groupExists()
		} else if !errors.Is(err, ErrGroupNotFound) {
			return awsapi.None{}, err
		}
	}
	g := Group{Name: in.LogGroupName, Created: time.Now().UnixMilli(), Tags: in.Tags, Class: in.LogGroupClass, KmsKeyID: in.KmsKeyID}
	if err := a.store.CreateGroup(c.Context(), g); err != nil {
		if errors.Is(err, ErrGroupExists) {
			return awsapi.None{}, groupExists()
		}
		return awsapi.None{}, err
	}
	return awsapi.None{}, nil
}

type deleteLogGroupInput struct {
	LogGroupName string `json:"logGroupName"`
}

// deleteLogGroup forgets the group's settings and streams and drops its
// lines: those written through PutLogEvents and, for a function's group,
// the function's.
func (a *api) deleteLogGroup(c *awsapi.Call, in *deleteLogGroupInput) (awsapi.None, error) {
	if err := checkGroupName(in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	ctx := c.Context()
	found := false
	if a.sources != nil {
		src, err := a.sources.LogSource(ctx, in.LogGroupName)
		switch {
		case err == nil:
			found = true
			if err := a.store.PurgeLines(ctx, src.Key); err != nil {
				return awsapi.None{}, err
			}
		case !errors.Is(err, ErrGroupNotFound):
			return awsapi.None{}, err
		}
	}
	switch err := a.store.DeleteGroup(ctx, in.LogGroupName); {
	case err == nil:
		found = true
	case !errors.Is(err, ErrGroupNotFound):
		return awsapi.None{}, err
	}
	if !found {
		return awsapi.None{}, groupNotFound()
	}
	if err := a.store.PurgeLines(ctx, UserSource(in.LogGroupName)); err != nil {
		return awsapi.None{}, err
	}
	if err := a.store.deleteStreams(ctx, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	if err := a.store.deleteGroupFilters(ctx, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, nil
}

type putRetentionPolicyInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays int    `json:"retentionInDays"`
}

func (a *api) putRetentionPolicy(c *awsapi.Call, in *putRetentionPolicyInput) (awsapi.None, error) {
	if err := checkGroupName(in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	if !slices.Contains(retentionDays(), in.RetentionInDays) {
		return awsapi.None{}, invalidParameter("1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	}
	return awsapi.None{}, a.setRetention(c, in.LogGroupName, in.RetentionInDays)
}

type deleteRetentionPolicyInput struct {
	LogGroupName string `json:"logGroupName"`
}

func (a *api) deleteRetentionPolicy(c *awsapi.Call, in *deleteRetentionPolicyInput) (awsapi.None, error) {
	if err := checkGroupName(in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.setRetention(c, in.LogGroupName, 0)
}

// setRetention sets a group's retention, 0 for none. A function's group
// with no settings yet gets them; a group that exists nowhere is
// ResourceNotFoundException.
func (a *api) setRetention(c *awsapi.Call, name string, days int) error {
	ctx := c.Context()
	g, err := a.store.Group(ctx, name)
	if errors.Is(err, ErrGroupNotFound) {
		if a.sources == nil {
			return groupNotFound()
		}
		src, serr := a.sources.LogSource(ctx, name)
		if serr != nil {
			return serr
		}
		g, err = Group{Name: name, Created: millis(src.Created)}, nil
	}
	if err != nil {
		return err
	}
	g.RetentionDays = days
	return a.store.PutGroup(ctx, g)
}
