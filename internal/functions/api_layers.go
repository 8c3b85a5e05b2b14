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
	Content                 *layerContentInput `json:"Content"`
	Description             string             `json:"Description"`
	CompatibleRuntimes      []string           `json:"CompatibleRuntimes"`
	CompatibleArchitectures []string           `json:"CompatibleArchitectures"`
	LicenseInfo             string             `json:"LicenseInfo"`
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

func (a *lambdaAPI) publishLayerVersion(w http.ResponseWriter, r *http.Request) error {
	var in publishLayerVersionInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	switch {
	case in.Content == nil:
		return awsapi.InvalidParameter("Content is required")
	case in.Content.S3Bucket != nil || in.Content.S3Key != nil:
		return awsapi.InvalidParameter("Content.S3Bucket is not supported by nubo yet: pass the layer's .zip in Content.ZipFile")
	case len(in.Content.ZipFile) == 0:
		return awsapi.InvalidParameter("Content.ZipFile is required")
	}
	lv, err := a.s.PublishLayerVersion(r.Context(), LayerVersion{
		Name: r.PathValue("LayerName"), Description: in.Description, CompatibleRuntimes: in.CompatibleRuntimes,
		CompatibleArchitectures: in.CompatibleArchitectures, LicenseInfo: in.LicenseInfo,
	}, in.Content.ZipFile)
	if err != nil {
		return err
	}
	awsapi.WriteJSON(w, http.StatusCreated, a.layerOut(lv, true))
	return nil
}

// layerVersionParam reads the {version} path value.
func layerVersionParam(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue("VersionNumber"), 10, 64)
	if err != nil || v < 1 {
		return 0, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'versionNumber' failed to satisfy constraint: Member must be a number of 1 or more", r.PathValue("VersionNumber"))
	}
	return v, nil
}

func layerNotFound() error {
	return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func (a *lambdaAPI) getLayerVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := layerVersionParam(r)
	if err != nil {
		return err
	}
	lv, err := a.s.GetLayerVersion(r.Context(), r.PathValue("LayerName"), v)
	if errors.Is(err, ErrLayerNotFound) {
		return layerNotFound()
	}
	if err != nil {
		return err
	}
	awsapi.WriteJSON(w, http.StatusOK, a.layerOut(lv, true))
	return nil
}

