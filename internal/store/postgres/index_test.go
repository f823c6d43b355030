package postgres

import (
	"testing"

	"github.com/storekeep/storekeep/internal/store/postgres/pgtest"
	"github.com/storekeep/storekeep/internal/store/storetest"
)

func TestNoIndexIsAPrefixOfAnother(t *testing.T) {
	s := openMigrated(t, pgtest.URL(t))
	defer s.Close()
	storetest.NoPrefixIndexes(t, s.db, `SELECT c.relname, i.relname, x.indisunique, x.indpred IS NOT NULL,
			coalesce(a.attname, '(expression)')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE n.nspname = current_schema()
		ORDER BY c.relname, i.relname, k.ord`)
}
