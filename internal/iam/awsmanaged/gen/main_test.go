package main

import (
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun generates the data from a small checkout shaped like z0ph/MAMIP:
// a listed policy with its document, one whose document is newer than the
// list, and one listed without a document.
func TestRun(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	files := map[string]string{
		"policies-list.json": `{"Policies":[
 {"PolicyName":"B","PolicyId":"ANPAB0000000000000001","Arn":"arn:aws:iam::aws:policy/service-role/B","Path":"/service-role/","DefaultVersionId":"v1","CreateDate":"2015-02-06T18:40:00+00:00","UpdateDate":"2015-02-06T18:40:00+00:00"},
 {"PolicyName":"A","PolicyId":"ANPAA0000000000000001","Arn":"arn:aws:iam::aws:policy/A","Path":"/","DefaultVersionId":"v2","CreateDate":"2016-01-01T00:00:00+00:00","UpdateDate":"2017-01-01T00:00:00+00:00"},
 {"PolicyName":"Gone","PolicyId":"ANPAG0000000000000001","Arn":"arn:aws:iam::aws:policy/Gone","Path":"/","DefaultVersionId":"v1","CreateDate":"2016-01-01T00:00:00+00:00","UpdateDate":"2016-01-01T00:00:00+00:00"}]}`,
		"policies/A": `{"PolicyVersion": {"CreateDate": "2018-01-01T00:00:00Z", "VersionId": "v3", "IsDefaultVersion": true,
 "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}}}`,
		"policies/B": `{"PolicyVersion": {"CreateDate": "2015-02-06T18:40:00Z", "VersionId": "v1", "IsDefaultVersion": true,
 "Document": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": "*"}}}}`,
	}
	for name, body := range files {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "snapshot"}} {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	out := t.TempDir()
	if err := run(repo, "HEAD", "https://example.com/MAMIP", out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "policies.tsv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want := header + "\n" +
		"A\t/\tANPAA0000000000000001\tv3\t2016-01-01T00:00:00+00:00\t2018-01-01T00:00:00Z\t" + `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}` + "\n" +
		"B\t/service-role/\tANPAB0000000000000001\tv1\t2015-02-06T18:40:00+00:00\t2015-02-06T18:40:00+00:00\t" + `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["logs:CreateLogGroup"],"Resource":"*"}}` + "\n"
	if string(data) != want {
		t.Fatalf("policies.tsv.gz:\n%s\nwant:\n%s", data, want)
	}
	src, err := os.ReadFile(filepath.Join(out, "zz_source.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`Source = "https://example.com/MAMIP"`, "Count  = 2", "without a document there: 1 [Gone]", "newer than the list (their version and date are the document's): 1"} {
		if !strings.Contains(string(src), s) {
			t.Errorf("zz_source.go lacks %q:\n%s", s, src)
		}
	}
}
