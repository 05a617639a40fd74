package store

import (
	"errors"
	"sort"
	"strings"
)

// ErrNotFound means the record does not exist or belongs to another account.
var ErrNotFound = errors.New("not found")

// ErrConflict means the change clashes with the current state of the record.
var ErrConflict = errors.New("conflict")

// ErrBadCredentials means the email and password do not match a user.
var ErrBadCredentials = errors.New("email or password is incorrect")

// ValidationError carries a message per invalid input field.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the field messages in a stable order.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// checks collects field messages; err returns nil when there are none.
type checks map[string]string

// add records msg for field unless the field already has a message.
func (c checks) add(field, msg string) {
	if _, ok := c[field]; !ok {
		c[field] = msg
	}
}

// check records msg for field when ok is false.
func (c checks) check(ok bool, field, msg string) {
	if !ok {
		c.add(field, msg)
	}
}

func (c checks) err() error {
	if len(c) == 0 {
		return nil
	}
	return &ValidationError{Fields: c}
}

// FieldError returns a ValidationError for one field.
func FieldError(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// conflictError is a conflict with a message fit to show the user.
type conflictError struct{ msg string }

func (e *conflictError) Error() string { return e.msg }
func (e *conflictError) Unwrap() error { return ErrConflict }

// Conflict returns an ErrConflict carrying a message for the user.
func Conflict(msg string) error { return &conflictError{msg: msg} }

// Message returns the user-facing message of a conflict, or "".
func Message(err error) string {
	var ce *conflictError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return ""
}
