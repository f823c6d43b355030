package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/storekeep/storekeep/customerimport"
)

// exportRows writes n rows of Shopify's customer export, each with a
// default address, from offset on.
func exportRows(offset, n int) string {
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1," +
		"Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Phone,Tags\n")
	for i := offset; i < offset+n; i++ {
		fmt.Fprintf(&b, "Ada%d,Lovelace,ada%07d@example.com,yes,Engines,%d Elgin St,Ottawa,ON,CA,K2P 1L4,'+1613555%04d,\"vip, wholesale\"\n",
			i, i, i, i%10000)
	}
	return b.String()
}

// BenchmarkCustomerImport imports new customers, each with a default
// address and a queued invitation; customers/s is the import rate.
func BenchmarkCustomerImport(b *testing.B) {
	n := startNode(b)
	im := customerimport.Importer{Store: n.app.Store, Accounts: n.app.Accounts, Shop: n.shop, Invite: true}
	const batch = 500
	rows := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		csv := exportRows(i*batch, batch)
		b.StartTimer()
		sum, err := im.Run(context.Background(), strings.NewReader(csv))
		if err != nil || sum.Created != batch {
			b.Fatalf("%+v %v", sum, err)
		}
		rows += batch
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "customers/s")
}
