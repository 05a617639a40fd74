package feedfile

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Preview returns the file's header and its first n data records as raw
// strings (trimmed headers, untouched cells), for the column-mapping screen.
// Only the start of the file is read. It needs no SKU column and ignores
// opt.Format and opt.Mapping, except that an XML file is refused: it needs no
// mapping.
func Preview(r io.Reader, opt Options, n int) (header []string, records [][]string, err error) {
	switch opt.Delimiter {
	case 0, ',', ';', '\t', '|':
	default:
		return nil, nil, checkOptions(&Options{Delimiter: opt.Delimiter})
	}
	br := bufio.NewReaderSize(r, headSize)
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
		return nil, nil, err
	}
	kind, delim, ferr := sniff(head, opt.Delimiter)
	if ferr != nil {
		return nil, nil, ferr
	}
	if kind == kindXML || opt.Format == FormatGoogleXML {
		return nil, nil, fileErr(0, ErrUnknownFormat, "This is an XML feed, not a CSV or TSV file: it needs no column mapping.")
	}
	rd := &Reader{delim: delim, cr: newCSV(br, head, delim)}
	if err := rd.readHeader(); err != nil {
		return nil, nil, err
	}
	for len(records) < n {
		rec, err := rd.cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, rd.csvError(err)
		}
		line, _ := rd.cr.FieldPos(0)
		line -= rd.extra
		out := make([]string, len(rec))
		for i, v := range rec {
			if !utf8.ValidString(v) {
				return nil, nil, notUTF8(line)
			}
			rd.extra += strings.Count(v, "\n")
			out[i] = v
		}
		records = append(records, out)
	}
	return rd.header, records, nil
}

// Template returns a CSV template in Dropline's format (header and two
// example rows) for users to download and fill in.
func Template() string {
	return strings.Join(fieldNames[:], ",") + "\r\n" +
		`TEE-RED-M,Classic T-Shirt,Color: Red / Size: M,0012345678905,CT-100,6.50,19.99,25,3,https://example.com/tee,https://example.com/tee-red.jpg,"Soft cotton tee, pre-shrunk.",apparel|tees,true` + "\r\n" +
		`MUG-11OZ,Ceramic Mug 11 oz,,,MG-11,2.10,9.50,120,2,https://example.com/mug,https://example.com/mug.jpg,Dishwasher safe.,kitchen,false` + "\r\n"
}