func (a *lambdaAPI) deleteLayerVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := layerVersionParam(r)
	if err != nil {
		return err
	}
	if err := a.s.DeleteLayerVersion(r.Context(), r.PathValue("LayerName"), v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// page applies Marker (an index) and MaxItems (1-50, default 50).
func page[T any](r *http.Request, items []T) ([]T, string, error) {
	q := r.URL.Query()
	start := 0
	if m := q.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", awsapi.InvalidParameter("Marker %q is not one this API gave", m)
		}
		start = n
	}
	max := 50
	if s := q.Get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return nil, "", awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50", s)
		}
		max = n
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (a *lambdaAPI) listLayerVersions(w http.ResponseWriter, r *http.Request) error {
	all, err := a.s.ListLayerVersions(r.Context(), r.PathValue("LayerName"), r.URL.Query().Get("CompatibleRuntime"))
	if err != nil {
		return err
	}
	items, next, err := page(r, all)
	if err != nil {
		return err
	}
	out := struct {
		LayerVersions []layerVersionOutput `json:"LayerVersions"`
		NextMarker    string               `json:"NextMarker,omitempty"`
	}{LayerVersions: []layerVersionOutput{}, NextMarker: next}
	for _, lv := range items {
		out.LayerVersions = append(out.LayerVersions, a.layerOut(lv, false))
	}
	awsapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *lambdaAPI) listLayers(w http.ResponseWriter, r *http.Request) error {
	all, err := a.s.ListLayers(r.Context(), r.URL.Query().Get("CompatibleRuntime"))
	if err != nil {
		return err
	}
	items, next, err := page(r, all)
	if err != nil {
		return err
	}
	type item struct {
		LayerName             string             `json:"LayerName"`
		LayerArn              string             `json:"LayerArn"`
		LatestMatchingVersion layerVersionOutput `json:"LatestMatchingVersion"`
	}
	out := struct {
		Layers     []item `json:"Layers"`
		NextMarker string `json:"NextMarker,omitempty"`
	}{Layers: []item{}, NextMarker: next}
	for _, lv := range items {
		out.Layers = append(out.Layers, item{LayerName: lv.Name, LayerArn: a.s.LayerARN(lv.Name), LatestMatchingVersion: a.layerOut(lv, false)})
	}
	awsapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *lambdaAPI) getLayerVersionByARN(w http.ResponseWriter, r *http.Request) error {
	name, v, err := a.s.ParseLayerVersionARN(r.URL.Query().Get("Arn"))
	if err != nil {
		return err
	}
	lv, err := a.s.GetLayerVersion(r.Context(), name, v)
	if errors.Is(err, ErrLayerNotFound) {
		return layerNotFound()
	}
	if err != nil {
		return err
	}
	awsapi.WriteJSON(w, http.StatusOK, a.layerOut(lv, true))
	return nil
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

func (a *lambdaAPI) addLayerVersionPermission(w http.ResponseWriter, r *http.Request) error {
	v, err := layerVersionParam(r)
	if err != nil {
		return err
	}
	var in struct {
		StatementID    string `json:"StatementId"`
		Action         string `json:"Action"`
		Principal      string `json:"Principal"`
		OrganizationID string `json:"OrganizationId"`
	}
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	switch {
	case in.StatementID == "":
		return awsapi.InvalidParameter("StatementId is required")
	case in.Action != "lambda:GetLayerVersion":
		return awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion", in.Action)
	case in.Principal == "":
		return awsapi.InvalidParameter("Principal is required")
	}
	lv, err := a.s.UpdateLayerPolicy(r.Context(), r.PathValue("LayerName"), v, r.URL.Query().Get("RevisionId"), func(lv *LayerVersion) error {
		for _, s := range lv.Policy {
			if s.Sid == in.StatementID {
				return ErrLayerStatementExists
			}
		}
		lv.Policy = append(lv.Policy, LayerStatement{Sid: in.StatementID, Action: in.Action, Principal: in.Principal, OrganizationID: in.OrganizationID})
		return nil
	})
	if err := layerPolicyError(err, in.StatementID); err != nil {
		return err
	}
	_, stmts := a.layerPolicy(lv)
	awsapi.WriteJSON(w, http.StatusCreated, map[string]string{"Statement": stmts[in.StatementID], "RevisionId": lv.RevisionID})
	return nil
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

func (a *lambdaAPI) getLayerVersionPolicy(w http.ResponseWriter, r *http.Request) error {
	v, err := layerVersionParam(r)
	if err != nil {
		return err
	}
	lv, err := a.s.GetLayerVersion(r.Context(), r.PathValue("LayerName"), v)
	if errors.Is(err, ErrLayerNotFound) || err == nil && len(lv.Policy) == 0 {
		return awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "No policy is associated with the given resource.")
	}
	if err != nil {
		return err
	}
	doc, _ := a.layerPolicy(lv)
	awsapi.WriteJSON(w, http.StatusOK, map[string]string{"Policy": doc, "RevisionId": lv.RevisionID})
	return nil
}

func (a *lambdaAPI) removeLayerVersionPermission(w http.ResponseWriter, r *http.Request) error {
	v, err := layerVersionParam(r)
	if err != nil {
		return err
	}
	sid := r.PathValue("StatementId")
	_, err = a.s.UpdateLayerPolicy(r.Context(), r.PathValue("LayerName"), v, r.URL.Query().Get("RevisionId"), func(lv *LayerVersion) error {
		for i, s := range lv.Policy {
			if s.Sid == sid {
				lv.Policy = append(lv.Policy[:i], lv.Policy[i+1:]...)
				return nil
			}
		}
		return ErrLayerStatementNotFound
	})
	if err := layerPolicyError(err, sid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
