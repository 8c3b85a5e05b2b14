package sam

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// conformanceFloor is the number of waves 1-2 cases (success and error) that check.py must pass.
// Raise it as the transform covers more of the corpus.
const conformanceFloor = 429

// errorMessagesFloor is how many of the error cases get exactly AWS's message.
const errorMessagesFloor = 142

// corpusDir finds shared/conformance/sam-translator by walking up from the package directory
// (CI has shared/ beside the checkout; a developer machine may have it higher up).
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "conformance", "sam-translator")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/conformance/sam-translator not found above the package directory")
		}
		dir = parent
	}
}

func testOptions() Options {
	return Options{Region: "ap-southeast-1", Parameters: map[string]any{"param1": "value1", "param2": "value2"}}
}

// runCase transforms one corpus input and returns what check.py expects in NAME.json.
func runCase(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tmpl, err := loadYAML(data)
	if err != nil {
		return nil, err
	}
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		return json.MarshalIndent(map[string]any{"errorMessage": err.Error()}, "", "  ")
	}
	return json.MarshalIndent(out, "", "  ")
}

func TestConformance(t *testing.T) {
	corpus := corpusDir(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not available for check.py")
	}
	list, err := exec.Command("python3", filepath.Join(corpus, "check.py"), corpus, "--list", "--wave", "2", "--errors").Output()
	if err != nil {
		t.Fatalf("check.py --list: %v", err)
	}
	identical := 0
	out := t.TempDir()
	if d := os.Getenv("SAM_CONFORMANCE_OUT"); d != "" {
		out = d
	}
	for _, name := range strings.Fields(string(list)) {
		in := filepath.Join(corpus, "input", name+".yaml")
		if strings.HasPrefix(name, "error_") {
			in = filepath.Join(corpus, "error", name+".yaml")
		}
		b, err := runCase(in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(out, name+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "error_") {
			var got, want struct{ ErrorMessage string }
			wb, err := os.ReadFile(filepath.Join(corpus, "error", name+".json"))
			if err == nil && json.Unmarshal(wb, &want) == nil && json.Unmarshal(b, &got) == nil &&
				got.ErrorMessage == want.ErrorMessage {
				identical++
			}
		}
	}
	cmd := exec.Command("python3", filepath.Join(corpus, "check.py"), corpus, out, "--wave", "2", "--errors", "-q")
	res, _ := cmd.CombinedOutput()
	m := regexp.MustCompile(`(\d+) passed, (\d+) failed`).FindSubmatch(res)
	if m == nil {
		t.Fatalf("check.py output without a summary:\n%s", res)
	}
	passed, _ := strconv.Atoi(string(m[1]))
	failed, _ := strconv.Atoi(string(m[2]))
	t.Logf("conformance: %d passed, %d failed; %d error cases with AWS's exact message", passed, failed, identical)
	if identical < errorMessagesFloor {
		t.Errorf("conformance: %d error messages as AWS words them, below the floor %d", identical, errorMessagesFloor)
	}
	if passed < conformanceFloor {
		t.Errorf("conformance: %d passed, below the floor %d\n%s", passed, conformanceFloor, res)
	} else if failed > 0 {
		t.Logf("failures (known, above the floor):\n%s", res)
	}
}
