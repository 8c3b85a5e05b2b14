package parameters

import (
	"errors"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// listDocumentsPage is ListDocuments' and ListDocumentVersions' default and
// largest page.
const listDocumentsPage = 50

type (
	documentParameter struct {
		Name         string `json:"Name"`
		Type         string `json:"Type,omitempty"`
		Description  string `json:"Description,omitempty"`
		DefaultValue string `json:"DefaultValue,omitempty"`
	}
	documentDescription struct {
		Name            string              `json:"Name"`
		DisplayName     string              `json:"DisplayName,omitempty"`
		VersionName     string              `json:"VersionName,omitempty"`
		Owner           string              `json:"Owner"`
		CreatedDate     float64             `json:"CreatedDate"`
		Status          string              `json:"Status"`
		DocumentVersion string              `json:"DocumentVersion"`
		Description     string              `json:"Description,omitempty"`
		Parameters      []documentParameter `json:"Parameters,omitempty"`
		PlatformTypes   []string            `json:"PlatformTypes"`
		DocumentType    string              `json:"DocumentType"`
		SchemaVersion   string              `json:"SchemaVersion,omitempty"`
		LatestVersion   string              `json:"LatestVersion"`
		DefaultVersion  string              `json:"DefaultVersion"`
		DocumentFormat  string              `json:"DocumentFormat"`
		TargetType      string              `json:"TargetType,omitempty"`
		Tags            []tag               `json:"Tags"`
		Hash            string              `json:"Hash"`
		HashType        string              `json:"HashType"`
	}
	documentIdentifier struct {
		Name            string   `json:"Name"`
		DisplayName     string   `json:"DisplayName,omitempty"`
		VersionName     string   `json:"VersionName,omitempty"`
		Owner           string   `json:"Owner"`
		CreatedDate     float64  `json:"CreatedDate"`
		PlatformTypes   []string `json:"PlatformTypes"`
		DocumentVersion string   `json:"DocumentVersion"`
		DocumentType    string   `json:"DocumentType"`
		SchemaVersion   string   `json:"SchemaVersion,omitempty"`
		DocumentFormat  string   `json:"DocumentFormat"`
		TargetType      string   `json:"TargetType,omitempty"`
		Tags            []tag    `json:"Tags"`
	}
	documentVersionInfo struct {
		Name             string  `json:"Name"`
		DisplayName      string  `json:"DisplayName,omitempty"`
		DocumentVersion  string  `json:"DocumentVersion"`
		VersionName      string  `json:"VersionName,omitempty"`
		CreatedDate      float64 `json:"CreatedDate"`
		IsDefaultVersion bool    `json:"IsDefaultVersion"`
		DocumentFormat   string  `json:"DocumentFormat"`
		Status           string  `json:"Status"`
	}

	createDocumentIn struct {
		Name, Content, DocumentType, DocumentFormat, TargetType, VersionName, DisplayName string
		Tags                                                                              []tag
	}
	documentOut struct {
		DocumentDescription documentDescription
	}
	getDocumentIn struct {
		Name, DocumentVersion, VersionName, DocumentFormat string
	}
	getDocumentOut struct {
		Name            string  `json:"Name"`
		DisplayName     string  `json:"DisplayName,omitempty"`
		VersionName     string  `json:"VersionName,omitempty"`
		CreatedDate     float64 `json:"CreatedDate"`
		DocumentVersion string  `json:"DocumentVersion"`
		Status          string  `json:"Status"`
		Content         string  `json:"Content"`
		DocumentType    string  `json:"DocumentType"`
		DocumentFormat  string  `json:"DocumentFormat"`
	}
	describeDocumentOut struct {
		Document documentDescription
	}
	updateDocumentIn struct {
		Name, Content, DocumentVersion, DocumentFormat, TargetType, VersionName, DisplayName string
	}
	defaultVersionIn struct {
		Name, DocumentVersion string
	}
	defaultVersionOut struct {
		Description struct {
			Name               string `json:"Name"`
			DefaultVersion     string `json:"DefaultVersion"`
			DefaultVersionName string `json:"DefaultVersionName,omitempty"`
		}
	}
	deleteDocumentIn struct {
		Name, DocumentVersion, VersionName string
		Force                              bool
	}
	listDocumentsIn struct {
		DocumentFilterList []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		}
		Filters    []parametersFilter
		MaxResults int
		NextToken  string
	}
	listDocumentsOut struct {
		DocumentIdentifiers []documentIdentifier
		NextToken           string `json:",omitempty"`
	}
	listVersionsIn struct {
		Name       string
		MaxResults int
		NextToken  string
	}
	listVersionsOut struct {
		DocumentVersions []documentVersionInfo
		NextToken        string `json:",omitempty"`
	}
)

