package functions

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The Lambda API's layer operations (2018-10-31), as aws-sdk-go-v2 sends
// them. Each is authorized (api_ops.go) on the layer's ARN, or on the layer
// version's ARN when the path names a version; GetLayerVersionByArn as
// lambda:GetLayerVersion on the ARN it asks for.

type layerContentInput struct {
	ZipFile   []byte  `json:"ZipFile"`
	S3Bucket  *string `json:"S3Bucket"`
	S3Key     *string `json:"S3Key"`
	ImageUri  *string `json:"ImageUri"`
	S3Version *string `json:"S3ObjectVersion"`
}

type publishLayerVersionInput struct {
	LayerName               string             `aws:"uri=LayerName" json:"-"`
	Content                 *layerContentInput `json:"Content"`
	Description             string             `json:"Description"`
	CompatibleRuntimes      []string           `json:"CompatibleRuntimes"`
	CompatibleArchitectures []string           `json:"CompatibleArchitectures"`
	LicenseInfo             string             `json:"LicenseInfo"`
}

// layerVersionRef is the input of an operation on one layer version.
type layerVersionRef struct {
	LayerName     string `aws:"uri=LayerName" json:"-"`
	VersionNumber string `aws:"uri=VersionNumber" json:"-"`
}

type layerVersionContentOutput struct {
	CodeSha256 string `json:"CodeSha256"`
	CodeSize   int64  `json:"CodeSize"`
}

// layerVersionOutput is PublishLayerVersion's, GetLayerVersion's and
// GetLayerVersionByArn's answer.
type layerVersionOutput struct {
	Content                 *layerVersionContentOutput `json:"Content,omitempty"`
	LayerArn                string                     `json:"LayerArn,omitempty"`
	LayerVersionArn         string                     `json:"LayerVersionArn"`
	Version                 int64                      `json:"Version"`
	Description             string                     `json:"Description,omitempty"`
	CreatedDate             string                     `json:"CreatedDate"`
	CompatibleRuntimes      []string                   `json:"CompatibleRuntimes,omitempty"`
	CompatibleArchitectures []string                   `json:"CompatibleArchitectures,omitempty"`
	LicenseInfo             string                     `json:"LicenseInfo,omitempty"`
}

func (a *lambdaAPI) layerOut(lv *LayerVersion, full bool) layerVersionOutput {
	out := layerVersionOutput{
		LayerVersionArn: a.s.LayerVersionARN(lv.Name, lv.Version), Version: lv.Version, Description: lv.Description,
		CreatedDate:        lv.Created.UTC().Format("2006-01-02T15:04:05.000-0700"),
		CompatibleRuntimes: lv.CompatibleRuntimes, CompatibleArchitectures: lv.CompatibleArchitectures, LicenseInfo: lv.LicenseInfo,
	}
	if full {
		out.LayerArn = a.s.LayerARN(lv.Name)
		out.Content = &layerVersionContentOutput{CodeSha256: lv.CodeSHA256, CodeSize: lv.CodeSize}
	}
	return out
}

func (a *lambdaAPI) publishLayerVersion(c *awsapi.Call, in *publishLayerVersionInput) (layerVersionOutput, error) {
	switch {
	case in.Content == nil:
		return layerVersionOutput{}, awsapi.InvalidParameter("Content is required")
	case in.Content.S3Bucket != nil || in.Content.S3Key != nil:
		return layerVersionOutput{}, awsapi.InvalidParameter("Content.S3Bucket is not supported by nubo yet: pass the layer's .zip in Content.ZipFile")
	case len(in.Content.ZipFile) == 0:
		return layerVersionOutput{}, awsapi.InvalidParameter("Content.ZipFile is required")
	}
	lv, err := a.s.PublishLayerVersion(c.Context(), LayerVersion{
		Name: in.LayerName, Description: in.Description, CompatibleRuntimes: in.CompatibleRuntimes,
		CompatibleArchitectures: in.CompatibleArchitectures, LicenseInfo: in.LicenseInfo,
	}, in.Content.ZipFile)
	if err != nil {
		return layerVersionOutput{}, err
	}
	return a.layerOut(lv, true), nil
}

// layerVersionParam reads the {VersionNumber} path value.
func layerVersionParam(version string) (int64, error) {
	v, err := strconv.ParseInt(version, 10, 64)
	if err != nil || v < 1 {
		return 0, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'versionNumber' failed to satisfy constraint: Member must be a number of 1 or more", version)
	}
	return v, nil
}

