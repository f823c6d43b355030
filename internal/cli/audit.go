package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
	"unicode"

	"github.com/storekeep/storekeep"
)

func setupAuditList(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "only this shop's events (default: every shop's)")
	limit := fs.Int("limit", 50, "how many events to show, newest first")
	return func(ctx context.Context) error {
		if *limit < 1 {
			return errors.New("--limit must be at least 1")
		}
		store, _, err := d.open(ctx, quietLogger(env))
		if err != nil {
			return err
		}
		defer store.Close()
		var shopID int64
		if *shopDomain != "" {
			shop, err := shopByDomain(ctx, store, *shopDomain)
			if err != nil {
				return err
			}
			shopID = shop.ID
		}
		events, err := store.AuditEvents(ctx, shopID, *limit)
		if err != nil {
			return err
		}
		domains := map[int64]string{}
		w := newTable(env.stdout)
		fmt.Fprintln(w, "TIME\tLAST\tCOUNT\tSHOP\tCUSTOMER\tKIND\tIP\tUSER AGENT\tDETAIL")
		for _, e := range events {
			domain, ok := domains[e.ShopID]
			if !ok {
				domain = strconv.FormatInt(e.ShopID, 10)
				if shop, err := store.ShopByID(ctx, e.ShopID); err == nil {
					domain = shop.Domain
				}
				domains[e.ShopID] = domain
			}
			customer := "-"
			if e.CustomerID != 0 {
				customer = storekeep.CustomerGID(e.CustomerID)
			}
			last := "-"
			if e.Count > 1 {
				last = e.LastAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), last, e.Count, cell(domain), customer,
				cell(string(e.Kind)), cell(e.IP), cell(e.UserAgent), cell(e.Detail))
		}
		return w.Flush()
	}
}

// cell makes a value a client supplied, such as a user agent, safe to
// print in a column: empty becomes "-", and a value holding anything but
// printable characters is quoted with Go escapes, so no terminal control
// sequence or tab reaches the screen.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			return strconv.QuoteToGraphic(s)
		}
	}
	return s
}
