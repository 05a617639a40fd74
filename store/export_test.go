package store

import "time"

// SetProgressChunk makes tracked writes report every n units, for a test.
func SetProgressChunk(n int) (restore func()) {
	old := progressChunk
	progressChunk = n
	return func() { progressChunk = old }
}

// SetCheckpointEvery sets how often databases opened next checkpoint, for a test.
func SetCheckpointEvery(d time.Duration) (restore func()) {
	old := checkpointEvery
	checkpointEvery = d
	return func() { checkpointEvery = old }
}
