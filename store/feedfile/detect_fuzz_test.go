package feedfile

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
)

// FuzzDetect checks the format detector and what it hands the user, for
// any input:
//   - Detect never panics and fails only with a *FileError that has a
//     message;
//   - Detect and NewReader agree: the format Detect names is the format
//     NewReader reads the file as, and a file Detect sends to the column
//     mapping (ErrNeedsMapping) is not read without one;
//   - GuessMapping maps only columns of the header, each at most once, and
//     a mapping it makes (when it finds a SKU column) opens the file;
//   - a Summary accounts for every row: its usable and skipped rows are the
//     rows Next returned, its ignored columns are header columns, and a
//     field it reports empty on every row has no value on any usable row.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"sku,title,price\nA,B,1\n",
		"sku,name,qty,product_type,weight\nA,B,1,simple,2\n",
		"Item Code,Description,On Hand,Unit Price\nX,Y,3 pcs,2.00\n",
		"Handle,Title,Variant SKU,Variant Price,Option1 Name,Option1 Value\nh,T,,1,Size,M\n",
		"id\ttitle\tavailability\tquantity\tprice\n1\tA\tin stock\t100 ML\t1.00 USD\n",
		shopifyCSV, googleTSV, wooCSV, googleXML,
		magentoSeed, bigCommerceSeed, amazonTemplate, amazonListings,
		"sku\tprice\tquantity\thandling-time\nA\t1\t2\t3\n",
		"a;b;c\n1;2;3\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		format, _, derr := Detect(data[:min(len(data), headSize)])
		if derr != nil {
			var fe *FileError
			if !errors.As(derr, &fe) || fe.Message == "" {
				t.Fatalf("Detect error %v (%T), want a *FileError with a message", derr, derr)
			}
		}
		r, err := NewReader(bytes.NewReader(data), Options{BuildSKUs: true, InStockQuantity: 3})
		switch {
		case derr == nil && err == nil && r.Format() != format:
			t.Fatalf("Detect says %q, NewReader reads %q", format, r.Format())
		case errors.Is(derr, ErrNeedsMapping) && err == nil:
			// (NewReader may also refuse the header for its quoting,
			// which Detect's quick look at the first line forgives.)
			t.Fatalf("Detect needs a mapping, NewReader reads the file as %q", r.Format())
		}
		if errors.Is(err, ErrNeedsMapping) {
			header, _, perr := Preview(bytes.NewReader(data), Options{}, 1)
			if perr != nil {
				return
			}
			m := GuessMapping(header)
			used := map[string]bool{}
			for field, col := range m {
				if !slices.Contains(header, col) || used[normHeader(col)] || !slices.Contains(fieldNames[:], field) {
					t.Fatalf("GuessMapping(%q) = %v: %s → %q", header, m, field, col)
				}
				used[normHeader(col)] = true
			}
			if m["sku"] == "" {
				return
			}
			r, err = NewReader(bytes.NewReader(data), Options{Mapping: m, InStockQuantity: 3})
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) || errors.Is(err, ErrMapping) {
					t.Fatalf("the guessed mapping %v does not open the file: %v", m, err)
				}
				return
			}
		}
		if err != nil {
			return
		}
		usable, skipped := 0, 0
		var filled [nFields]bool
		for range len(data) + 1 {
			row, errs, err := r.Next()
			if err != nil {
				break
			}
			if !row.Usable() {
				skipped++
				for _, e := range errs {
					if !e.Skipped {
						t.Fatalf("line %d: a skipped row's error %+v is not marked skipped", row.Line, e)
					}
				}
				continue
			}
			usable++
			for _, e := range errs {
				if e.Skipped {
					t.Fatalf("line %d: a kept row's error %+v is marked skipped", row.Line, e)
				}
			}
			filled[fTitle] = filled[fTitle] || row.Title != ""
			filled[fQuantity] = filled[fQuantity] || row.HasQuantity
			filled[fPrice] = filled[fPrice] || row.HasPrice
		}
		if _, _, err := r.Next(); err == nil {
			t.Fatal("Next did not end")
		} else if err != io.EOF {
			return // a file error part way: the summary covers what was read
		}
		s := r.Summary()
		if s.Rows != usable || s.Skipped != skipped {
			t.Fatalf("Summary counts %d usable, %d skipped; Next returned %d, %d", s.Rows, s.Skipped, usable, skipped)
		}
		if r.xr == nil {
			for _, col := range s.Ignored {
				if !slices.Contains(r.Header(), col) {
					t.Fatalf("ignored column %q is not in the header %q", col, r.Header())
				}
			}
		}
		for _, e := range s.Empty {
			for _, f := range []int{fTitle, fQuantity, fPrice} {
				if e.Field == fieldNames[f] && e.All && filled[f] {
					t.Fatalf("%s reported empty on every row, but a row has one", e.Field)
				}
			}
		}
	})
}
