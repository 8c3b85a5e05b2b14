package awsmanaged

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEmbeddedData(t *testing.T) {
	all := All()
	if len(all) < Count {
		t.Fatalf("%d policies, zz_source.go says %d", len(all), Count)
	}
	for i, p := range all {
		if i > 0 && all[i-1].ARN >= p.ARN {
			t.Fatalf("not sorted by ARN at %s", p.ARN)
		}
		if p.ARN != ARNPrefix+p.Path+p.Name || !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 21 ||
			!strings.HasPrefix(p.DefaultVersion, "v") || p.Created.IsZero() || p.Updated.Before(p.Created) {
			t.Errorf("%+v", p)
		}
		var doc struct {
			Version   string
			Statement json.RawMessage
		}
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil || doc.Statement == nil {
			t.Errorf("%s: document %v", p.Name, err)
		}
	}
}

func TestLookups(t *testing.T) {
	for _, tc := range []struct{ partition, name, want string }{
		{"", "AWSXrayWriteOnlyAccess", "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"},
		{"aws", "AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		{"aws-cn", "ComprehendReadOnly", "arn:aws-cn:iam::aws:policy/ComprehendReadOnly"},
		{"aws", "ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"},
		// Published after the snapshot: from supplement.go.
		{"aws", "AWSLambdaBasicDurableExecutionRolePolicy", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicDurableExecutionRolePolicy"},
		{"aws", "NoSuchPolicy", ""},
	} {
		got, ok := ARN(tc.partition, tc.name)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ARN(%q, %q) = %q, %v; want %q", tc.partition, tc.name, got, ok, tc.want)
		}
		if tc.want == "" || tc.partition != "aws" {
			continue
		}
		if p, ok := ByARN(tc.want); !ok || p.Name != tc.name {
			t.Errorf("ByARN(%s) = %+v", tc.want, p)
		}
	}
	if _, ok := ByARN("arn:aws:iam::aws:policy/service-role/AWSXrayWriteOnlyAccess"); ok {
		t.Error("an ARN with the wrong path is found")
	}
}

// BenchmarkLoad is the cost of the first use: decompressing and indexing
// every policy (documents stay text until a role that attaches one is
// evaluated).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(data[:64])
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		if ix, err := decode(b); err == nil && ix == nil {
			t.Fatal("no index and no error")
		}
	})
}
