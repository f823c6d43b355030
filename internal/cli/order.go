package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/storekeep/storekeep"
	"github.com/storekeep/storekeep/internal/app"
	"github.com/storekeep/storekeep/order"
)

// importProgressEvery is how many lines pass between two plain progress
// lines when stderr is not a terminal.
const importProgressEvery = 1000

func setupOrderImport(fs *flag.FlagSet, env *environment) func(context.Context) error {
	var d dbFlags
	d.define(fs)
	shopDomain := fs.String("shop", "", "the shop's domain (required)")
	return func(ctx context.Context) error {
		if err := required("shop", *shopDomain); err != nil {
			return err
		}
		if env.arg == "" {
			return usagef("give the FILE to import, or - for stdin")
		}
		run, err := openImport(ctx, d, env, *shopDomain)
		if err != nil {
			return err
		}
		defer run.Close()
		sum, err := importOrders(ctx, run.app.Orders, run.shop, run.in, newProgress(env.stderr, run.size, "importing orders"))
		fmt.Fprintf(env.stdout, "%d lines: %d orders saved, %d unchanged (already up to date), %d refused\n",
			sum.lines, sum.saved, sum.unchanged, len(sum.refused))
		for _, r := range sum.refused {
			fmt.Fprintf(env.stderr, "line %d: %v\n", r.line, r.err)
		}
		if err != nil {
			return err
		}
		if len(sum.refused) > 0 {
			return fmt.Errorf("%d lines refused", len(sum.refused))
		}
		return nil
	}
}

// importRun is what an import command works with: the operand FILE read
// from, its size when known, the node and the shop written into.
type importRun struct {
	in   io.ReadCloser
	size int64
	app  *app.App
	shop storekeep.Shop
}

// openImport opens the operand, the node of d and the shop of domain for
// an import command.
func openImport(ctx context.Context, d dbFlags, env *environment, domain string) (*importRun, error) {
	in, size, err := openOperand(env.arg)
	if err != nil {
		return nil, err
	}
	a, err := adminApp(ctx, d, quietLogger(env))
	if err != nil {
		in.Close()
		return nil, err
	}
	shop, err := shopByDomain(ctx, a.Store, domain)
	if err != nil {
		a.Close()
		in.Close()
		return nil, err
	}
	return &importRun{in: in, size: size, app: a, shop: shop}, nil
}

// Close releases the node and the operand.
func (r *importRun) Close() {
	r.app.Close()
	r.in.Close()
}

// openOperand opens FILE, or stdin for "-", with its size when known.
func openOperand(name string) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

type refusedLine struct {
	line int
	err  error
}

type importSummary struct {
	lines, saved, unchanged int
	refused                 []refusedLine
}

// progress is told how many bytes and lines have been read.
type progress interface {
	advance(bytes, lines int)
	finish()
}

// importOrders imports every line of in, reporting a bad line by its number
// and going on with the next; a UTF-8 byte order mark before the first
// line is skipped. Any other failure, of the store, stops it.
func importOrders(ctx context.Context, svc *order.Service, shop storekeep.Shop, in io.Reader, p progress) (importSummary, error) {
	var sum importSummary
	r := bufio.NewReaderSize(in, 64<<10)
	defer p.finish()
	for {
		line, n, tooLong, err := readLine(r, order.MaxImportLineBytes)
		if n == 0 && errors.Is(err, io.EOF) {
			return sum, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return sum, err
		}
		sum.lines++
		p.advance(n, sum.lines)
		if sum.lines == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		line = bytes.TrimSpace(line)
		switch {
		case tooLong:
			sum.refused = append(sum.refused, refusedLine{sum.lines, fmt.Errorf("longer than %d bytes", order.MaxImportLineBytes)})
		case len(line) == 0:
		default:
			res, err := svc.Import(ctx, shop, line)
			switch {
			case errors.Is(err, order.ErrBadPayload):
				sum.refused = append(sum.refused, refusedLine{sum.lines, err})
			case err != nil:
				return sum, fmt.Errorf("line %d: %w", sum.lines, err)
			case res == storekeep.OrderSaved:
				sum.saved++
			default:
				sum.unchanged++
			}
		}
	}
}

// readLine reads one line of at most limit bytes, without its newline;
// of a longer line it keeps nothing and reports tooLong. n is how many
// bytes it consumed.
func readLine(r *bufio.Reader, limit int) (line []byte, n int, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		n += len(chunk)
		if !tooLong {
			line = append(line, chunk...)
			if len(bytes.TrimRight(line, "\r\n")) > limit {
				tooLong, line = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), n, tooLong, err
	}
}

// newProgress is a progress bar on a terminal, described by what, else a
// line every importProgressEvery lines.
func newProgress(w io.Writer, size int64, what string) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return barProgress{progressbar.NewOptions64(size, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what), progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))}
	}
	return lineProgress{w: w}
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (b barProgress) advance(n, _ int) { b.bar.Add(n) }
func (b barProgress) finish()          { b.bar.Finish() }

type lineProgress struct{ w io.Writer }

func (l lineProgress) advance(_, lines int) {
	if lines%importProgressEvery == 0 {
		fmt.Fprintf(l.w, "imported %d lines\n", lines)
	}
}

func (l lineProgress) finish() {}
