package awsapi

import (
	"context"
	"slices"
	"testing"
)

func TestKnownRegion(t *testing.T) {
	if !slices.IsSorted(Regions) {
		t.Fatal("Regions must stay sorted: KnownRegion searches it")
	}
	for region, want := range map[string]bool{
		"us-east-1": true, "us-west-2": true, "eu-west-1": true, "ap-southeast-7": true, "af-south-1": true,
		"": false, "local": false, "xx-nowhere-1": false, "US-EAST-1": false, "aws-global": false, "cn-north-1": false,
	} {
		if got := KnownRegion(region); got != want {
			t.Errorf("KnownRegion(%q) = %v, want %v", region, got, want)
		}
	}
	if RegionFrom(context.Background()) != "" || RegionFrom(WithRegion(context.Background(), "eu-west-1")) != "eu-west-1" {
		t.Error("WithRegion/RegionFrom")
	}
}
