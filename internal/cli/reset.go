package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/platform"
)

func newResetCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "reset [SERVICE...]",
		Short: "Drop all state of every service, or of the services named, without a restart",
		Long: `Drop all state of every service, or of the services named, in every region,
without restarting the server: running function instances stop, buckets and
streams are emptied, and what nubo makes at first start is made again. This is
what integration-test suites call between tests. Only an administrator may
(nubo's own credentials, or a role allowed nubo:Reset).

Services: ` + strings.Join(platform.Services(), ", ") + `.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := newAdminClient(endpoint)
			body, err := json.Marshal(platform.ResetRequest{Services: args})
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+platform.ResetPath, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			sum := sha256.Sum256(body)
			if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), platform.ResetServiceName, c.region, time.Now()); err != nil {
				return fmt.Errorf("sign: %w", err)
			}
			resp, err := c.http.Do(req)
			if err != nil {
				return fmt.Errorf("nubo server at %s: %w (is `nubo serve` running? set NUBO_ENDPOINT)", c.endpoint, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if resp.StatusCode != http.StatusOK {
				var e struct {
					Message string `json:"message"`
				}
				if json.Unmarshal(b, &e) == nil && e.Message != "" {
					return fmt.Errorf("reset: %s", e.Message)
				}
				return fmt.Errorf("reset: %s: %s", resp.Status, strings.TrimSpace(string(b)))
			}
			var res platform.ResetResult
			if err := json.Unmarshal(b, &res); err != nil {
				return fmt.Errorf("reset: decode answer: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Reset %s in %s\n", strings.Join(res.Services, ", "), strings.Join(res.Regions, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}
