package feedfile

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XML element (local) names a Google feed item may carry, whatever their
// namespace: Google accepts both <title> and <g:title>.
const (
	xID = iota
	xTitle
	xDescription
	xLink
	xImageLink
	xPrice
	xCost
	xAvailability
	xGTIN
	xMPN
	xGroup
	xColor
	xSize
	xMaterial
	xPattern
	xQuantity
	xSalePrice
	xNum
)

var xmlNames = map[string]int{
	"id": xID, "title": xTitle, "description": xDescription, "summary": xDescription,
	"link": xLink, "image_link": xImageLink, "price": xPrice, "cost_of_goods_sold": xCost,
	"availability": xAvailability, "gtin": xGTIN, "mpn": xMPN, "item_group_id": xGroup,
	"color": xColor, "size": xSize, "material": xMaterial, "pattern": xPattern, "quantity": xQuantity,
	"sale_price": xSalePrice,
}

// xmlSource streams <item> (RSS) or <entry> (Atom) elements with a token
// loop; only direct children with plain text are kept, so nested elements such
// as g:shipping and g:tax are ignored.
type xmlSource struct {
	dec  *xml.Decoder
	src  *readErrors
	n    int // items read
	vals [xNum]string
	text strings.Builder

	unknown []string        // elements of items that no field is read from, in order first seen
	seenUnk map[string]bool // the same, as a set
}

func newXMLSource(r io.Reader) *xmlSource {
	src := &readErrors{r: r}
	dec := xml.NewDecoder(src)
	dec.Strict = true
	dec.Entity = xml.HTMLEntity // feeds often use &nbsp; &eacute; …
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		}
		return nil, fileErr(1, ErrEncoding, "The file is in the %s encoding, not UTF-8: save the file as UTF-8.", label)
	}
	return &xmlSource{dec: dec, src: src}
}

// readErrors remembers the last error from the underlying reader, to tell
// I/O failures from problems with the XML itself.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// next reads the next item into x.vals.
func (x *xmlSource) next() error {
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return x.fail(err)
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "item" || se.Name.Local == "entry") {
			x.n++
			x.vals = [xNum]string{}
			return x.readItem()
		}
	}
}

func (x *xmlSource) readItem() error {
	depth := 0 // below the item
	name, nested := -1, false
	for {
		tok, err := x.dec.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return x.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 1 {
				nested = true
				continue
			}
			name, nested = -1, false
			if i, ok := xmlNames[t.Name.Local]; ok {
				name = i
			} else {
				x.noteUnknown(t.Name)
			}
			x.text.Reset()
			if name == xLink {
				for _, a := range t.Attr {
					if a.Name.Local == "href" { // Atom
						x.text.WriteString(a.Value)
					}
				}
			}
		case xml.CharData:
			if depth == 1 && name >= 0 && !nested {
				x.text.Write(t)
			}
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			if depth == 1 && name >= 0 && !nested && x.vals[name] == "" {
				x.vals[name] = trimSpace(x.text.String())
			}
			depth--
		}
	}
}

// noteUnknown remembers an item element that no field is read from, so the
// user can be told; "g:" marks Google's namespace.
func (x *xmlSource) noteUnknown(n xml.Name) {
	name := n.Local
	if n.Space == "http://base.google.com/ns/1.0" {
		name = "g:" + name
	}
	if x.seenUnk == nil {
		x.seenUnk = map[string]bool{}
	}
	if !x.seenUnk[name] && len(x.unknown) < 200 {
		x.seenUnk[name] = true
		x.unknown = append(x.unknown, name)
	}
}

func (x *xmlSource) fail(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if strings.Contains(se.Msg, "UTF-8") {
			return notUTF8(se.Line)
		}
		return fileErr(se.Line, ErrMalformed, "The XML is malformed at line %d: %s.", se.Line, se.Msg)
	}
	if x.src.err != nil && errors.Is(err, x.src.err) {
		return err // reading failed; the file may be fine
	}
	line, _ := x.dec.InputPos()
	if err == io.ErrUnexpectedEOF {
		return fileErr(line, ErrMalformed, "The XML ends in the middle of item %d: the file may be cut short.", x.n)
	}
	msg := strings.TrimPrefix(err.Error(), "xml: ")
	return fileErr(line, ErrMalformed, "The XML is malformed at line %d: %s.", line, msg)
}

func (r *Reader) nextXML(b *build) (bool, error) {
	x := r.xr
	if err := x.next(); err != nil {
		return false, err
	}
	v := &x.vals
	b.row.Line = x.n
	b.row.SKU = v[xID]
	if b.row.SKU == "" {
		b.fail("id", fmt.Sprintf("item %d has no g:id", x.n))
		return true, nil
	}
	b.row.Title = v[xTitle]
	b.row.Description = v[xDescription]
	b.row.URL = v[xLink]
	b.row.ImageURL = v[xImageLink]
	setGTIN(b, "gtin", v[xGTIN])
	setCode(b, "mpn", v[xMPN], &b.row.MPN)
	if v[xPrice] != "" {
		setMoney(b, "price", v[xPrice], &b.row.PriceCents, &b.row.HasPrice)
	}
	if v[xCost] != "" {
		setMoney(b, "cost_of_goods_sold", v[xCost], &b.row.CostCents, &b.row.HasCost)
	}
	setAvailability(b, "availability", v[xAvailability])
	setQuantity(b, "quantity", v[xQuantity])
	if v[xSalePrice] != "" {
		setMoney(b, "sale_price", v[xSalePrice], &b.row.SalePriceCents, &b.row.HasSalePrice)
	}
	if b.row.GroupKey = v[xGroup]; v[xGroup] != "" {
		b.row.Options = joinOptions(googleVariantNames[:], []string{v[xColor], v[xSize], v[xMaterial], v[xPattern]})
	}
	b.row.Active = true
	return true, nil
}
