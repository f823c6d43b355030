package graph

import (
	"errors"
	"testing"

	"github.com/storekeep/storekeep/internal/graph/model"
)

func TestOutcomeClassifiesRootFieldResults(t *testing.T) {
	code := model.CustomerErrorCodeTokenInvalid
	cases := []struct {
		name string
		res  any
		err  error
		want string
	}{
		{"ok payload", &model.CustomerRecoverPayload{}, nil, OutcomeOK},
		{"user errors", &model.CustomerResetPayload{CustomerUserErrors: []model.CustomerUserError{{Code: &code}}}, nil, OutcomeUserError},
		{"nil payload", (*model.CustomerResetPayload)(nil), nil, OutcomeOK},
		{"throttled", nil, &fieldError{extensions: map[string]any{"code": "THROTTLED"}}, OutcomeThrottled},
		{"access denied", nil, accessDenied("customerRecover", "unauthenticated_write_customers"), OutcomeAccessDenied},
		{"internal", nil, errors.New("boom"), OutcomeError},
	}
	for _, c := range cases {
		if got := outcome(c.res, c.err); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
