// Command storekeep is a self-hosted customer-accounts server that speaks
// the Shopify Storefront API's customer mutations. Run `storekeep --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/storekeep/storekeep/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
