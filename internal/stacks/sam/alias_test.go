package sam

import (
	"strings"
	"testing"
)

const aliasTemplate = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: h
      Runtime: python3.12
      AutoPublishAlias: live
      DeploymentPreference:
        Type: Linear10PercentEvery1Minute
        Hooks:
          PreTraffic: !Ref Hook
`

// versionID transforms aliasTemplate and returns the version's logical id
// and the alias resource.
func versionID(t *testing.T, opts Options) (string, map[string]any) {
	t.Helper()
	out, err := Transform(mustLoad(t, aliasTemplate), opts)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	res := out["Resources"].(map[string]any)
	for k, v := range res {
		if v.(map[string]any)["Type"] == "AWS::Lambda::Version" {
			id = k
		}
	}
	return id, res["FnAliaslive"].(map[string]any)
}

// TestAutoPublishAliasHashesTheCodeDigest: a local CodeUri's content
// digest is part of the version's hash, so changed code is a new version
// (AWS gets that from the S3 key sam package gives the code).
func TestAutoPublishAliasHashesTheCodeDigest(t *testing.T) {
	digest := "aaaa"
	opts := testOptions()
	opts.CodeDigest = func(path string) (string, error) {
		if path != "src" {
			t.Errorf("digest of %q, want the CodeUri", path)
		}
		return digest, nil
	}
	first, _ := versionID(t, opts)
	again, _ := versionID(t, opts)
	digest = "bbbb"
	changed, _ := versionID(t, opts)
	if !strings.HasPrefix(first, "FnVersion") || len(first) != len("FnVersion")+10 {
		t.Fatalf("version logical id %q", first)
	}
	if first != again {
		t.Fatalf("the same code hashed to %s and %s", first, again)
	}
	if first == changed {
		t.Fatalf("changed code kept the version logical id %s", first)
	}
}

// TestDeploymentPreferenceWarns: DeploymentPreference is accepted without
// CodeDeploy resources; the alias carries the plan's warning.
func TestDeploymentPreferenceWarns(t *testing.T) {
	_, alias := versionID(t, testOptions())
	md, _ := alias["Metadata"].(map[string]any)
	ws, _ := md[WarningsKey].([]any)
	if len(ws) != 1 || !strings.Contains(ws[0].(string), "Linear10PercentEvery1Minute") {
		t.Fatalf("alias metadata %v", alias["Metadata"])
	}
}
