package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/storekeep/storekeep/internal/store/storetest"
)

func TestNoIndexIsAPrefixOfAnother(t *testing.T) {
	s := openMigrated(t, filepath.Join(t.TempDir(), "index.db"))
	defer s.Close()
	storetest.NoPrefixIndexes(t, s.reader, `SELECT m.tbl_name, l.name, l."unique", l.partial, i.name
		FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i
		WHERE m.type = 'table' ORDER BY m.tbl_name, l.name, i.seqno`)
}
