package store_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropline/dropline/store"
)

// fixturesDir is the shared folder of real product files; it lives outside the repo.
const fixturesDir = "../../shared/fixtures"

// TestPullRealProductFiles pulls each real product file in shared/fixtures
// as an external feed and checks what it creates.
func TestPullRealProductFiles(t *testing.T) {
	if _, err := os.Stat(fixturesDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing at %s: %v", fixturesDir, err)
		}
		t.Skipf("fixtures not found at %s", fixturesDir)
	}
	cases := []struct {
		file            string
		created, errors int
	}{
		// Shopify's example barcodes fail the GS1 check digit on 14 rows:
		// reported, left empty, the products created.
		{"shopify_product_csv_template/product_template_current.csv", 16, 14},
		{"shopify_product_csv_template/product_template_excel_mangled.csv", 16, 19},
		// Its first variant has a price but no Variant SKU: the subscription
		// builds one from the handle and options, by default.
		{"shopify_product_csv_template/product_template_legacy_2019.csv", 3, 0},
		{"google_merchant_feed_example/celebird_rss2_variants_apparel_upi.xml", 2, 0},
		{"classic_commerce_woocommerce_csv/sample_products.csv", 21, 0},
		{"classic_commerce_woocommerce_csv/importer_test_sample.csv", 2, 3},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(fixturesDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write(body) }))
			defer srv.Close()
			w := newFeedWorld(t)
			s := w.subscribe(t, store.SubscriptionInput{URL: srv.URL + "/" + filepath.Base(tc.file)})
			run := w.pull(t, s.ID)
			if run.State != store.RunSucceeded || run.Created != tc.created || run.Errors != tc.errors {
				t.Fatalf("%s (%s), want succeeded created=%d errors=%d", counts(run), run.Message, tc.created, tc.errors)
			}
			if got := len(w.linked(t)); got != tc.created {
				t.Fatalf("%d linked products, want %d", got, tc.created)
			}
		})
	}
}
