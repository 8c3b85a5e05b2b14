package functions

import "testing"

// FuzzPermissionsOf: any document PutResourcePolicy takes reads into valid
// permissions or is refused with an error; never a panic.
func FuzzPermissionsOf(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}]}`)
	f.Add(`{"Statement":[{"Sid":"b","Effect":"Allow","Principal":"*","Action":["lambda:InvokeFunctionUrl"],"Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}`)
	f.Add(`{"Statement":[{"Sid":"c","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":"lambda:GetFunction"}]}`)
	f.Add(`{"Statement":[{"Effect":"Deny"}]}`)
	f.Add(`{"Statement":{}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, doc string) {
		perms, err := permissionsOf(doc)
		if err != nil {
			return
		}
		if len(perms) == 0 {
			t.Fatal("no error and no permissions")
		}
		for i := range perms {
			if err := perms[i].Validate(); err != nil {
				t.Fatalf("accepted an invalid permission %+v: %v", perms[i], err)
			}
		}
	})
}
