package runtimes

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNodeSDKImports(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"index.mjs": `import { S3Client } from "@aws-sdk/client-s3";\nimport x from '@aws-sdk/lib-dynamodb/dist-cjs/index.js';`,
		"lib/a.js":  `const { SQS } = require('@aws-sdk/client-sqs'); const b = require("@aws-sdk/client-bundled");`,
		"lib/b.ts":  `export * from "@aws-sdk/client-sns";\nconst m = await import('@aws-sdk/client-ssm');`,
		"lib/c.cjs": `// "@aws-sdk/client-s3" again, and "@aws-sdk/" alone is no package`,
		"README.md": `require("@aws-sdk/client-not-code")`,
		"data.json": `{"x": "@aws-sdk/client-not-code"}`,
		"node_modules/@aws-sdk/client-bundled/package.json": `{"name":"@aws-sdk/client-bundled"}`,
		"node_modules/dep/index.js":                         `require("@aws-sdk/client-inside-deps")`,
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := NodeSDKImports(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"@aws-sdk/client-s3", "@aws-sdk/client-sns", "@aws-sdk/client-sqs", "@aws-sdk/client-ssm", "@aws-sdk/lib-dynamodb"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
	if got, err := NodeSDKImports(t.TempDir()); err != nil || len(got) != 0 {
		t.Errorf("empty package: %v, %v", got, err)
	}
}
