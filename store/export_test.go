package store

// SetProgressChunk makes tracked writes report every n units, for a test.
func SetProgressChunk(n int) (restore func()) {
	old := progressChunk
	progressChunk = n
	return func() { progressChunk = old }
}

// SetSplitRows makes files of n rows or more read in two halves, for a test.
func SetSplitRows(n int) (restore func()) {
	old := splitRows
	splitRows = n
	return func() { splitRows = old }
}
