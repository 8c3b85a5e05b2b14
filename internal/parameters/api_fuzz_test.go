package parameters

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPI feeds arbitrary operations and bodies to the SSM handler: every
// answer must be a well-formed HTTP response, never a panic.
func FuzzAPI(f *testing.F) {
	s := newStore(f)
	api, err := s.API()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("PutParameter", `{"Name":"/a/b","Value":"v","Type":"String"}`)
	f.Add("GetParameter", `{"Name":"arn:aws:ssm:us-east-1:0:parameter/a/b:1"}`)
	f.Add("GetParametersByPath", `{"Path":"/a","Recursive":true,"NextToken":"7"}`)
	f.Add("GetParameters", `{"Names":["/a/b","x"]}`)
	f.Add("DeleteParameter", `{"Name":""}`)
	f.Add("LabelParameterVersion", `{"Name":"/a/b","ParameterVersion":1,"Labels":["x","1y"]}`)
	f.Add("DescribeParameters", `{"ParameterFilters":[{"Key":"tag:x","Option":"BeginsWith"},{"Key":"Path","Values":["/"]}]}`)
	f.Add("CreateDocument", `{"Name":"doc","Content":"schemaVersion: '2.2'","DocumentFormat":"YAML"}`)
	f.Add("GetDocument", `{"Name":"doc","DocumentVersion":"$LATEST","DocumentFormat":"JSON"}`)
	f.Add("ListDocuments", `{"Filters":[{"Key":"tag:","Values":[]}],"DocumentFilterList":[{"key":"Name","value":"d"}]}`)
	f.Fuzz(func(t *testing.T, op, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AmazonSSM."+op)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code >= 600 {
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// FuzzCheckDocument feeds arbitrary content in each format to the document
// validator: an error or a schema version, never a panic.
func FuzzCheckDocument(f *testing.F) {
	f.Add("Command", "JSON", `{"schemaVersion":"2.2","parameters":{"a":{"type":"String","default":[1]}}}`)
	f.Add("Automation", "YAML", "schemaVersion: '0.3'\nparameters: [1]\n")
	f.Add("Session", "TEXT", "anything")
	f.Add("Policy", "YAML", "- a\n- b\n")
	f.Fuzz(func(t *testing.T, typ, format, content string) {
		v := DocumentVersion{Format: format}
		if err := checkDocument(typ, &v, content); err == nil && v.Format != "TEXT" && v.SchemaVersion == "" {
			t.Fatalf("accepted %q without a schema version", content)
		}
	})
}
