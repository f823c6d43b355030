package graph

import (
	"errors"
	"reflect"
	"sync"
)

// Outcomes a root field is counted under.
const (
	OutcomeOK           = "ok"
	OutcomeUserError    = "user_error"
	OutcomeThrottled    = "throttled"
	OutcomeAccessDenied = "access_denied"
	OutcomeError        = "error"
)

// outcome classifies a root field's result: the failure's code when it
// failed, user_error when its payload carries errors for the client.
func outcome(res any, err error) string {
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			switch fe.extensions["code"] {
			case "THROTTLED":
				return OutcomeThrottled
			case "ACCESS_DENIED":
				return OutcomeAccessDenied
			}
		}
		return OutcomeError
	}
	v := reflect.ValueOf(res)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return OutcomeOK
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return OutcomeOK
	}
	for _, index := range errorFields(v.Type()) {
		if f, err := v.FieldByIndexErr(index); err == nil && f.Len() > 0 {
			return OutcomeUserError
		}
	}
	return OutcomeOK
}

// errorFieldIndex caches errorFields by payload type.
var errorFieldIndex sync.Map

// errorFields returns the index paths of t's CustomerUserErrors and
// UserErrors slice fields, looked up by name once per type.
func errorFields(t reflect.Type) [][]int {
	if cached, ok := errorFieldIndex.Load(t); ok {
		return cached.([][]int)
	}
	var out [][]int
	for _, name := range []string{"CustomerUserErrors", "UserErrors"} {
		if f, ok := t.FieldByName(name); ok && f.Type.Kind() == reflect.Slice {
			out = append(out, f.Index)
		}
	}
	errorFieldIndex.Store(t, out)
	return out
}
