package handlers

import (
	"testing"

	"github.com/dropline/dropline/store"
)

// Two saves of one upload at once: the page follows the first, the second
// neither overwrites nor ends it, and before any step the label says
// saving, not finishing.
func TestAppliesFollowTheFirstRunOfAnUpload(t *testing.T) {
	var a applies
	first := a.start("tok", 7)
	if p, ok := a.get("tok", 7); !ok || progressLabel(p) != "Saving…" {
		t.Fatalf("before any step: %v %q", ok, progressLabel(p))
	}
	second := a.start("tok", 7)
	a.set("tok", first, store.TrackingProgress{Step: store.StepSaving, Done: 1, Total: 4})
	a.set("tok", second, store.TrackingProgress{Step: store.StepWaiting})
	if p, _ := a.get("tok", 7); progressLabel(p) != "Saving… 25 %" {
		t.Fatalf("the second run overwrote the first: %q", progressLabel(p))
	}
	if _, ok := a.get("tok", 8); ok {
		t.Fatal("another account reads the progress")
	}
	a.end("tok", second)
	if _, ok := a.get("tok", 7); !ok {
		t.Fatal("the second run's end removed the first's progress")
	}
	a.end("tok", first)
	if _, ok := a.get("tok", 7); ok {
		t.Fatal("progress left after the run ended")
	}
}
