package iam

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MFADevice is a virtual MFA device: a TOTP seed, and the user it is
// enabled for.
type MFADevice struct {
	Serial  string    `json:"serial"` // arn:aws:iam::ACCOUNT:mfa{path}{name}
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	Seed    string    `json:"seed"` // base32
	Created time.Time `json:"created"`
	User    string    `json:"user,omitempty"`
	Enabled time.Time `json:"enabled,omitzero"`
	Tags    []Tag     `json:"tags,omitempty"`
}

// MFAARN is arn:aws:iam::ACCOUNT:mfa{path}{name}.
func MFAARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

func mfaKey(serial string) string { return "mfa." + keyPart(serial) }

// CreateVirtualMFADevice creates a device with a new random seed.
func (s *Store) CreateVirtualMFADevice(ctx context.Context, name, path string, tags []Tag) (MFADevice, error) {
	if err := validName("virtual MFA device name", name, 226); err != nil {
		return MFADevice{}, err
	}
	path, err := validPath(path)
	if err != nil {
		return MFADevice{}, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerMFADevice"); err != nil {
		return MFADevice{}, err
	}
	var seed [20]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return MFADevice{}, err
	}
	d := MFADevice{Serial: MFAARN(s.account.ID, path, name), Name: name, Path: path,
		Seed: base32.StdEncoding.EncodeToString(seed[:]), Created: s.now().UTC().Truncate(time.Second), Tags: tags}
	if err := s.create(ctx, mfaKey(d.Serial), d); err != nil {
		return MFADevice{}, err
	}
	return d, nil
}

// MFADevice returns the device with a serial number.
func (s *Store) MFADevice(ctx context.Context, serial string) (MFADevice, error) {
	var d MFADevice
	if _, err := s.get(ctx, mfaKey(serial), &d); err != nil || d.Serial != serial {
		return MFADevice{}, fmt.Errorf("%w: VirtualMFADevice with serial number %s doesn't exist.", ErrNoSuchEntity, serial)
	}
	return d, nil
}

// ListMFADevices lists the virtual MFA devices.
func (s *Store) ListMFADevices(ctx context.Context) ([]MFADevice, error) {
	return listRecords(ctx, s, "mfa.", func(*MFADevice) bool { return true })
}

// DeleteVirtualMFADevice deletes a device no user has enabled.
func (s *Store) DeleteVirtualMFADevice(ctx context.Context, serial string) error {
	var d MFADevice
	rev, err := s.get(ctx, mfaKey(serial), &d)
	if err != nil || d.Serial != serial {
		return fmt.Errorf("%w: VirtualMFADevice with serial number %s doesn't exist.", ErrNoSuchEntity, serial)
	}
	if d.User != "" {
		return fmt.Errorf("%w: MFA Device is already in use.", ErrDeleteConflict)
	}
	return s.remove(ctx, mfaKey(serial), rev)
}

// ErrInvalidAuthCode is an MFA code that does not match the device.
var ErrInvalidAuthCode = errors.New("Authentication code for device is not valid.")

// totp is RFC 6238's code (SHA-1, 6 digits) of seed for a 30 s step.
func totp(seed []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1000000)
}

// checkCodes verifies two consecutive codes of the device, within ten
// steps of now either way (clock drift, as IAM allows some).
func checkCodes(seed32, code1, code2 string, now time.Time) bool {
	seed, err := base32.StdEncoding.DecodeString(seed32)
	if err != nil {
		return false
	}
	step := now.Unix() / 30
	for s := step - 10; s <= step+10; s++ {
		if totp(seed, s) == code1 && totp(seed, s+1) == code2 {
			return true
		}
	}
	return false
}

// EnableMFADevice enables a virtual device for user, given two consecutive
// codes it generated.
func (s *Store) EnableMFADevice(ctx context.Context, user, serial, code1, code2 string) error {
	d, err := s.MFADevice(ctx, serial)
	if err != nil {
		return err
	}
	if d.User != "" {
		return fmt.Errorf("%w: MFA Device is already in use.", ErrEntityExists)
	}
	if !checkCodes(d.Seed, code1, code2, s.now()) {
		return ErrInvalidAuthCode
	}
	now := s.now().UTC().Truncate(time.Second)
	if _, err := modify(ctx, s, mfaKey(serial), func(d *MFADevice) error {
		if d.User != "" {
			return fmt.Errorf("%w: MFA Device is already in use.", ErrEntityExists)
		}
		d.User, d.Enabled = user, now
		return nil
	}); err != nil {
		return err
	}
	_, err = s.ModifyUser(ctx, user, func(u *User) error {
		if len(u.MFA) >= 8 {
			return fmt.Errorf("%w: Cannot exceed quota for MFADevicesPerUser: 8", ErrLimitExceeded)
		}
		u.MFA = append(u.MFA, serial)
		return nil
	})
	if err != nil {
		_, _ = modify(ctx, s, mfaKey(serial), func(d *MFADevice) error {
			d.User, d.Enabled = "", time.Time{}
			return nil
		})
	}
	return err
}

// DeactivateMFADevice disables a device for user; it can be deleted then.
func (s *Store) DeactivateMFADevice(ctx context.Context, user, serial string) error {
	if _, err := s.ModifyUser(ctx, user, func(u *User) error {
		i := slices.Index(u.MFA, serial)
		if i < 0 {
			return fmt.Errorf("%w: MFA Device with serial number %s does not exist.", ErrNoSuchEntity, serial)
		}
		u.MFA = slices.Delete(u.MFA, i, i+1)
		return nil
	}); err != nil {
		return err
	}
	_, err := modify(ctx, s, mfaKey(serial), func(d *MFADevice) error {
		if strings.EqualFold(d.User, user) {
			d.User, d.Enabled = "", time.Time{}
		}
		return nil
	})
	return err
}

// b64 is a blob as the query protocol carries it.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
