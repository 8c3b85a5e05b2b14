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
