package parameters

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Document formats and the schema versions SSM accepts per document type
// (types not named here need a schemaVersion of any value).
var (
	documentFormats = []string{"YAML", "JSON", "TEXT"}
	documentTypes   = []string{"Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration",
		"ApplicationConfigurationSchema", "DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate",
		"ProblemAnalysis", "ProblemAnalysisTemplate", "CloudFormation", "ConformancePackTemplate", "QuickSetup",
		"ManualApprovalPolicy", "AutoApprovalPolicy"}
	schemaVersions = map[string][]string{
		"Command":    {"1.2", "2.0", "2.2"},
		"Automation": {"0.3"},
		"Session":    {"1.0"},
		"Package":    {"2.0"},
	}
)

// ErrDocumentSchemaVersion is a schemaVersion SSM does not accept for the
// document's type.
var ErrDocumentSchemaVersion = fmt.Errorf("invalid document schema version")

// checkDocument validates content in v.Format (JSON when empty) for a
// document of type typ, as SSM does, and fills v's hash, schema version,
// description and parameters from it.
func checkDocument(typ string, v *DocumentVersion, content string) error {
	if v.Format == "" {
		v.Format = "JSON"
	}
	if !contains(documentFormats, v.Format) {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'documentFormat' failed to satisfy constraint: Member must satisfy enum value set: [%s]", ErrInvalid, v.Format, strings.Join(documentFormats, ", "))
	}
	if content == "" {
		return fmt.Errorf("%w: 1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have length greater than or equal to 1", ErrInvalid)
	}
	v.Hash = contentHash(content)
	if v.Format == "TEXT" { // change calendars and the like: not a schema
		return nil
	}
	doc, err := parseDocument(v.Format, content)
	if err != nil {
		return err
	}
	sv, ok := doc["schemaVersion"].(string)
	if !ok || sv == "" {
		return fmt.Errorf("%w: The content for the document is not valid: it has no schemaVersion.", ErrDocumentContent)
	}
	if allowed, ok := schemaVersions[typ]; ok && !contains(allowed, sv) {
		return fmt.Errorf("%w: Document schema version, %s, is not supported for documents of type %s. Supported schema versions are %s.", ErrDocumentSchemaVersion, sv, typ, strings.Join(allowed, ", "))
	}
	v.SchemaVersion = sv
	v.Description, _ = doc["description"].(string)
	v.Parameters = docParams(doc["parameters"])
	return nil
}

// parseDocument reads JSON or YAML content into its top-level object.
func parseDocument(format, content string) (map[string]any, error) {
	var doc map[string]any
	var err error
	if format == "YAML" {
		err = yaml.Unmarshal([]byte(content), &doc)
	} else {
		err = json.Unmarshal([]byte(content), &doc)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: The content for the document is not valid %s: %v", ErrDocumentContent, format, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: The content for the document is not valid %s: it is not an object.", ErrDocumentContent, format)
	}
	return doc, nil
}

// docParams lists the parameters a document declares, sorted by name.
func docParams(v any) []DocParam {
	m, _ := v.(map[string]any)
	out := make([]DocParam, 0, len(m))
	for name, spec := range m {
		p := DocParam{Name: name}
		if s, ok := spec.(map[string]any); ok {
			p.Type, _ = s["type"].(string)
			p.Description, _ = s["description"].(string)
			switch d := s["default"].(type) {
			case nil:
			case string:
				p.DefaultValue = d
			default:
				b, _ := json.Marshal(d)
				p.DefaultValue = string(b)
			}
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// convertDocument rewrites JSON content as YAML or YAML as JSON, as
// GetDocument's DocumentFormat asks; TEXT content is not converted.
func convertDocument(content, from, to string) (string, error) {
	if from == "TEXT" || to == "TEXT" || !contains(documentFormats, to) {
		return "", fmt.Errorf("%w: The document cannot be converted from %s to %s.", ErrDocumentOperation, from, to)
	}
	doc, err := parseDocument(from, content)
	if err != nil {
		return "", err
	}
	var b []byte
	if to == "YAML" {
		b, err = yaml.Marshal(doc)
	} else {
		b, err = json.MarshalIndent(doc, "", "  ")
	}
	if err != nil {
		return "", fmt.Errorf("%w: The document cannot be converted to %s: %v", ErrDocumentOperation, to, err)
	}
	return string(b), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func itoa(n int64) string { return fmt.Sprint(n) }
