package awsapi

import (
	"context"
	"slices"
)

// Regions are the commercial AWS regions (partition aws), as the SDKs'
// partition table lists them: a request signed for another region is
// refused at the edge, as AWS's endpoints refuse one scoped to a region
// they do not serve.
var Regions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1", "me-west-1",
	"mx-central-1",
	"sa-east-1", "sa-west-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// KnownRegion reports whether region is one of Regions.
func KnownRegion(region string) bool {
	_, found := slices.BinarySearch(Regions, region)
	return found
}

type regionKey struct{}

// WithRegion records the region a request was signed for.
func WithRegion(ctx context.Context, region string) context.Context {
	return context.WithValue(ctx, regionKey{}, region)
}

// RegionFrom is the region the request was signed for ("" if none: the
// request did not come through the edge).
func RegionFrom(ctx context.Context) string {
	r, _ := ctx.Value(regionKey{}).(string)
	return r
}
