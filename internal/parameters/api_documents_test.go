package parameters_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

const (
	commandDoc = `{"schemaVersion":"2.2","description":"Say hello","parameters":{"Message":{"type":"String","description":"what to say","default":"hi"}},"mainSteps":[{"action":"aws:runShellScript","name":"hello","inputs":{"runCommand":["echo {{Message}}"]}}]}`
	commandV2  = "schemaVersion: '2.2'\ndescription: Say hello twice\nmainSteps:\n  - action: aws:runShellScript\n    name: hello\n    inputs:\n      runCommand: [echo hi, echo hi]\n"
)

func TestSSMDocuments_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	created, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(commandDoc),
		DocumentType: types.DocumentTypeCommand, VersionName: aws.String("first"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	d := created.DocumentDescription
	if aws.ToString(d.Name) != "Hello-Doc" || aws.ToString(d.DocumentVersion) != "1" || aws.ToString(d.LatestVersion) != "1" || aws.ToString(d.DefaultVersion) != "1" ||
		d.Status != types.DocumentStatusActive || d.DocumentFormat != types.DocumentFormatJson || aws.ToString(d.SchemaVersion) != "2.2" ||
		aws.ToString(d.Description) != "Say hello" || len(d.Parameters) != 1 || aws.ToString(d.Parameters[0].DefaultValue) != "hi" ||
		aws.ToString(d.Owner) != "000000000000" || d.HashType != types.DocumentHashTypeSha256 || len(aws.ToString(d.Hash)) != 64 || len(d.Tags) != 1 {
		t.Errorf("created: %+v", d)
	}
	var ae smithy.APIError
	code := func(what string, err error, want string) {
		t.Helper()
		if !errors.As(err, &ae) || ae.ErrorCode() != want {
			t.Errorf("%s: %v, want %s", what, err, want)
		}
	}
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(commandDoc)})
	code("create again", err, "DocumentAlreadyExists")
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("bad-json"), Content: aws.String("{not json")})
	code("bad JSON", err, "InvalidDocumentContent")
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("no-schema"), Content: aws.String(`{"mainSteps":[]}`)})
	code("no schemaVersion", err, "InvalidDocumentContent")
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("old-auto"), Content: aws.String(`{"schemaVersion":"2.2"}`), DocumentType: types.DocumentTypeAutomation})
	code("Automation schema 2.2", err, "InvalidDocumentSchemaVersion")
	_, err = c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("AWS-Mine"), Content: aws.String(commandDoc)})
	code("reserved name", err, "ValidationException")

	up, err := c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(commandV2), DocumentFormat: types.DocumentFormatYaml,
		DocumentVersion: aws.String("$LATEST"), VersionName: aws.String("second")})
	if err != nil || aws.ToString(up.DocumentDescription.DocumentVersion) != "2" || aws.ToString(up.DocumentDescription.DefaultVersion) != "1" {
		t.Fatalf("update: %v %+v", err, up)
	}
	_, err = c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(commandDoc), DocumentVersion: aws.String("$LATEST")})
	code("update with version 1's content", err, "DuplicateDocumentContent")
	_, err = c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(`{"schemaVersion":"2.2","mainSteps":[]}`), DocumentVersion: aws.String("1")})
	code("update a version not the latest", err, "InvalidDocumentVersion")
	_, err = c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(`{"schemaVersion":"2.2","mainSteps":[]}`), VersionName: aws.String("first")})
	code("update with a used version name", err, "DuplicateDocumentVersionName")
	_, err = c.UpdateDocument(ctx, &ssm.UpdateDocumentInput{Name: aws.String("Nope-Doc"), Content: aws.String(commandDoc)})
	code("update a missing document", err, "InvalidDocument")

	get := func(in *ssm.GetDocumentInput) *ssm.GetDocumentOutput {
		t.Helper()
		out, err := c.GetDocument(ctx, in)
		if err != nil {
			t.Fatalf("get %+v: %v", in, err)
		}
		return out
	}
	if g := get(&ssm.GetDocumentInput{Name: aws.String("Hello-Doc")}); aws.ToString(g.Content) != commandDoc || aws.ToString(g.DocumentVersion) != "1" {
		t.Errorf("get default: %+v", g)
	}
	if g := get(&ssm.GetDocumentInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("$LATEST")}); aws.ToString(g.Content) != commandV2 || g.DocumentFormat != types.DocumentFormatYaml {
		t.Errorf("get latest: %+v", g)
	}
	if g := get(&ssm.GetDocumentInput{Name: aws.String("Hello-Doc"), VersionName: aws.String("second")}); aws.ToString(g.DocumentVersion) != "2" {
		t.Errorf("get by version name: %+v", g)
	}
	if g := get(&ssm.GetDocumentInput{Name: aws.String("arn:aws:ssm:us-east-1:000000000000:document/Hello-Doc"), DocumentVersion: aws.String("1"), DocumentFormat: types.DocumentFormatYaml}); !strings.Contains(aws.ToString(g.Content), "schemaVersion: \"2.2\"") {
		t.Errorf("get as YAML by ARN: %q", aws.ToString(g.Content))
	}
	_, err = c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("7")})
	code("get a missing version", err, "InvalidDocumentVersion")
	_, err = c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Nope-Doc")})
	code("get a missing document", err, "InvalidDocument")

	def, err := c.UpdateDocumentDefaultVersion(ctx, &ssm.UpdateDocumentDefaultVersionInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("2")})
	if err != nil || aws.ToString(def.Description.DefaultVersion) != "2" || aws.ToString(def.Description.DefaultVersionName) != "second" {
		t.Fatalf("default version: %v %+v", err, def)
	}
	desc, err := c.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Hello-Doc")})
	if err != nil || aws.ToString(desc.Document.DocumentVersion) != "2" || aws.ToString(desc.Document.Description) != "Say hello twice" {
		t.Errorf("describe default: %v %+v", err, desc)
	}
	versions, err := c.ListDocumentVersions(ctx, &ssm.ListDocumentVersionsInput{Name: aws.String("Hello-Doc")})
	if err != nil || len(versions.DocumentVersions) != 2 || versions.DocumentVersions[0].IsDefaultVersion || !versions.DocumentVersions[1].IsDefaultVersion {
		t.Errorf("versions: %v %+v", err, versions)
	}

	if _, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Runbook"), DocumentType: types.DocumentTypeAutomation, DocumentFormat: types.DocumentFormatYaml,
		Content: aws.String("schemaVersion: '0.3'\nmainSteps: []\n")}); err != nil {
		t.Fatal(err)
	}
	list := func(in *ssm.ListDocumentsInput) []string {
		t.Helper()
		var names []string
		for pg := ssm.NewListDocumentsPaginator(c, in); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("list %+v: %v", in, err)
			}
			for _, d := range out.DocumentIdentifiers {
				names = append(names, aws.ToString(d.Name))
			}
		}
		return names
	}
	for _, tc := range []struct {
		name string
		in   ssm.ListDocumentsInput
		want []string
	}{
		{"all", ssm.ListDocumentsInput{}, []string{"Hello-Doc", "Runbook"}},
		{"Owner Self", ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("Owner"), Values: []string{"Self"}}}}, []string{"Hello-Doc", "Runbook"}},
		{"Owner Amazon", ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("Owner"), Values: []string{"Amazon"}}}}, nil},
		{"DocumentType", ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("DocumentType"), Values: []string{"Automation"}}}}, []string{"Runbook"}},
		{"Name prefix", ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("Name"), Values: []string{"Hel"}}}}, []string{"Hello-Doc"}},
		{"tag", ssm.ListDocumentsInput{Filters: []types.DocumentKeyValuesFilter{{Key: aws.String("tag:team"), Values: []string{"a"}}}}, []string{"Hello-Doc"}},
		{"legacy name", ssm.ListDocumentsInput{DocumentFilterList: []types.DocumentFilter{{Key: types.DocumentFilterKeyName, Value: aws.String("Run")}}}, []string{"Runbook"}},
		{"pages of one", ssm.ListDocumentsInput{MaxResults: aws.Int32(1)}, []string{"Hello-Doc", "Runbook"}},
	} {
		if got := list(&tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("list %s: %v, want %v", tc.name, got, tc.want)
		}
	}

	_, err = c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("2")})
	code("delete the default version", err, "InvalidDocumentOperation")
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("1")}); err != nil {
		t.Fatalf("delete version 1: %v", err)
	}
	if _, err := c.GetDocument(ctx, &ssm.GetDocumentInput{Name: aws.String("Hello-Doc"), DocumentVersion: aws.String("1")}); err == nil {
		t.Error("a deleted version is still read")
	}
	if _, err := c.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String("Hello-Doc")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeDocument(ctx, &ssm.DescribeDocumentInput{Name: aws.String("Hello-Doc")})
	code("describe a deleted document", err, "InvalidDocument")
	// Documents are tagged through SSM's tagging operations.
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("Runbook"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("x"), Value: aws.String("y")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("Runbook"), TagKeys: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("Runbook")})
	if err != nil || len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Key) != "env" {
		t.Errorf("document tags: %v %+v", err, tags)
	}
	_, err = c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingDocument, ResourceId: aws.String("Nope-Doc")})
	code("tags of a missing document", err, "InvalidResourceId")
	// The name is free again, and the content of a deleted document too.
	if _, err := c.CreateDocument(ctx, &ssm.CreateDocumentInput{Name: aws.String("Hello-Doc"), Content: aws.String(commandDoc)}); err != nil {
		t.Errorf("create after delete: %v", err)
	}
}
