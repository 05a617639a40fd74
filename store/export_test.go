package store

// SetProgressChunk makes tracked writes report every n units, for a test.
func SetProgressChunk(n int) (restore func()) {
	old := progressChunk
	progressChunk = n
	return func() { progressChunk = old }
}
