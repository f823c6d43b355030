package app_test

import (
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/storekeep/storekeep/internal/server"
)

// bigQuery is the i-th of many distinct valid queries of about size bytes:
// a __type lookup whose name is a long string.
func bigQuery(i, size int) string {
	name := fmt.Sprintf("T%d_", i)
	return `{ __type(name: "` + name + strings.Repeat("x", size-len(name)-40) + `") { name } }`
}

// sendBigQueries posts count distinct queries of size bytes as
// application/graphql from clients concurrent clients, and fails tb unless
// each is answered with data.
func sendBigQueries(tb testing.TB, base, token string, count, size, clients int) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range clients {
		wg.Go(func() {
			for i := range next {
				req, _ := http.NewRequest("POST", base+"/api/2026-10/graphql.json", strings.NewReader(bigQuery(i, size)))
				req.Header.Set("Content-Type", "application/graphql")
				req.Header.Set(server.PublicTokenHeader, token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					tb.Error(err)
					continue
				}
				buf := make([]byte, 512)
				n, _ := resp.Body.Read(buf)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(buf[:n]), `"__type":null`) {
					tb.Errorf("query %d: %s %s", i, resp.Status, buf[:n])
				}
			}
		})
	}
	for i := range count {
		next <- i
	}
	close(next)
	wg.Wait()
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestDistinctLargeQueriesAreNotKept sends 200 distinct valid 250 KB
// queries. The parsed-query cache keeps none of them: the live heap grows
// by less than 16 MiB, where a cache bounded by count alone kept about
// 0.5 MB for each.
func TestDistinctLargeQueriesAreNotKept(t *testing.T) {
	n := startNode(t)
	sendBigQueries(t, n.base, n.public, 1, 250<<10, 1)
	before := heapInUse()
	sendBigQueries(t, n.base, n.public, 200, 250<<10, 4)
	after := heapInUse()
	grown := int64(after) - int64(before)
	t.Logf("live heap grew by %d KiB", grown>>10)
	if grown > 16<<20 {
		t.Fatalf("the live heap grew by %d MiB after 200 distinct large queries", grown>>20)
	}
}

// BenchmarkQueryCacheAttackServe starts `storekeep serve` with its
// defaults and sends it 1,200 distinct valid 250 KB queries from 8
// clients, the attack that once filled the parsed-query cache, and reports
// the serve process's RSS before and at its peak during the attack, and
// after it.
//
//	go test -run '^$' -bench QueryCacheAttackServe -benchtime 1x ./internal/app
func BenchmarkQueryCacheAttackServe(b *testing.B) {
	srv := serveBinary(b)
	sendBigQueries(b, srv.base, srv.token, 1, 250<<10, 1)
	base := statusKiB(b, srv.pid, "VmRSS")
	resetPeakRSS(b, srv.pid)
	for b.Loop() {
		sendBigQueries(b, srv.base, srv.token, 1200, 250<<10, 8)
	}
	b.ReportMetric(float64(base)/1024, "base-RSS-MiB")
	b.ReportMetric(float64(statusKiB(b, srv.pid, "VmHWM"))/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(statusKiB(b, srv.pid, "VmRSS"))/1024, "after-RSS-MiB")
}
