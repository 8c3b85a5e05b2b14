package iam

import (
	"context"
	"encoding/base32"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// RFC 6238 appendix B's SHA-1 vectors, as 6-digit codes.
func TestTOTPVectors(t *testing.T) {
	seed := []byte("12345678901234567890")
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := totp(seed, c.unix/30); got != c.want {
			t.Errorf("t=%d: %s, want %s", c.unix, got, c.want)
		}
	}
}

func TestVirtualMFADevices(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mfa-user")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	if err != nil {
		t.Fatal(err)
	}
	serial := d.VirtualMFADevice.SerialNumber
	if *serial != "arn:aws:iam::"+testAccount+":mfa/phone" {
		t.Fatalf("serial %s", *serial)
	}
	_, err = c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	apiError(t, err, "EntityAlreadyExists")
	seed, err := base32.StdEncoding.DecodeString(string(d.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatalf("seed %q: %v", d.VirtualMFADevice.Base32StringSeed, err)
	}
	step := time.Now().Unix() / 30
	enable := func(c1, c2 string) error {
		_, err := c.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: serial,
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	// Two codes that are not consecutive are refused.
	apiError(t, enable(totp(seed, step), totp(seed, step+3)), "InvalidAuthenticationCode")
	if err := enable(totp(seed, step), totp(seed, step+1)); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("mfa-user")})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != *serial {
		t.Fatalf("%v %+v", err, list)
	}
	assigned, err := c.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned})
	if err != nil || len(assigned.VirtualMFADevices) != 1 || *assigned.VirtualMFADevices[0].User.UserName != "mfa-user" {
		t.Fatalf("%v %+v", err, assigned)
	}
	_, err = c.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: serial})
	apiError(t, err, "DeleteConflict")
	_, err = c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("mfa-user")})
	mustContain(t, apiError(t, err, "DeleteConflict"), "must delete MFA device first")
	if _, err := c.DeactivateMFADevice(ctx, &awsiam.DeactivateMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	unassigned, err := c.ListVirtualMFADevices(ctx, &awsiam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeUnassigned})
	if err != nil || len(unassigned.VirtualMFADevices) != 1 {
		t.Fatalf("%v %+v", err, unassigned)
	}
	if _, err := c.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteVirtualMFADevice(ctx, &awsiam.DeleteVirtualMFADeviceInput{SerialNumber: serial})
	apiError(t, err, "NoSuchEntity")
	if _, err := c.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("mfa-user")}); err != nil {
		t.Fatal(err)
	}
}
