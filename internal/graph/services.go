package graph

import (
	"context"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/account"
	"github.com/storekeep/storekeep/address"
	"github.com/storekeep/storekeep/order"
)

// Recovery is the password-reset and activation flow (package recovery).
// Errors are *storekeep.Error values: CustomerErrorCode ones, alone or
// joined, for bad input; CodeThrottled when a limit tripped; anything else
// is an internal failure.
type Recovery interface {
	Recover(ctx context.Context, shop storekeep.Shop, email string, caller storekeep.Caller) error
	Reset(ctx context.Context, shop storekeep.Shop, id, resetToken, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
	ResetByURL(ctx context.Context, shop storekeep.Shop, resetURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
	Activate(ctx context.Context, shop storekeep.Shop, id, activationToken, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
	ActivateByURL(ctx context.Context, shop storekeep.Shop, activationURL, password string, caller storekeep.Caller) (storekeep.Customer, storekeep.IssuedAccessToken, error)
}

// Accounts is sign-up, sign-in and profile management (package account),
// with errors as for Recovery.
type Accounts interface {
	Create(ctx context.Context, shop storekeep.Shop, in account.CreateInput, caller storekeep.Caller) (storekeep.Customer, error)
	Login(ctx context.Context, shop storekeep.Shop, email, password string, caller storekeep.Caller) (storekeep.IssuedAccessToken, error)
	Renew(ctx context.Context, shop storekeep.Shop, accessToken string) (storekeep.IssuedAccessToken, error)
	Delete(ctx context.Context, shop storekeep.Shop, accessToken string) (deletedTokenID string, err error)
	CustomerByToken(ctx context.Context, shop storekeep.Shop, accessToken string) (storekeep.Customer, bool, error)
	Update(ctx context.Context, shop storekeep.Shop, accessToken string, in account.UpdateInput, caller storekeep.Caller) (storekeep.Customer, *storekeep.IssuedAccessToken, error)

	Addresses(ctx context.Context, c storekeep.Customer, p storekeep.Page) (storekeep.Window[storekeep.MailingAddress], error)
	DefaultAddress(ctx context.Context, c storekeep.Customer) (storekeep.MailingAddress, bool, error)
	CreateAddress(ctx context.Context, shop storekeep.Shop, accessToken string, in address.Input, caller storekeep.Caller) (storekeep.MailingAddress, error)
	UpdateAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, in address.Input, caller storekeep.Caller) (storekeep.MailingAddress, error)
	DeleteAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, caller storekeep.Caller) (string, error)
	SetDefaultAddress(ctx context.Context, shop storekeep.Shop, accessToken, id string, caller storekeep.Caller) (storekeep.Customer, error)
}

// Orders is the read model of a shop's orders (package order).
type Orders interface {
	CustomerOrders(ctx context.Context, c storekeep.Customer, a order.PageArgs) (order.Page, error)
	CountOrders(ctx context.Context, c storekeep.Customer) (int64, error)
	// ByGID finds the order a global id with its key names; found is false
	// for any id that does not open one.
	ByGID(ctx context.Context, shop storekeep.Shop, gid string) (o order.Keyed, found bool, err error)
	StatusURL(shop storekeep.Shop, o storekeep.Order) string
	CustomerURL(shop storekeep.Shop, o storekeep.Order) string
}

// Multipass is single sign-on by Multipass token (package multipass),
// with errors as for Recovery.
type Multipass interface {
	SignIn(ctx context.Context, shop storekeep.Shop, token string, caller storekeep.Caller) (storekeep.IssuedAccessToken, error)
}