func layerNotFound() error {
	return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func (a *lambdaAPI) getLayerVersion(c *awsapi.Call, in *layerVersionRef) (layerVersionOutput, error) {
	v, err := layerVersionParam(in.VersionNumber)
	if err != nil {
		return layerVersionOutput{}, err
	}
	lv, err := a.s.GetLayerVersion(c.Context(), in.LayerName, v)
	if errors.Is(err, ErrLayerNotFound) {
		return layerVersionOutput{}, layerNotFound()
	}
	if err != nil {
		return layerVersionOutput{}, err
	}
	return a.layerOut(lv, true), nil
}

func (a *lambdaAPI) deleteLayerVersion(c *awsapi.Call, in *layerVersionRef) (awsapi.None, error) {
	v, err := layerVersionParam(in.VersionNumber)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.s.DeleteLayerVersion(c.Context(), in.LayerName, v)
}

// page applies Marker (an index) and MaxItems (1-50, default 50).
func page[T any](marker, maxItems string, items []T) ([]T, string, error) {
	max := 50
	if s := maxItems; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return nil, "", awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50", s)
		}
		max = n
	}
	p, next, err := awsapi.Page(items, marker, max, 50)
	if err != nil {
		return nil, "", awsapi.InvalidParameter("Marker %q is not one this API gave", marker)
	}
	return p, next, nil
}

// listLayersInput is ListLayers' input and, with the layer's name,
// ListLayerVersions'.
type listLayersInput struct {
	LayerName         string `aws:"uri=LayerName" json:"-"`
	CompatibleRuntime string `aws:"querystring=CompatibleRuntime" json:"-"`
	Marker            string `aws:"querystring=Marker" json:"-"`
	MaxItems          string `aws:"querystring=MaxItems" json:"-"`
}

