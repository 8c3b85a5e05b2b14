// Command initerror is a bootstrap that reports an initialisation failure to
// the Runtime API and exits, as a runtime does when the handler cannot load.
package main

import (
	"net/http"
	"os"
	"strings"
)

func main() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	body := `{"errorMessage":"cannot load handler","errorType":"Runtime.ImportModuleError"}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		os.Exit(3)
	}
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		os.Exit(4)
	}
	os.Exit(1)
}
