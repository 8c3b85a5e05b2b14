package policy

import "testing"

// TestConformance_Conditions covers "IAM JSON policy elements: Condition
// operators", "Condition" (multiple keys and values), "Set operators for
// multivalued context keys", "Policy variables" and "AWS global condition
// context keys".
func TestConformance_Conditions(t *testing.T) {
	const str = "Condition operators: String: "
	const num = "Condition operators: Numeric: "
	const date = "Condition operators: Date: "
	const boo = "Condition operators: Boolean: "
	const bin = "Condition operators: Binary: "
	const ip = "Condition operators: IP address: "
	const arn = "Condition operators: ARN: "
	const ife = "Condition operators: ...IfExists: "
	const null = "Condition operators: Null: "
	const missing = "Condition operators: key not in the request context: "
	const multi = "Condition: creating a condition with multiple keys or values: "
	const set = "Set operators for multivalued context keys: "
	const vars = "Policy variables: "
	const glob = "AWS global condition context keys: "
	a := func(c string) []string { return []string{pol(allow("s3:GetObject", "*", c))} }
	d := func(c string) []string {
		return []string{pol(allow("s3:GetObject", "*"), deny("s3:GetObject", "*", c))}
	}
	get := func(ctx ...string) Request { return rq("s3:GetObject", bucket+"/k", ctx...) }
	runConformance(t, []conformanceCase{
		{name: str + "StringEquals matches exactly", id: a(cond("StringEquals", "s3:prefix", "home/")), req: get("s3:prefix=home/"), want: AI},
		{name: str + "StringEquals is case-sensitive", id: a(cond("StringEquals", "s3:prefix", "home/")), req: get("s3:prefix=Home/"), want: NI},
		{name: str + "StringEquals does not treat * as a wildcard", id: a(cond("StringEquals", "s3:prefix", "home/*")), req: get("s3:prefix=home/a"), want: NI},
		{name: str + "StringNotEquals is true for another value", id: a(cond("StringNotEquals", "s3:prefix", "home/")), req: get("s3:prefix=tmp/"), want: AI},
		{name: str + "StringNotEquals is false for the value", id: a(cond("StringNotEquals", "s3:prefix", "home/")), req: get("s3:prefix=home/"), want: NI},
		{name: str + "StringNotEquals with several values is false if any matches", id: a(cond("StringNotEquals", "s3:prefix", "a", "b")), req: get("s3:prefix=b"), want: NI},
		{name: str + "StringEqualsIgnoreCase ignores case", id: a(cond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Data")), req: get("aws:PrincipalTag/team=DATA"), want: AI},
		{name: str + "StringEqualsIgnoreCase still needs equal text", id: a(cond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Data")), req: get("aws:PrincipalTag/team=data2"), want: NI},
		{name: str + "StringNotEqualsIgnoreCase ignores case", id: a(cond("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Data")), req: get("aws:PrincipalTag/team=DATA"), want: NI},
		{name: str + "StringLike supports *", id: a(cond("StringLike", "s3:prefix", "home/*")), req: get("s3:prefix=home/alice/x"), want: AI},
		{name: str + "StringLike supports ?", id: a(cond("StringLike", "s3:prefix", "v?")), req: get("s3:prefix=v2"), want: AI},
		{name: str + "StringLike is case-sensitive", id: a(cond("StringLike", "s3:prefix", "home/*")), req: get("s3:prefix=HOME/x"), want: NI},
		{name: str + "StringLike without a wildcard is an exact match", id: a(cond("StringLike", "s3:prefix", "home")), req: get("s3:prefix=homes"), want: NI},
		{name: str + "StringNotLike is false when the pattern matches", id: a(cond("StringNotLike", "s3:prefix", "secret/*")), req: get("s3:prefix=secret/x"), want: NI},
		{name: str + "StringNotLike is true when the pattern does not match", id: a(cond("StringNotLike", "s3:prefix", "secret/*")), req: get("s3:prefix=public/x"), want: AI},
		{name: str + "a deny with StringNotEquals denies other values", id: d(cond("StringNotEquals", "aws:RequestedRegion", "us-east-1")), req: get("aws:RequestedRegion=eu-west-1"), want: DI},
		{name: str + "a deny with StringNotEquals spares the listed value", id: d(cond("StringNotEquals", "aws:RequestedRegion", "us-east-1")), req: get("aws:RequestedRegion=us-east-1"), want: AI},
		{name: str + "condition key names are case-insensitive", id: a(cond("StringEquals", "AWS:REQUESTEDREGION", "us-east-1")), req: get("aws:RequestedRegion=us-east-1"), want: AI},
		{name: str + "a number in the policy is compared as a string", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"StringEquals":{"s3:max-keys":10}}`))}, req: get("s3:max-keys=10"), want: AI},

		{name: num + "NumericEquals", id: a(cond("NumericEquals", "s3:max-keys", "10")), req: get("s3:max-keys=10"), want: AI},
		{name: num + "NumericEquals compares numbers, not text", id: a(cond("NumericEquals", "s3:max-keys", "10")), req: get("s3:max-keys=10.0"), want: AI},
		{name: num + "NumericNotEquals", id: a(cond("NumericNotEquals", "s3:max-keys", "10")), req: get("s3:max-keys=11"), want: AI},
		{name: num + "NumericLessThan true", id: a(cond("NumericLessThan", "s3:max-keys", "10")), req: get("s3:max-keys=9"), want: AI},
		{name: num + "NumericLessThan false at equality", id: a(cond("NumericLessThan", "s3:max-keys", "10")), req: get("s3:max-keys=10"), want: NI},
		{name: num + "NumericLessThanEquals true at equality", id: a(cond("NumericLessThanEquals", "s3:max-keys", "10")), req: get("s3:max-keys=10"), want: AI},
		{name: num + "NumericGreaterThan", id: a(cond("NumericGreaterThan", "s3:max-keys", "10")), req: get("s3:max-keys=11"), want: AI},
		{name: num + "NumericGreaterThanEquals false below", id: a(cond("NumericGreaterThanEquals", "s3:max-keys", "10")), req: get("s3:max-keys=9"), want: NI},
		{name: num + "a non-numeric context value does not match", id: a(cond("NumericLessThan", "s3:max-keys", "10")), req: get("s3:max-keys=ten"), want: NI},
		{name: num + "aws:MultiFactorAuthAge below a limit", id: a(cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600")), req: get("aws:MultiFactorAuthAge=120"), want: AI},

		{name: date + "DateLessThan on aws:CurrentTime before the date", id: a(cond("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z")), req: get(), want: AI},
		{name: date + "DateLessThan on aws:CurrentTime after the date", id: a(cond("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z")), req: get(), want: NI},
		{name: date + "DateGreaterThan on aws:CurrentTime", id: a(cond("DateGreaterThan", "aws:CurrentTime", "2026-01-01T00:00:00Z")), req: get(), want: AI},
		{name: date + "a time window with two date operators", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-06-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2026-06-30T23:59:59Z"}}`))}, req: get(), want: AI},
		{name: date + "dates may be given without a time", id: a(cond("DateGreaterThanEquals", "aws:CurrentTime", "2026-06-15")), req: get(), want: AI},
		{name: date + "dates may be epoch seconds", id: a(cond("DateLessThan", "aws:CurrentTime", "1893456000")), req: get(), want: AI},
		{name: date + "aws:EpochTime compares with an ISO date", id: a(cond("DateGreaterThan", "aws:EpochTime", "2026-01-01T00:00:00Z")), req: get(), want: AI},
		{name: date + "DateEquals", id: a(cond("DateEquals", "aws:TokenIssueTime", "2026-06-15T11:00:00Z")), req: get("aws:TokenIssueTime=2026-06-15T11:00:00Z"), want: AI},
		{name: date + "DateNotEquals", id: a(cond("DateNotEquals", "aws:TokenIssueTime", "2026-06-15T11:00:00Z")), req: get("aws:TokenIssueTime=2026-06-15T11:00:00Z"), want: NI},
		{name: date + "DateLessThanEquals at equality", id: a(cond("DateLessThanEquals", "aws:TokenIssueTime", "2026-06-15T11:00:00Z")), req: get("aws:TokenIssueTime=2026-06-15T11:00:00Z"), want: AI},

		{name: boo + "Bool true matches true", id: a(cond("Bool", "aws:SecureTransport", "true")), req: get("aws:SecureTransport=true"), want: AI},
		{name: boo + "Bool true does not match false", id: a(cond("Bool", "aws:SecureTransport", "true")), req: get("aws:SecureTransport=false"), want: NI},
		{name: boo + "Bool values are case-insensitive", id: a(cond("Bool", "aws:SecureTransport", "TRUE")), req: get("aws:SecureTransport=true"), want: AI},
		{name: boo + "a JSON boolean in the policy", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}`))}, req: get("aws:MultiFactorAuthPresent=true"), want: AI},
		{name: boo + "deny when not over TLS", id: d(cond("Bool", "aws:SecureTransport", "false")), req: get("aws:SecureTransport=false"), want: DI},

		{name: bin + "BinaryEquals compares base64 values", id: a(cond("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")), req: get("key=QmluYXJ5VmFsdWVJbkJhc2U2NA=="), want: AI},
		{name: bin + "BinaryEquals does not match other bytes", id: a(cond("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")), req: get("key=b3RoZXI="), want: NI},

		{name: ip + "IpAddress with a CIDR block", id: a(cond("IpAddress", "aws:SourceIp", "203.0.113.0/24")), req: get("aws:SourceIp=203.0.113.7"), want: AI},
		{name: ip + "IpAddress outside the block", id: a(cond("IpAddress", "aws:SourceIp", "203.0.113.0/24")), req: get("aws:SourceIp=198.51.100.7"), want: NI},
		{name: ip + "IpAddress with a single address", id: a(cond("IpAddress", "aws:SourceIp", "203.0.113.7")), req: get("aws:SourceIp=203.0.113.7"), want: AI},
		{name: ip + "IpAddress with an IPv6 block", id: a(cond("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64")), req: get("aws:SourceIp=2001:db8:1234:5678::1"), want: AI},
		{name: ip + "IpAddress with a list of blocks", id: a(cond("IpAddress", "aws:SourceIp", "10.0.0.0/8", "192.0.2.0/24")), req: get("aws:SourceIp=192.0.2.1"), want: AI},
		{name: ip + "NotIpAddress denies outside the block", id: d(cond("NotIpAddress", "aws:SourceIp", "192.0.2.0/24")), req: get("aws:SourceIp=203.0.113.1"), want: DI},
		{name: ip + "NotIpAddress spares the block", id: d(cond("NotIpAddress", "aws:SourceIp", "192.0.2.0/24")), req: get("aws:SourceIp=192.0.2.9"), want: AI},

		{name: arn + "ArnLike with wildcards per component", id: a(cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111122223333:topic*")), req: get("aws:SourceArn=arn:aws:sns:us-east-1:111122223333:topic-1"), want: AI},
		{name: arn + "ArnLike does not match another account", id: a(cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111122223333:*")), req: get("aws:SourceArn=arn:aws:sns:us-east-1:444455556666:t"), want: NI},
		{name: arn + "ArnEquals behaves like ArnLike", id: a(cond("ArnEquals", "aws:SourceArn", "arn:aws:s3:::bucket-*")), req: get("aws:SourceArn=arn:aws:s3:::bucket-1"), want: AI},
		{name: arn + "ArnEquals exact", id: a(cond("ArnEquals", "aws:SourceArn", fnARN)), req: get("aws:SourceArn=" + fnARN), want: AI},
		{name: arn + "ArnNotEquals", id: a(cond("ArnNotEquals", "aws:SourceArn", fnARN)), req: get("aws:SourceArn=" + fnARN), want: NI},
		{name: arn + "ArnNotLike true for another ARN", id: a(cond("ArnNotLike", "aws:SourceArn", "arn:aws:lambda:*:*:function:admin-*")), req: get("aws:SourceArn=" + fnARN), want: AI},
		{name: arn + "a value that is not an ARN does not match", id: a(cond("ArnLike", "aws:SourceArn", "arn:aws:*:*:*:*")), req: get("aws:SourceArn=not-an-arn"), want: NI},
		{name: arn + "ARN service component is case-sensitive", id: a(cond("ArnEquals", "aws:SourceArn", "arn:aws:SNS:us-east-1:111122223333:t")), req: get("aws:SourceArn=arn:aws:sns:us-east-1:111122223333:t"), want: NI},

		{name: missing + "a positive operator is false", id: a(cond("StringEquals", "aws:PrincipalTag/team", "data")), req: get(), want: NI},
		{name: missing + "StringNotLike is true", id: a(cond("StringNotLike", "aws:PrincipalTag/team", "x*")), req: get(), want: AI},
		{name: missing + "ArnNotLike is true", id: a(cond("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::x")), req: get(), want: AI},
		{name: missing + "StringNotEquals in a deny denies", id: d(cond("StringNotEquals", "aws:PrincipalTag/team", "data")), req: get(), want: DI},
		{name: missing + "NumericLessThan is false", id: a(cond("NumericLessThan", "s3:max-keys", "10")), req: get(), want: NI},
		{name: missing + "Bool is false", id: a(cond("Bool", "aws:MultiFactorAuthPresent", "true")), req: get(), want: NI},
		{name: missing + "IpAddress is false", id: a(cond("IpAddress", "aws:SourceIp", "10.0.0.0/8")), req: get(), want: NI},

		{name: ife + "StringEqualsIfExists is true when the key is missing", id: a(cond("StringEqualsIfExists", "ec2:InstanceType", "t2.micro")), req: get(), want: AI},
		{name: ife + "StringEqualsIfExists checks a present key", id: a(cond("StringEqualsIfExists", "ec2:InstanceType", "t2.micro")), req: get("ec2:InstanceType=m5.large"), want: NI},
		{name: ife + "StringEqualsIfExists allows a matching key", id: a(cond("StringEqualsIfExists", "ec2:InstanceType", "t2.micro")), req: get("ec2:InstanceType=t2.micro"), want: AI},
		{name: ife + "BoolIfExists in a deny also denies when the key is missing", id: d(cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false")), req: get(), want: DI},
		{name: ife + "BoolIfExists in a deny denies a false value", id: d(cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false")), req: get("aws:MultiFactorAuthPresent=false"), want: DI},
		{name: ife + "ArnLikeIfExists without the key", id: a(cond("ArnLikeIfExists", "aws:SourceArn", "arn:aws:s3:::b")), req: get(), want: AI},
		{name: ife + "NumericLessThanIfExists with the key", id: a(cond("NumericLessThanIfExists", "s3:max-keys", "5")), req: get("s3:max-keys=50"), want: NI},
		{name: ife + "IpAddressIfExists without the key", id: a(cond("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8")), req: get(), want: AI},

		{name: null + "Null true matches a missing key", id: a(cond("Null", "aws:TokenIssueTime", "true")), req: get(), want: AI},
		{name: null + "Null true does not match a present key", id: a(cond("Null", "aws:TokenIssueTime", "true")), req: get("aws:TokenIssueTime=2026-01-01T00:00:00Z"), want: NI},
		{name: null + "Null false matches a present key", id: a(cond("Null", "aws:TokenIssueTime", "false")), req: get("aws:TokenIssueTime=2026-01-01T00:00:00Z"), want: AI},
		{name: null + "Null false does not match a missing key", id: a(cond("Null", "aws:TokenIssueTime", "false")), req: get(), want: NI},
		{name: null + "deny when a tag is missing", id: d(cond("Null", "aws:RequestTag/project", "true")), req: get(), want: DI},

		{name: multi + "several values for one key are ORed", id: a(cond("StringEquals", "aws:RequestedRegion", "us-east-1", "eu-west-1")), req: get("aws:RequestedRegion=eu-west-1"), want: AI},
		{name: multi + "several keys in one operator are ANDed (both match)", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1","s3:prefix":"a"}}`))}, req: get("aws:RequestedRegion=us-east-1", "s3:prefix=a"), want: AI},
		{name: multi + "several keys in one operator are ANDed (one fails)", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1","s3:prefix":"a"}}`))}, req: get("aws:RequestedRegion=us-east-1", "s3:prefix=b"), want: NI},
		{name: multi + "several operators are ANDed (one fails)", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"StringEquals":{"s3:prefix":"a"},"Bool":{"aws:SecureTransport":"true"}}`))}, req: get("s3:prefix=a", "aws:SecureTransport=false"), want: NI},
		{name: multi + "several operators are ANDed (all match)", id: []string{pol(allow("s3:GetObject", "*", `"Condition":{"StringEquals":{"s3:prefix":"a"},"Bool":{"aws:SecureTransport":"true"}}`))}, req: get("s3:prefix=a", "aws:SecureTransport=true"), want: AI},
		{name: multi + "a negated operator with several values is a NOR", id: a(cond("StringNotEquals", "aws:RequestedRegion", "us-east-1", "eu-west-1")), req: get("aws:RequestedRegion=ap-south-1"), want: AI},

		{name: set + "ForAnyValue matches when one request value matches", id: a(cond("ForAnyValue:StringEquals", "aws:TagKeys", "env", "team")), req: get("aws:TagKeys=owner|team"), want: AI},
		{name: set + "ForAnyValue fails when no request value matches", id: a(cond("ForAnyValue:StringEquals", "aws:TagKeys", "env", "team")), req: get("aws:TagKeys=owner|cost"), want: NI},
		{name: set + "ForAnyValue fails when the key is missing", id: a(cond("ForAnyValue:StringEquals", "aws:TagKeys", "env")), req: get(), want: NI},
		{name: set + "ForAllValues matches when every request value matches", id: a(cond("ForAllValues:StringEquals", "aws:TagKeys", "env", "team")), req: get("aws:TagKeys=env|team"), want: AI},
		{name: set + "ForAllValues fails when one request value does not match", id: a(cond("ForAllValues:StringEquals", "aws:TagKeys", "env", "team")), req: get("aws:TagKeys=env|owner"), want: NI},
		{name: set + "ForAllValues is true when the key is missing", id: a(cond("ForAllValues:StringEquals", "aws:TagKeys", "env")), req: get(), want: AI},
		{name: set + "ForAllValues:StringLike", id: a(cond("ForAllValues:StringLike", "aws:TagKeys", "team-*")), req: get("aws:TagKeys=team-a|team-b"), want: AI},
		{name: set + "ForAnyValue:StringNotEquals needs one value outside the list", id: a(cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "env")), req: get("aws:TagKeys=env|x"), want: AI},
		{name: set + "ForAnyValue:StringNotEquals false when all values are listed", id: a(cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "env")), req: get("aws:TagKeys=env"), want: NI},
		{name: set + "ForAllValues:StringNotEquals true when no value is listed", id: a(cond("ForAllValues:StringNotEquals", "aws:TagKeys", "secret")), req: get("aws:TagKeys=a|b"), want: AI},
		{name: set + "ForAllValues:StringNotEquals false when one value is listed", id: a(cond("ForAllValues:StringNotEquals", "aws:TagKeys", "secret")), req: get("aws:TagKeys=a|secret"), want: NI},
		// "Single-valued vs. multivalued context keys": ForAllValues returns true when the key resolves to a null data set, such as an empty string.
		{name: set + "ForAllValues is true when the key resolves to an empty string", id: a(cond("ForAllValues:StringEquals", "aws:TagKeys", "a", "b")), req: get("aws:TagKeys="), want: AI},
		{name: set + "a deny with ForAllValues fires on an empty string", id: d(cond("ForAllValues:StringEquals", "aws:TagKeys", "a", "b")), req: get("aws:TagKeys="), want: DI},
		{name: set + "ForAnyValue is false when the key resolves to an empty string", id: a(cond("ForAnyValue:StringNotEquals", "aws:TagKeys", "a")), req: get("aws:TagKeys="), want: NI},
		{name: set + "a deny with ForAnyValue denies a forbidden tag", id: d(cond("ForAnyValue:StringEquals", "aws:TagKeys", "secret")), req: get("aws:TagKeys=a|secret"), want: DI},

		{name: vars + "${aws:username} in Resource", id: []string{pol(allow("s3:GetObject", bucket+"/home/${aws:username}/*"))}, req: rq("s3:GetObject", bucket+"/home/alice/x", "aws:username=alice"), want: AI},
		{name: vars + "${aws:username} does not match another user's folder", id: []string{pol(allow("s3:GetObject", bucket+"/home/${aws:username}/*"))}, req: rq("s3:GetObject", bucket+"/home/bob/x", "aws:username=alice"), want: NI},
		{name: vars + "a missing variable makes the statement not apply", id: []string{pol(allow("s3:GetObject", bucket+"/home/${aws:username}/*"))}, req: rq("s3:GetObject", bucket+"/home/alice/x"), want: NI},
		{name: vars + "a default value is used when the key is missing", id: []string{pol(allow("s3:GetObject", bucket+"/${aws:PrincipalTag/team, 'shared'}/*"))}, req: rq("s3:GetObject", bucket+"/shared/x"), want: AI},
		{name: vars + "the default value is not used when the key is present", id: []string{pol(allow("s3:GetObject", bucket+"/${aws:PrincipalTag/team, 'shared'}/*"))}, req: rq("s3:GetObject", bucket+"/shared/x", "aws:PrincipalTag/team=data"), want: NI},
		{name: vars + "variables are literal in 2008-10-17 policies", id: []string{pol08(allow("s3:GetObject", bucket+"/home/${aws:username}/*"))}, req: rq("s3:GetObject", bucket+"/home/alice/x", "aws:username=alice"), want: NI},
		{name: vars + "${*} is a literal asterisk", id: []string{pol(allow("s3:GetObject", bucket+"/a${*}b"))}, req: rq("s3:GetObject", bucket+"/a*b"), want: AI},
		{name: vars + "${*} is not a wildcard", id: []string{pol(allow("s3:GetObject", bucket+"/a${*}b"))}, req: rq("s3:GetObject", bucket+"/axxb"), want: NI},
		{name: vars + "${?} is a literal question mark", id: []string{pol(allow("s3:GetObject", bucket+"/a${?}"))}, req: rq("s3:GetObject", bucket+"/ax"), want: NI},
		{name: vars + "${$} is a literal dollar sign", id: []string{pol(allow("s3:GetObject", bucket+"/${$}x"))}, req: rq("s3:GetObject", bucket+"/$x"), want: AI},
		{name: vars + "a variable value is matched literally", id: []string{pol(allow("s3:GetObject", bucket+"/home/${aws:username}"))}, req: rq("s3:GetObject", bucket+"/home/al", "aws:username=a*"), want: NI},
		{name: vars + "variables in condition values", id: a(cond("StringLike", "s3:prefix", "home/${aws:username}/*")), req: get("s3:prefix=home/alice/docs", "aws:username=alice"), want: AI},
		{name: vars + "variables in condition values mismatch", id: a(cond("StringLike", "s3:prefix", "home/${aws:username}/*")), req: get("s3:prefix=home/bob/docs", "aws:username=alice"), want: NI},
		{name: vars + "${aws:userid} for a role session", id: []string{pol(allow("s3:GetObject", bucket+"/${aws:userid}/*"))}, req: rq("s3:GetObject", bucket+"/AROAEXAMPLE:S/x", "aws:userid=AROAEXAMPLE:S"), want: AI},
		{name: vars + "a variable inside an ARN condition value", id: a(cond("ArnLike", "aws:SourceArn", "arn:aws:sqs:*:${aws:PrincipalAccount}:*")), req: get("aws:SourceArn=arn:aws:sqs:us-east-1:" + acct + ":q"), want: AI},
		{name: vars + "a variable inside an ARN condition value mismatch", id: a(cond("ArnLike", "aws:SourceArn", "arn:aws:sqs:*:${aws:PrincipalAccount}:*")), req: get("aws:SourceArn=arn:aws:sqs:us-east-1:" + otherAcct + ":q"), want: NI},
		{name: vars + "a whole-ARN variable as an ArnEquals value", id: a(cond("ArnEquals", "aws:SourceArn", "${aws:PrincipalArn}")), req: get("aws:SourceArn=" + roleARN), want: AI},
		{name: vars + "${aws:PrincipalArn} is derived from the request", id: a(cond("StringEquals", "aws:PrincipalArn", "${aws:PrincipalArn}")), req: get(), want: AI},

		{name: glob + "aws:PrincipalArn is the role ARN for a role session", id: a(cond("ArnEquals", "aws:PrincipalArn", roleARN)), req: get(), want: AI},
		{name: glob + "aws:PrincipalArn is not the session ARN", id: a(cond("ArnEquals", "aws:PrincipalArn", session)), req: get(), want: NI},
		{name: glob + "aws:PrincipalAccount", id: a(cond("StringEquals", "aws:PrincipalAccount", acct)), req: get(), want: AI},
		{name: glob + "aws:SourceAccount", rp: []string{pol(rpStmt("Allow", pS3, "lambda:InvokeFunction", fnARN, cond("StringEquals", "aws:SourceAccount", acct)))}, req: svc("s3.amazonaws.com", "lambda:InvokeFunction", fnARN, "aws:SourceAccount="+acct), want: AR},
		{name: glob + "aws:SourceAccount mismatch (confused deputy)", rp: []string{pol(rpStmt("Allow", pS3, "lambda:InvokeFunction", fnARN, cond("StringEquals", "aws:SourceAccount", acct)))}, req: svc("s3.amazonaws.com", "lambda:InvokeFunction", fnARN, "aws:SourceAccount="+otherAcct), want: NR},
		{name: glob + "aws:SourceArn with ArnLike on a topic", rp: []string{pol(rpStmt("Allow", `{"Service":"sns.amazonaws.com"}`, "sqs:SendMessage", queueARN, cond("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:t")))}, req: svc("sns.amazonaws.com", "sqs:SendMessage", queueARN, "aws:SourceArn=arn:aws:sns:us-east-1:111122223333:t"), want: AR},
		{name: glob + "aws:SecureTransport missing fails Bool true", id: a(cond("Bool", "aws:SecureTransport", "true")), req: get(), want: NI},
		{name: glob + "aws:CurrentTime is derived from the request time", id: a(cond("DateEquals", "aws:CurrentTime", "2026-06-15T12:00:00Z")), req: get(), want: AI},
		{name: glob + "aws:EpochTime is derived from the request time", id: a(cond("NumericEquals", "aws:EpochTime", "1781524800")), req: get(), want: AI},
		{name: glob + "aws:username for an IAM user", id: a(cond("StringEquals", "aws:username", "alice")), req: get("aws:username=alice"), want: AI},
		{name: glob + "aws:username is absent for a role session", id: a(cond("Null", "aws:username", "true")), req: get("aws:userid=AROAEXAMPLE:S"), want: AI},
		{name: glob + "aws:userid for a role session is ROLEID:SESSION", id: a(cond("StringLike", "aws:userid", "AROAEXAMPLE:*")), req: get("aws:userid=AROAEXAMPLE:S"), want: AI},
	})
}
