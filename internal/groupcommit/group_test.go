package groupcommit

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// gate is a Write that records each group it is given and holds the first
// one until released; it fails a group holding a negative item, and
// answers each item with ten times itself.
type gate struct {
	mu      sync.Mutex
	groups  [][]int
	started chan struct{}
	release chan struct{}
	ctxErrs []error
}

func newGate() *gate {
	return &gate{started: make(chan struct{}), release: make(chan struct{})}
}

func (w *gate) write(ctx context.Context, items []int) ([]int, error) {
	w.mu.Lock()
	first := len(w.groups) == 0
	w.groups = append(w.groups, slices.Clone(items))
	w.mu.Unlock()
	if first {
		close(w.started)
		<-w.release
	}
	w.mu.Lock()
	w.ctxErrs = append(w.ctxErrs, ctx.Err())
	w.mu.Unlock()
	out := make([]int, len(items))
	for i, it := range items {
		if it < 0 {
			return nil, errors.New("negative item")
		}
		out[i] = it * 10
	}
	return out, nil
}

func (g *Group[T, R]) waitFor(n int) {
	for g.Waiting() != n {
		runtime.Gosched()
	}
}

type outcome struct {
	res int
	err error
}

// submit runs Do for each item in its own goroutine once the gate's first
// write is under way, and returns the outcomes in items' order once all
// have returned.
func submit(t *testing.T, g *Group[int, int], w *gate, ctxs []context.Context, items ...int) []outcome {
	t.Helper()
	out := make([]outcome, len(items)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		r, err := g.Do(context.Background(), 1)
		out[len(items)] = outcome{r, err}
	})
	<-w.started
	for i, it := range items {
		ctx := context.Background()
		if ctxs != nil {
			ctx = ctxs[i]
		}
		wg.Go(func() {
			r, err := g.Do(ctx, it)
			out[i] = outcome{r, err}
		})
	}
	g.waitFor(len(items))
	close(w.release)
	wg.Wait()
	if first := out[len(items)]; first.err != nil || first.res != 10 {
		t.Fatalf("the first caller got %+v, want 10", first)
	}
	return out[:len(items)]
}

func TestItemsSubmittedDuringAWriteAreWrittenTogetherNext(t *testing.T) {
	w := newGate()
	g := New(1, w.write)
	got := submit(t, g, w, nil, 2, 3, 4, 5)
	for i, o := range got {
		if want := (i + 2) * 10; o.err != nil || o.res != want {
			t.Errorf("item %d: got %+v, want %d", i+2, o, want)
		}
	}
	if len(w.groups) != 2 || len(w.groups[0]) != 1 || len(w.groups[1]) != 4 {
		t.Fatalf("groups written = %v, want [1] then the four that waited", w.groups)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.writing != 0 || g.next != nil {
		t.Error("the group is still busy after every write ended")
	}
}

func TestAFailingItemFailsOnlyItsOwnCaller(t *testing.T) {
	w := newGate()
	g := New(1, w.write)
	got := submit(t, g, w, nil, 2, -1, 4)
	if got[1].err == nil {
		t.Error("the negative item was written")
	}
	if got[0].err != nil || got[0].res != 20 || got[2].err != nil || got[2].res != 40 {
		t.Errorf("the others got %+v and %+v, want 20 and 40", got[0], got[2])
	}
	if len(w.groups) != 5 || len(w.groups[1]) != 3 {
		t.Errorf("groups written = %v, want [1], the three, then each of the three alone", w.groups)
		return
	}
	var again []int
	for _, grp := range w.groups[2:] {
		again = append(again, grp...)
	}
	if slices.Sort(again); !slices.Equal(again, []int{-1, 2, 4}) {
		t.Errorf("items written again alone = %v, want -1, 2 and 4", again)
	}
}

func TestACallerThatLeavesBeforeItsGroupIsWrittenIsLeftOut(t *testing.T) {
	w := newGate()
	g := New(1, w.write)
	gone, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { g.Do(context.Background(), 1) })
	<-w.started
	var goneErr error
	wg.Go(func() { _, goneErr = g.Do(gone, 7) })
	got := make([]outcome, 2)
	for i, it := range []int{2, 3} {
		wg.Go(func() {
			r, err := g.Do(context.Background(), it)
			got[i] = outcome{r, err}
		})
	}
	g.waitFor(3)
	cancel()
	g.waitFor(2)
	close(w.release)
	wg.Wait()
	if !errors.Is(goneErr, context.Canceled) {
		t.Errorf("the caller that left got %v, want its context's error", goneErr)
	}
	if got[0] != (outcome{20, nil}) || got[1] != (outcome{30, nil}) {
		t.Errorf("the others got %+v", got)
	}
	if len(w.groups) != 2 || slices.Contains(w.groups[1], 7) || len(w.groups[1]) != 2 {
		t.Errorf("groups written = %v, want the second without 7", w.groups)
	}
}

func TestTheWriterLeavingDoesNotCancelTheWrite(t *testing.T) {
	w := newGate()
	g := New(1, w.write)
	ctx, cancel := context.WithCancel(context.Background())
	var res int
	var err error
	done := make(chan struct{})
	go func() {
		res, err = g.Do(ctx, 1)
		close(done)
	}()
	<-w.started
	cancel()
	close(w.release)
	<-done
	if err != nil || res != 10 {
		t.Fatalf("Do = %d, %v; want 10", res, err)
	}
	if w.ctxErrs[0] != nil {
		t.Errorf("the write saw its context end: %v", w.ctxErrs[0])
	}
}

func TestManyConcurrentCallersEachGetTheirOwnResult(t *testing.T) {
	var mu sync.Mutex
	written := 0
	g := New(1, func(_ context.Context, items []int) ([]int, error) {
		mu.Lock()
		written += len(items)
		mu.Unlock()
		out := make([]int, len(items))
		for i, it := range items {
			out[i] = -it
		}
		return out, nil
	})
	const callers, each = 16, 200
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				item := c*each + i
				if r, err := g.Do(context.Background(), item); err != nil || r != -item {
					t.Errorf("Do(%d) = %d, %v", item, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if written != callers*each {
		t.Errorf("%d items written, want %d", written, callers*each)
	}
}

func TestUpToWritersWritesRunAtOnceAndTheRestGather(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var groups [][]int
	started := make(chan struct{}, 2)
	g := New(2, func(_ context.Context, items []int) ([]int, error) {
		mu.Lock()
		groups = append(groups, slices.Clone(items))
		mu.Unlock()
		if items[0] <= 2 {
			started <- struct{}{}
			<-release
		}
		return items, nil
	})
	var wg sync.WaitGroup
	for _, it := range []int{1, 2} {
		wg.Go(func() { g.Do(context.Background(), it) })
	}
	<-started
	<-started
	for _, it := range []int{3, 4} {
		wg.Go(func() { g.Do(context.Background(), it) })
	}
	g.waitFor(2)
	close(release)
	wg.Wait()
	if len(groups) != 3 || len(groups[2]) != 2 {
		t.Fatalf("groups written = %v, want 1 and 2 alone at once, then 3 and 4 together", groups)
	}
}
