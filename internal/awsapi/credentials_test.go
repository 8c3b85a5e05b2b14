package awsapi

import (
	"testing"
	"time"
)

// The session token seals what a request's context needs, so any node
// rebuilds it: the issue time (aws:TokenIssueTime), the session tags and the
// source identity.
func TestKeyring_SealsIssueTimeAndSessionTags(t *testing.T) {
	k, err := NewKeyring(Account{ID: "000000000000", Region: "us-east-1"}, "AKID", "secret")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 500, time.UTC)
	k.now = func() time.Time { return now }
	p := Principal{ARN: "arn:aws:sts::000000000000:assumed-role/r/s", RoleARN: "arn:aws:iam::000000000000:role/r", Session: "s",
		Tags: map[string]string{"team": "blue", "x": ""}, TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice"}
	c, err := k.Issue(p, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Another node with the same key pair.
	other, _ := NewKeyring(Account{ID: "000000000000", Region: "us-east-1"}, "AKID", "secret")
	other.now = func() time.Time { return now.Add(time.Minute) }
	_, got, err := other.Lookup(c.AccessKeyID, c.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Issued.Equal(now.Truncate(time.Second)) || got.Tags["team"] != "blue" || got.Tags["x"] != "" || len(got.Tags) != 2 ||
		len(got.TransitiveTagKeys) != 1 || got.SourceIdentity != "alice" || !c.Expiration.Equal(now.Truncate(time.Second).Add(time.Hour)) {
		t.Fatalf("looked up %+v (expires %v)", got, c.Expiration)
	}
	// The long-term key pair has no issue time.
	if _, root, err := other.Lookup("AKID", ""); err != nil || !root.Issued.IsZero() {
		t.Fatalf("root %+v %v", root, err)
	}
}
