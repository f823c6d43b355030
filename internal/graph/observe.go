package graph

import (
	"errors"
	"reflect"
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
	for _, name := range []string{"CustomerUserErrors", "UserErrors"} {
		if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.Slice && f.Len() > 0 {
			return OutcomeUserError
		}
	}
	return OutcomeOK
}
