package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildFn compiles bench/fn/NAME into dir/NAME/bootstrap, as a provided.al2023
// function's deployment package holds it.
func buildFn(dir, name string) (string, error) {
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.Command("go", "build", "-o", out, "./bench/fn/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	return out, nil
}
