package cli

import (
	"bufio"
	"io"
	"text/tabwriter"
)

// table writes a listing's aligned columns to its output in a few large
// writes: a tabwriter alone writes each cell and its padding separately,
// a system call each on a terminal or a pipe.
type table struct {
	*tabwriter.Writer
	out *bufio.Writer
}

func newTable(out io.Writer) table {
	b := bufio.NewWriterSize(out, 32<<10)
	return table{tabwriter.NewWriter(b, 0, 0, 2, ' ', 0), b}
}

// Flush aligns what was written and writes it out.
func (t table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	return t.out.Flush()
}
