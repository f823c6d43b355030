package accountpage_test

import (
	"net/http"
	"testing"

	"github.com/storekeep/storekeep"
)

func TestActivationLinkSetsTheFirstPassword(t *testing.T) {
	f := newFixture(t)
	path := f.activationPath("grace@example.com")

	expect(t, f.get(path), http.StatusOK, "Activate your account", "Example & Co")
	if !f.tokenUsable(path, storekeep.PurposeActivation) {
		t.Fatal("GET spent the activation token")
	}
	expect(t, f.submit(path, "abc"), http.StatusUnprocessableEntity, "Password is too short (minimum is 5 characters)")
	expect(t, f.submit(path, newPass), http.StatusOK, "Your account is active")
	if !f.loginWorks("grace@example.com", newPass) {
		t.Fatal("the activated account does not sign in")
	}
	expect(t, f.get(path), http.StatusNotFound, "Activation link is invalid or has expired")
}
