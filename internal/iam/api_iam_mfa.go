package iam

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	mfaIn struct {
		VirtualMFADeviceName, Path, SerialNumber, UserName string
		AuthenticationCode1, AuthenticationCode2           string
		Tags                                               []Tag
		TagKeys                                            []string
	}
	mfaPagesIn struct {
		UserName, AssignmentStatus, Marker string
		MaxItems                           int32
	}
)

type xmlVirtualMFA struct {
	SerialNumber     string   `xml:"SerialNumber"`
	Base32StringSeed string   `xml:"Base32StringSeed,omitempty"`
	EnableDate       string   `xml:"EnableDate,omitempty"`
	User             *xmlUser `xml:"User,omitempty"`
	Tags             *xmlTags `xml:"Tags,omitempty"`
}

type createMFAResult struct {
	VirtualMFADevice xmlVirtualMFA `xml:"VirtualMFADevice"`
}

type listVirtualMFAResult struct {
	VirtualMFADevices xmlMembers[xmlVirtualMFA] `xml:"VirtualMFADevices"`
	IsTruncated       bool                      `xml:"IsTruncated"`
	Marker            string                    `xml:"Marker,omitempty"`
}

type xmlMFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type listMFAResult struct {
	MFADevices  xmlMembers[xmlMFADevice] `xml:"MFADevices"`
	IsTruncated bool                     `xml:"IsTruncated"`
	Marker      string                   `xml:"Marker,omitempty"`
}

// mfaOps are the IAM operations on virtual MFA devices.
func (a *API) mfaOps() []awsapi.Declared {
	onDevice := func(c *awsapi.Call, in *mfaIn) ([]awsapi.Target, error) {
		serial := in.SerialNumber
		if serial == "" {
			serial = MFAARN(a.store.account.ID, orRoot(in.Path), in.VirtualMFADeviceName)
		}
		return a.target(c.Context(), serial, in.Tags, tagKeysCond(in.TagKeys)), nil
	}
	// Enabling, deactivating and listing act on the user.
	onUser := func(c *awsapi.Call, in *mfaIn) ([]awsapi.Target, error) {
		return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
	}
	return []awsapi.Declared{
		awsapi.Op[mfaIn, createMFAResult]{Name: "CreateVirtualMFADevice", Action: "iam:CreateVirtualMFADevice", Resources: onDevice, Handler: a.createVirtualMFA},
		awsapi.Op[mfaPagesIn, listVirtualMFAResult]{Name: "ListVirtualMFADevices", Action: "iam:ListVirtualMFADevices", Handler: a.listVirtualMFA},
		awsapi.Op[mfaIn, awsapi.None]{Name: "DeleteVirtualMFADevice", Action: "iam:DeleteVirtualMFADevice", Resources: onDevice, Handler: a.deleteVirtualMFA},
		awsapi.Op[mfaIn, awsapi.None]{Name: "EnableMFADevice", Action: "iam:EnableMFADevice", Resources: onUser, Handler: a.enableMFA},
		awsapi.Op[mfaIn, awsapi.None]{Name: "DeactivateMFADevice", Action: "iam:DeactivateMFADevice", Resources: onUser, Handler: a.deactivateMFA},
		awsapi.Op[mfaPagesIn, listMFAResult]{Name: "ListMFADevices", Action: "iam:ListMFADevices",
			Resources: func(c *awsapi.Call, in *mfaPagesIn) ([]awsapi.Target, error) {
				return a.userTarget(c.Context(), in.UserName, "", nil, nil), nil
			},
			Handler: a.listMFA},
	}
}

