// Package cli holds nubo's command-line verbs: a file per verb, each building
// a cobra command. Run (cli.go) maps a verb's error to an exit code.
package cli
