package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/storekeep/storekeep"
)

const shopColumns = `shops.id, shops.domain, shops.name, shops.storefront_url, shops.enumeration, shops.mail_from,
	shops.reply_to, shops.locale, shops.created_at`

func (s *Store) scanShop(row scanner, extra ...any) (storekeep.Shop, error) {
	var sh storekeep.Shop
	err := row.Scan(append([]any{&sh.ID, &sh.Domain, &sh.Name, &sh.StorefrontURL, &sh.Enumeration, &sh.MailFrom,
		&sh.ReplyTo, &sh.Locale, scanTime(&sh.CreatedAt)}, extra...)...)
	return sh, s.mapErr(err)
}

// CreateShop stores sh with secrets, sealed, in one statement;
// storekeep.ErrConflict if its domain is taken.
func (s *Store) CreateShop(ctx context.Context, sh storekeep.Shop, secrets storekeep.ShopSecrets) (storekeep.Shop, error) {
	sh.CreatedAt = s.stamp(sh.CreatedAt)
	columns := []string{"domain", "name", "storefront_url", "enumeration", "mail_from", "reply_to", "locale", "created_at"}
	args := []any{sh.Domain, sh.Name, sh.StorefrontURL, sh.Enumeration, sh.MailFrom, sh.ReplyTo, sh.Locale, s.at(sh.CreatedAt)}
	sealed, err := s.sealSecrets(secrets)
	if err != nil {
		return storekeep.Shop{}, err
	}
	for _, c := range sealed {
		columns, args = append(columns, c.column), append(args, c.value)
	}
	marks := make([]string, len(args))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO shops (`+strings.Join(columns, ", ")+`)
		VALUES (`+strings.Join(marks, ", ")+`) RETURNING id`, args...).Scan(&sh.ID)
	if err != nil {
		return storekeep.Shop{}, s.mapErr(err)
	}
	return sh, nil
}

// sealSecrets seals the secrets secrets sets, each for its column (a nil
// value removing it).
func (s *Store) sealSecrets(secrets storekeep.ShopSecrets) ([]sealedSecret, error) {
	var out []sealedSecret
	for i, secret := range []*string{secrets.Webhook, secrets.Multipass} {
		if secret == nil {
			continue
		}
		x := sealedSecret{column: shopSecretColumns[i]}
		if *secret != "" {
			var err error
			if x.value, err = s.sealer.Seal([]byte(*secret)); err != nil {
				return nil, err
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// ShopByDomain returns the shop serving domain.
func (s *Store) ShopByDomain(ctx context.Context, domain string) (storekeep.Shop, error) {
	return s.scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE domain = $1`, domain))
}

// ShopByID returns the shop with that id.
func (s *Store) ShopByID(ctx context.Context, id int64) (storekeep.Shop, error) {
	return s.scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = $1`, id))
}

// ShopOfCustomer returns the shop of the customer with that id.
func (s *Store) ShopOfCustomer(ctx context.Context, customerID int64) (storekeep.Shop, error) {
	return s.scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+`
		FROM shops JOIN customers ON customers.shop_id = shops.id WHERE customers.id = $1`, customerID))
}

// UpdateShop replaces a shop's name, storefront URL, enumeration mode and
// mail settings, and the secrets secrets sets, in one statement; its
// domain, ID and CreatedAt stay. storekeep.ErrNotFound if there is no such
// shop.
func (s *Store) UpdateShop(ctx context.Context, sh storekeep.Shop, secrets storekeep.ShopSecrets) error {
	set := `name = $1, storefront_url = $2, enumeration = $3, mail_from = $4, reply_to = $5, locale = $6`
	args := []any{sh.Name, sh.StorefrontURL, sh.Enumeration, sh.MailFrom, sh.ReplyTo, sh.Locale}
	sealed, err := s.sealSecrets(secrets)
	if err != nil {
		return err
	}
	for _, c := range sealed {
		args = append(args, c.value)
		set += fmt.Sprintf(", %s = $%d", c.column, len(args))
	}
	args = append(args, sh.ID)
	return affectedOne(s.w.ExecContext(ctx, fmt.Sprintf(`UPDATE shops SET %s WHERE id = $%d`, set, len(args)), args...))
}

// CreateAPIToken stores t; storekeep.ErrConflict if its hash exists.
func (s *Store) CreateAPIToken(ctx context.Context, t storekeep.APIToken) (storekeep.APIToken, error) {
	scopes, err := toJSON(t.Scopes)
	if err != nil {
		return storekeep.APIToken{}, err
	}
	t.CreatedAt = s.stamp(t.CreatedAt)
	err = s.w.QueryRowContext(ctx, `INSERT INTO api_tokens (shop_id, kind, scopes, hash, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.ShopID, t.Kind, scopes, t.Hash, s.at(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return storekeep.APIToken{}, s.mapErr(err)
	}
	return t, nil
}

// APITokenByHash returns the token whose hash is one of hashes, and its
// shop.
func (s *Store) APITokenByHash(ctx context.Context, hashes [][]byte) (storekeep.APIToken, storekeep.Shop, error) {
	if len(hashes) == 0 {
		return storekeep.APIToken{}, storekeep.Shop{}, storekeep.ErrNotFound
	}
	in, args := s.d.HashIn("api_tokens.hash", 1, hashes)
	var t storekeep.APIToken
	var scopes []byte
	sh, err := s.scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+`,
			api_tokens.id, api_tokens.kind, api_tokens.scopes, api_tokens.hash, api_tokens.created_at
		FROM api_tokens JOIN shops ON shops.id = api_tokens.shop_id
		WHERE `+in+` LIMIT 1`, s.planEach(args...)...),
		&t.ID, &t.Kind, &scopes, &t.Hash, scanTime(&t.CreatedAt))
	if err != nil {
		return storekeep.APIToken{}, storekeep.Shop{}, err
	}
	t.ShopID = sh.ID
	if t.Scopes, err = fromJSON[storekeep.Scope](scopes); err != nil {
		return storekeep.APIToken{}, storekeep.Shop{}, fmt.Errorf("%s: api token %d scopes: %w", s.d.Name, t.ID, err)
	}
	return t, sh, nil
}