func (s *Store) documentOps() []awsapi.Declared {
	target := func(c *awsapi.Call, name string) []awsapi.Target {
		t := awsapi.Target{Resource: s.documentARN(docName(name))}
		if d, err := s.GetDocument(c.Context(), docName(name)); err == nil && len(d.Tags) > 0 {
			t.ResourceTags = d.Tags
		}
		return []awsapi.Target{t}
	}
	return []awsapi.Declared{
		awsapi.Op[createDocumentIn, documentOut]{Name: "CreateDocument", Action: "ssm:CreateDocument",
			Resources: func(c *awsapi.Call, in *createDocumentIn) ([]awsapi.Target, error) {
				t := target(c, in.Name)
				t[0].RequestTags = tagMap(in.Tags)
				return t, nil
			},
			Handler: s.createDocument},
		awsapi.Op[getDocumentIn, getDocumentOut]{Name: "GetDocument", Action: "ssm:GetDocument",
			Resources: func(c *awsapi.Call, in *getDocumentIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler:   s.getDocument},
		awsapi.Op[getDocumentIn, describeDocumentOut]{Name: "DescribeDocument", Action: "ssm:DescribeDocument",
			Resources: func(c *awsapi.Call, in *getDocumentIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler:   s.describeDocument},
		awsapi.Op[updateDocumentIn, documentOut]{Name: "UpdateDocument", Action: "ssm:UpdateDocument",
			Resources: func(c *awsapi.Call, in *updateDocumentIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler:   s.updateDocument},
		awsapi.Op[defaultVersionIn, defaultVersionOut]{Name: "UpdateDocumentDefaultVersion", Action: "ssm:UpdateDocumentDefaultVersion",
			Resources: func(c *awsapi.Call, in *defaultVersionIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler:   s.updateDocumentDefaultVersion},
		awsapi.Op[deleteDocumentIn, awsapi.None]{Name: "DeleteDocument", Action: "ssm:DeleteDocument",
			Resources: func(c *awsapi.Call, in *deleteDocumentIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler: func(c *awsapi.Call, in *deleteDocumentIn) (awsapi.None, error) {
				return awsapi.None{}, s.DeleteDocument(c.Context(), docName(in.Name), in.DocumentVersion, in.VersionName)
			}},
		awsapi.Op[listDocumentsIn, listDocumentsOut]{Name: "ListDocuments", Action: "ssm:ListDocuments",
			Handler: s.listDocuments},
		awsapi.Op[listVersionsIn, listVersionsOut]{Name: "ListDocumentVersions", Action: "ssm:ListDocumentVersions",
			Resources: func(c *awsapi.Call, in *listVersionsIn) ([]awsapi.Target, error) { return target(c, in.Name), nil },
			Handler:   s.listDocumentVersions},
	}
}

func (s *Store) documentARN(name string) string { return s.opts.Account.ARN("ssm", "document/"+name) }

// docName is a document named by its name or its ARN.
func docName(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		if i := strings.Index(ref, ":document/"); i >= 0 {
			return ref[i+len(":document/"):]
		}
	}
	return ref
}

func epoch(t interface{ UnixMilli() int64 }) float64 { return float64(t.UnixMilli()) / 1000 }

func sortedTags(m map[string]string) []tag {
	out := []tag{}
	for _, k := range sortedKeys(m) {
		out = append(out, tag{Key: k, Value: m[k]})
	}
	return out
}

func (s *Store) describe(d *Document, v *DocumentVersion) documentDescription {
	out := documentDescription{Name: d.Name, DisplayName: v.DisplayName, VersionName: v.VersionName, Owner: s.opts.Account.ID,
		CreatedDate: epoch(d.Created), Status: "Active", DocumentVersion: itoa(v.Version), Description: v.Description,
		PlatformTypes: []string{}, DocumentType: d.Type, SchemaVersion: v.SchemaVersion, LatestVersion: itoa(d.Latest),
		DefaultVersion: itoa(d.Default), DocumentFormat: v.Format, TargetType: d.TargetType, Tags: sortedTags(d.Tags),
		Hash: v.Hash, HashType: "Sha256"}
	for _, p := range v.Parameters {
		out.Parameters = append(out.Parameters, documentParameter(p))
	}
	return out
}

func (s *Store) createDocument(c *awsapi.Call, in *createDocumentIn) (documentOut, error) {
	if in.DocumentType == "" {
		in.DocumentType = "Command"
	}
	if !contains(documentTypes, in.DocumentType) {
		return documentOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'documentType' failed to satisfy constraint: Member must satisfy enum value set: [%s]", in.DocumentType, strings.Join(documentTypes, ", "))
	}
	d, err := s.CreateDocument(c.Context(), Document{Name: in.Name, Type: in.DocumentType, TargetType: in.TargetType, Tags: tagMap(in.Tags)},
		DocumentVersion{VersionName: in.VersionName, DisplayName: in.DisplayName, Format: in.DocumentFormat}, in.Content)
	if err != nil {
		return documentOut{}, err
	}
	return documentOut{DocumentDescription: s.describe(d, d.Version(1))}, nil
}

func (s *Store) resolveDocument(c *awsapi.Call, ref, version, versionName string) (*Document, *DocumentVersion, error) {
	d, err := s.GetDocument(c.Context(), docName(ref))
	if err != nil {
		return nil, nil, err
	}
	v, err := d.Resolve(version, versionName)
	if err != nil {
		return nil, nil, err
	}
	return d, v, nil
}

func (s *Store) getDocument(c *awsapi.Call, in *getDocumentIn) (getDocumentOut, error) {
	d, v, err := s.resolveDocument(c, in.Name, in.DocumentVersion, in.VersionName)
	if err != nil {
		return getDocumentOut{}, err
	}
	content, err := s.DocumentContent(c.Context(), d.Name, v)
	if err != nil {
		return getDocumentOut{}, err
	}
	format := v.Format
	if in.DocumentFormat != "" && in.DocumentFormat != v.Format {
		if content, err = convertDocument(content, v.Format, in.DocumentFormat); err != nil {
			return getDocumentOut{}, err
		}
		format = in.DocumentFormat
	}
	return getDocumentOut{Name: d.Name, DisplayName: v.DisplayName, VersionName: v.VersionName, CreatedDate: epoch(v.Created),
		DocumentVersion: itoa(v.Version), Status: "Active", Content: content, DocumentType: d.Type, DocumentFormat: format}, nil
}

func (s *Store) describeDocument(c *awsapi.Call, in *getDocumentIn) (describeDocumentOut, error) {
	d, v, err := s.resolveDocument(c, in.Name, in.DocumentVersion, in.VersionName)
	if err != nil {
		return describeDocumentOut{}, err
	}
	return describeDocumentOut{Document: s.describe(d, v)}, nil
}

func (s *Store) updateDocument(c *awsapi.Call, in *updateDocumentIn) (documentOut, error) {
	d, err := s.UpdateDocument(c.Context(), docName(in.Name), in.DocumentVersion,
		DocumentVersion{VersionName: in.VersionName, DisplayName: in.DisplayName, Format: in.DocumentFormat}, in.TargetType, in.Content)
	if err != nil {
		return documentOut{}, err
	}
	return documentOut{DocumentDescription: s.describe(d, d.Version(d.Latest))}, nil
}

func (s *Store) updateDocumentDefaultVersion(c *awsapi.Call, in *defaultVersionIn) (defaultVersionOut, error) {
	var out defaultVersionOut
	if in.DocumentVersion == "" || in.DocumentVersion == "$DEFAULT" {
		return out, awsapi.ValidationError("1 validation error detected: Value '%s' at 'documentVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: ([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)", in.DocumentVersion)
	}
	d, err := s.SetDefaultDocumentVersion(c.Context(), docName(in.Name), in.DocumentVersion)
	if err != nil {
		return out, err
	}
	out.Description.Name, out.Description.DefaultVersion = d.Name, itoa(d.Default)
	out.Description.DefaultVersionName = d.Version(d.Default).VersionName
	return out, nil
}

// matchesDocument applies ListDocuments' filters: Name (a prefix), Owner
// (Self, Private: nubo's documents are all the account's own), DocumentType,
// PlatformTypes, TargetType, SearchKeyword and tag:KEY.
func matchesDocument(d *Document, v *DocumentVersion, key string, values []string) bool {
	if k, ok := strings.CutPrefix(key, "tag:"); ok {
		val, has := d.Tags[k]
		return has && (len(values) == 0 || contains(values, val))
	}
	for _, want := range values {
		switch key {
		case "Name":
			if strings.HasPrefix(d.Name, want) {
				return true
			}
		case "Owner":
			if want == "Self" || want == "Private" {
				return true
			}
		case "DocumentType":
			if d.Type == want {
				return true
			}
		case "TargetType":
			if d.TargetType == want {
				return true
			}
		case "SearchKeyword":
			if strings.Contains(strings.ToLower(d.Name), strings.ToLower(want)) || strings.Contains(strings.ToLower(v.Description), strings.ToLower(want)) {
				return true
			}
		}
	}
	return false // PlatformTypes: nubo derives none
}

func (s *Store) listDocuments(c *awsapi.Call, in *listDocumentsIn) (listDocumentsOut, error) {
	if in.MaxResults < 0 || in.MaxResults > listDocumentsPage {
		return listDocumentsOut{}, awsapi.ValidationError("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", in.MaxResults, listDocumentsPage)
	}
	if len(in.DocumentFilterList) > 0 && len(in.Filters) > 0 {
		return listDocumentsOut{}, awsapi.ValidationError("You can use either DocumentFilterList or Filters in a single request.")
	}
	filters := in.Filters
	for _, f := range in.DocumentFilterList {
		switch f.Key {
		case "Name", "Owner", "PlatformTypes", "DocumentType":
		default:
			return listDocumentsOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'documentFilterList.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Name, Owner, PlatformTypes, DocumentType]", f.Key)
		}
		filters = append(filters, parametersFilter{Key: f.Key, Values: []string{f.Value}})
	}
	for _, f := range filters {
		if f.Key == "" || len(f.Key) > 128 {
			return listDocumentsOut{}, awsapi.ValidationError("1 validation error detected: Value '%s' at 'filters.member.key' failed to satisfy constraint: Member must have length less than or equal to 128 and greater than or equal to 1", f.Key)
		}
	}
	all, err := s.ListDocuments(c.Context())
	if err != nil {
		return listDocumentsOut{}, err
	}
	var kept []documentIdentifier
next:
	for _, d := range all {
		v := d.Version(d.Default)
		for _, f := range filters {
			if !matchesDocument(d, v, f.Key, f.Values) {
				continue next
			}
		}
		kept = append(kept, documentIdentifier{Name: d.Name, DisplayName: v.DisplayName, VersionName: v.VersionName, Owner: s.opts.Account.ID,
			CreatedDate: epoch(d.Created), PlatformTypes: []string{}, DocumentVersion: itoa(v.Version), DocumentType: d.Type,
			SchemaVersion: v.SchemaVersion, DocumentFormat: v.Format, TargetType: d.TargetType, Tags: sortedTags(d.Tags)})
	}
	page, next, err := awsapi.Page(kept, in.NextToken, in.MaxResults, listDocumentsPage)
	if err != nil {
		return listDocumentsOut{}, invalidToken(err)
	}
	if page == nil {
		page = []documentIdentifier{}
	}
	return listDocumentsOut{DocumentIdentifiers: page, NextToken: next}, nil
}

func (s *Store) listDocumentVersions(c *awsapi.Call, in *listVersionsIn) (listVersionsOut, error) {
	if in.MaxResults < 0 || in.MaxResults > listDocumentsPage {
		return listVersionsOut{}, awsapi.ValidationError("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", in.MaxResults, listDocumentsPage)
	}
	d, err := s.GetDocument(c.Context(), docName(in.Name))
	if err != nil {
		return listVersionsOut{}, err
	}
	all := make([]documentVersionInfo, 0, len(d.Versions))
	for _, v := range d.Versions {
		all = append(all, documentVersionInfo{Name: d.Name, DisplayName: v.DisplayName, DocumentVersion: itoa(v.Version), VersionName: v.VersionName,
			CreatedDate: epoch(v.Created), IsDefaultVersion: v.Version == d.Default, DocumentFormat: v.Format, Status: "Active"})
	}
	page, next, err := awsapi.Page(all, in.NextToken, in.MaxResults, listDocumentsPage)
	if err != nil {
		return listVersionsOut{}, invalidToken(err)
	}
	return listVersionsOut{DocumentVersions: page, NextToken: next}, nil
}

// documentError maps the documents' sentinels to SSM's codes (nil: not a
// document error).
func documentError(err error) *awsapi.Error {
	for _, m := range []struct {
		sentinel error
		code     string
	}{
		{ErrDocumentExists, "DocumentAlreadyExists"},
		{ErrDocumentContent, "InvalidDocumentContent"},
		{ErrDocumentSchemaVersion, "InvalidDocumentSchemaVersion"},
		{ErrDuplicateContent, "DuplicateDocumentContent"},
		{ErrDuplicateVersionName, "DuplicateDocumentVersionName"},
		{ErrDocumentVersion, "InvalidDocumentVersion"},
		{ErrDocumentVersionLimit, "DocumentVersionLimitExceeded"},
		{ErrDocumentOperation, "InvalidDocumentOperation"},
	} {
		if errors.Is(err, m.sentinel) {
			msg := err.Error()
			if i := strings.Index(msg, m.sentinel.Error()+": "); i >= 0 {
				msg = msg[i+len(m.sentinel.Error())+2:]
			}
			return awsapi.NewError(http.StatusBadRequest, m.code, msg)
		}
	}
	if errors.Is(err, ErrDocumentNotFound) {
		return awsapi.NewError(http.StatusBadRequest, "InvalidDocument", "The specified document does not exist.")
	}
	return nil
}
