package handlers

import (
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
)

// uploadProblem is why an upload form has no file to work on: the status
// and the message to show above the form.
type uploadProblem struct {
	status int
	msg    string
}

// readUpload reads the "file" field of an upload form, up to
// store.MaxUploadBytes. A missing or oversized file is a problem to show,
// not an error.
func readUpload(c echo.Context) (name string, body []byte, problem *uploadProblem, err error) {
	if err := parseBody(c); err != nil {
		return "", nil, nil, err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, &uploadProblem{http.StatusUnprocessableEntity, "Choose a CSV file to upload."}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, nil, err
	}
	defer f.Close()
	body, err = io.ReadAll(io.LimitReader(f, store.MaxUploadBytes+1))
	if err != nil {
		return "", nil, nil, err
	}
	if len(body) > store.MaxUploadBytes {
		return "", nil, &uploadProblem{http.StatusRequestEntityTooLarge, "The file is larger than 50 MB. Split it into smaller files."}, nil
	}
	return fh.Filename, body, nil, nil
}