type listLayerVersionsOutput struct {
	LayerVersions []layerVersionOutput `json:"LayerVersions"`
	NextMarker    string               `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listLayerVersions(c *awsapi.Call, in *listLayersInput) (listLayerVersionsOutput, error) {
	all, err := a.s.ListLayerVersions(c.Context(), in.LayerName, in.CompatibleRuntime)
	if err != nil {
		return listLayerVersionsOutput{}, err
	}
	items, next, err := page(in.Marker, in.MaxItems, all)
	if err != nil {
		return listLayerVersionsOutput{}, err
	}
	out := listLayerVersionsOutput{LayerVersions: []layerVersionOutput{}, NextMarker: next}
	for _, lv := range items {
		out.LayerVersions = append(out.LayerVersions, a.layerOut(lv, false))
	}
	return out, nil
}

type layerItem struct {
	LayerName             string             `json:"LayerName"`
	LayerArn              string             `json:"LayerArn"`
	LatestMatchingVersion layerVersionOutput `json:"LatestMatchingVersion"`
}

type listLayersOutput struct {
	Layers     []layerItem `json:"Layers"`
	NextMarker string      `json:"NextMarker,omitempty"`
}

func (a *lambdaAPI) listLayers(c *awsapi.Call, in *listLayersInput) (listLayersOutput, error) {
	all, err := a.s.ListLayers(c.Context(), in.CompatibleRuntime)
	if err != nil {
		return listLayersOutput{}, err
	}
	items, next, err := page(in.Marker, in.MaxItems, all)
	if err != nil {
		return listLayersOutput{}, err
	}
	out := listLayersOutput{Layers: []layerItem{}, NextMarker: next}
	for _, lv := range items {
		out.Layers = append(out.Layers, layerItem{LayerName: lv.Name, LayerArn: a.s.LayerARN(lv.Name), LatestMatchingVersion: a.layerOut(lv, false)})
	}
	return out, nil
}

type layerVersionByARNInput struct {
	Arn string `aws:"querystring=Arn" json:"-"`
}

// layerVersionByARNTarget: GetLayerVersionByArn is lambda:GetLayerVersion
// on the layer version ARN it asks for.
func layerVersionByARNTarget(_ *awsapi.Call, in *layerVersionByARNInput) ([]awsapi.Target, error) {
	return []awsapi.Target{{Resource: in.Arn}}, nil // "" is "*"
}

func (a *lambdaAPI) getLayerVersionByARN(c *awsapi.Call, in *layerVersionByARNInput) (layerVersionOutput, error) {
	name, v, err := a.s.ParseLayerVersionARN(in.Arn)
	if err != nil {
		return layerVersionOutput{}, err
	}
	lv, err := a.s.GetLayerVersion(c.Context(), name, v)
	if errors.Is(err, ErrLayerNotFound) {
		return layerVersionOutput{}, layerNotFound()
	}
	if err != nil {
		return layerVersionOutput{}, err
	}
	return a.layerOut(lv, true), nil
}

// layerPolicy is the version's resource-based policy document.
func (a *lambdaAPI) layerPolicy(lv *LayerVersion) (doc string, stmts map[string]string) {
	type principal = any
	type statement struct {
		Sid       string    `json:"Sid"`
		Effect    string    `json:"Effect"`
		Principal principal `json:"Principal"`
		Action    string    `json:"Action"`
		Resource  string    `json:"Resource"`
		Condition any       `json:"Condition,omitempty"`
	}
	arn := a.s.LayerVersionARN(lv.Name, lv.Version)
	policy := struct {
		Version   string      `json:"Version"`
		ID        string      `json:"Id"`
		Statement []statement `json:"Statement"`
	}{Version: "2012-10-17", ID: "default"}
	stmts = map[string]string{}
	for _, s := range lv.Policy {
		var p principal = s.Principal
		if s.Principal != "*" {
			p = map[string]string{"AWS": s.Principal}
			if _, err := strconv.ParseUint(s.Principal, 10, 64); err == nil {
				p = map[string]string{"AWS": "arn:aws:iam::" + s.Principal + ":root"}
			}
		}
		st := statement{Sid: s.Sid, Effect: "Allow", Principal: p, Action: s.Action, Resource: arn}
		if s.OrganizationID != "" {
			st.Condition = map[string]map[string]string{"StringEquals": {"aws:PrincipalOrgID": s.OrganizationID}}
		}
		b, _ := json.Marshal(st)
		stmts[s.Sid] = string(b)
		policy.Statement = append(policy.Statement, st)
	}
	b, _ := json.Marshal(policy)
	return string(b), stmts
}

type addLayerVersionPermissionInput struct {
	LayerName      string `aws:"uri=LayerName" json:"-"`
	VersionNumber  string `aws:"uri=VersionNumber" json:"-"`
	RevisionId     string `aws:"querystring=RevisionId" json:"-"`
	StatementID    string `json:"StatementId"`
	Action         string `json:"Action"`
	Principal      string `json:"Principal"`
	OrganizationID string `json:"OrganizationId"`
}

type layerStatementOutput struct {
	Statement  string `json:"Statement"`
	RevisionId string `json:"RevisionId"`
}

func (a *lambdaAPI) addLayerVersionPermission(c *awsapi.Call, in *addLayerVersionPermissionInput) (layerStatementOutput, error) {
	v, err := layerVersionParam(in.VersionNumber)
	if err != nil {
		return layerStatementOutput{}, err
	}
	switch {
	case in.StatementID == "":
		return layerStatementOutput{}, awsapi.InvalidParameter("StatementId is required")
	case in.Action != "lambda:GetLayerVersion":
		return layerStatementOutput{}, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion", in.Action)
	case in.Principal == "":
		return layerStatementOutput{}, awsapi.InvalidParameter("Principal is required")
	}
	lv, err := a.s.UpdateLayerPolicy(c.Context(), in.LayerName, v, in.RevisionId, func(lv *LayerVersion) error {
		for _, s := range lv.Policy {
			if s.Sid == in.StatementID {
				return ErrLayerStatementExists
			}
		}
		lv.Policy = append(lv.Policy, LayerStatement{Sid: in.StatementID, Action: in.Action, Principal: in.Principal, OrganizationID: in.OrganizationID})
		return nil
	})
	if err := layerPolicyError(err, in.StatementID); err != nil {
		return layerStatementOutput{}, err
	}
	_, stmts := a.layerPolicy(lv)
	return layerStatementOutput{Statement: stmts[in.StatementID], RevisionId: lv.RevisionID}, nil
}

func layerPolicyError(err error, sid string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrLayerNotFound):
		return layerNotFound()
	case errors.Is(err, ErrLayerStatementExists):
		return awsapi.NewError(http.StatusConflict, "ResourceConflictException", "The statement id ("+sid+") provided already exists. Please provide a new statement id, or remove the existing statement.")
	case errors.Is(err, ErrLayerStatementNotFound):
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "Statement "+sid+" is not found in resource policy.")
	}
	return err
}

type layerPolicyOutput struct {
	Policy     string `json:"Policy"`
	RevisionId string `json:"RevisionId"`
}

func (a *lambdaAPI) getLayerVersionPolicy(c *awsapi.Call, in *layerVersionRef) (layerPolicyOutput, error) {
	v, err := layerVersionParam(in.VersionNumber)
	if err != nil {
		return layerPolicyOutput{}, err
	}
	lv, err := a.s.GetLayerVersion(c.Context(), in.LayerName, v)
	if errors.Is(err, ErrLayerNotFound) || err == nil && len(lv.Policy) == 0 {
		return layerPolicyOutput{}, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "No policy is associated with the given resource.")
	}
	if err != nil {
		return layerPolicyOutput{}, err
	}
	doc, _ := a.layerPolicy(lv)
	return layerPolicyOutput{Policy: doc, RevisionId: lv.RevisionID}, nil
}

type removeLayerVersionPermissionInput struct {
	LayerName     string `aws:"uri=LayerName" json:"-"`
	VersionNumber string `aws:"uri=VersionNumber" json:"-"`
	StatementId   string `aws:"uri=StatementId" json:"-"`
	RevisionId    string `aws:"querystring=RevisionId" json:"-"`
}

func (a *lambdaAPI) removeLayerVersionPermission(c *awsapi.Call, in *removeLayerVersionPermissionInput) (awsapi.None, error) {
	v, err := layerVersionParam(in.VersionNumber)
	if err != nil {
		return awsapi.None{}, err
	}
	sid := in.StatementId
	_, err = a.s.UpdateLayerPolicy(c.Context(), in.LayerName, v, in.RevisionId, func(lv *LayerVersion) error {
		for i, s := range lv.Policy {
			if s.Sid == sid {
				lv.Policy = append(lv.Policy[:i], lv.Policy[i+1:]...)
				return nil
			}
		}
		return ErrLayerStatementNotFound
	})
	return awsapi.None{}, layerPolicyError(err, sid)
}
