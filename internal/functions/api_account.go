package functions

import (
	"github.com/nubo-run/nubo/internal/awsapi"
)

// Lambda's default account quotas, as GetAccountSettings reports them
// (Lambda quotas page): nubo enforces the per-function code sizes; the
// concurrency quota is what reserved concurrency is taken from.
const (
	accountTotalCodeSize        = 75 * 1024 * 1024 * 1024 // 80,530,636,800 bytes, as Lambda reports it
	accountCodeSizeUnzipped     = 262144000
	accountCodeSizeZipped       = 52428800
	accountConcurrentExecutions = 1000
)

type accountSettingsInput struct{}

type accountLimit struct {
	CodeSizeUnzipped               int64
	CodeSizeZipped                 int64
	ConcurrentExecutions           int
	TotalCodeSize                  int64
	UnreservedConcurrentExecutions int
}

type accountUsage struct {
	FunctionCount int64
	TotalCodeSize int64
}

type accountSettingsOutput struct {
	AccountLimit accountLimit
	AccountUsage accountUsage
}

// getAccountSettings reports Lambda's default quotas and this account's
// usage: how many functions, their code's total size, and the concurrency
// not reserved by any function.
func (a *lambdaAPI) getAccountSettings(c *awsapi.Call, _ *accountSettingsInput) (accountSettingsOutput, error) {
	fns, err := a.s.List(c.Context())
	if err != nil {
		return accountSettingsOutput{}, err
	}
	out := accountSettingsOutput{AccountLimit: accountLimit{
		CodeSizeUnzipped: accountCodeSizeUnzipped, CodeSizeZipped: accountCodeSizeZipped,
		ConcurrentExecutions: accountConcurrentExecutions, TotalCodeSize: accountTotalCodeSize,
		UnreservedConcurrentExecutions: accountConcurrentExecutions,
	}}
	for _, f := range fns {
		out.AccountUsage.FunctionCount++
		out.AccountUsage.TotalCodeSize += f.CodeSize
		if f.ReservedConcurrency != nil {
			out.AccountLimit.UnreservedConcurrentExecutions -= *f.ReservedConcurrency
		}
	}
	return out, nil
}