func (a *API) createVirtualMFA(c *awsapi.Call, in *mfaIn) (createMFAResult, error) {
	if err := checkName("VirtualMFADeviceName", in.VirtualMFADeviceName, 226); err != nil {
		return createMFAResult{}, err
	}
	d, err := a.store.CreateVirtualMFADevice(c.Context(), in.VirtualMFADeviceName, in.Path, in.Tags)
	if errors.Is(err, ErrEntityExists) {
		return createMFAResult{}, awsapi.NewError(http.StatusConflict, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	}
	if err != nil {
		return createMFAResult{}, err
	}
	// Base32StringSeed is a blob: the SDKs base64-decode it to the base32
	// seed an authenticator app takes.
	return createMFAResult{VirtualMFADevice: xmlVirtualMFA{SerialNumber: d.Serial,
		Base32StringSeed: b64(d.Seed), Tags: toXMLTags(d.Tags)}}, nil
}

func (a *API) listVirtualMFA(c *awsapi.Call, in *mfaPagesIn) (listVirtualMFAResult, error) {
	ds, err := a.store.ListMFADevices(c.Context())
	if err != nil {
		return listVirtualMFAResult{}, err
	}
	var keep []MFADevice
	for _, d := range ds {
		switch strings.ToLower(in.AssignmentStatus) {
		case "assigned":
			if d.User == "" {
				continue
			}
		case "unassigned":
			if d.User != "" {
				continue
			}
		case "", "any":
		default:
			return listVirtualMFAResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]", in.AssignmentStatus)
		}
		keep = append(keep, d)
	}
	keep, next, err := page(keep, in.Marker, in.MaxItems)
	if err != nil {
		return listVirtualMFAResult{}, err
	}
	res := listVirtualMFAResult{IsTruncated: next != "", Marker: next}
	res.VirtualMFADevices.Member = []xmlVirtualMFA{}
	for _, d := range keep {
		x := xmlVirtualMFA{SerialNumber: d.Serial}
		if d.User != "" {
			x.EnableDate = isoTime(d.Enabled)
			if u, err := a.store.GetUser(c.Context(), d.User); err == nil {
				xu := toXMLUser(u, false)
				x.User = &xu
			}
		}
		res.VirtualMFADevices.Member = append(res.VirtualMFADevices.Member, x)
	}
	return res, nil
}

func (a *API) deleteVirtualMFA(c *awsapi.Call, in *mfaIn) (awsapi.None, error) {
	if err := required("SerialNumber", in.SerialNumber); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteVirtualMFADevice(c.Context(), in.SerialNumber)
}

func (a *API) mfaArgs(ctx context.Context, in *mfaIn) (User, error) {
	u, err := a.user(ctx, in.UserName)
	if err != nil {
		return User{}, err
	}
	return u, required("SerialNumber", in.SerialNumber)
}

func (a *API) enableMFA(c *awsapi.Call, in *mfaIn) (awsapi.None, error) {
	u, err := a.mfaArgs(c.Context(), in)
	if err != nil {
		return awsapi.None{}, err
	}
	for _, code := range []struct{ name, v string }{{"AuthenticationCode1", in.AuthenticationCode1}, {"AuthenticationCode2", in.AuthenticationCode2}} {
		if err := required(code.name, code.v); err != nil {
			return awsapi.None{}, err
		}
		if len(code.v) != 6 || strings.Trim(code.v, "0123456789") != "" {
			return awsapi.None{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+", code.v, lowerFirst(code.name))
		}
	}
	err = a.store.EnableMFADevice(c.Context(), u.Name, in.SerialNumber, in.AuthenticationCode1, in.AuthenticationCode2)
	if errors.Is(err, ErrInvalidAuthCode) {
		return awsapi.None{}, awsapi.NewError(http.StatusForbidden, "InvalidAuthenticationCode", err.Error())
	}
	return awsapi.None{}, err
}

func (a *API) deactivateMFA(c *awsapi.Call, in *mfaIn) (awsapi.None, error) {
	u, err := a.mfaArgs(c.Context(), in)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeactivateMFADevice(c.Context(), u.Name, in.SerialNumber)
}

func (a *API) listMFA(c *awsapi.Call, in *mfaPagesIn) (listMFAResult, error) {
	u, err := a.user(c.Context(), callerUser(c.Context(), in.UserName))
	if err != nil {
		return listMFAResult{}, err
	}
	serials, next, err := page(u.MFA, in.Marker, in.MaxItems)
	if err != nil {
		return listMFAResult{}, err
	}
	res := listMFAResult{IsTruncated: next != "", Marker: next}
	res.MFADevices.Member = []xmlMFADevice{}
	for _, s := range serials {
		d, err := a.store.MFADevice(c.Context(), s)
		if err != nil {
			continue
		}
		res.MFADevices.Member = append(res.MFADevices.Member, xmlMFADevice{UserName: u.Name, SerialNumber: s, EnableDate: isoTime(d.Enabled)})
	}
	return res, nil
}
