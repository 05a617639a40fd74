package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

// TestSalesChannelConnections: a merchant admin connects a Shopify store
// by its myshopify.com domain and a WooCommerce site by https address; the
// credentials are never read back (only a hint), blank ones on an edit keep
// the stored ones, addresses a store could not have are refused with the
// reason, and another account cannot see, change or remove the connection.
func TestSalesChannelConnections(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	sh, err := p.db.SaveSalesChannel(ctx, p.mActor, p.merchant.ID, 0, store.SalesChannelInput{Kind: "shopify", BaseURL: " Acme-Goods.myshopify.com/ ",
		AccessToken: "shpat_0123456789abcdef0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	if sh.BaseURL != "https://acme-goods.myshopify.com" || sh.Name != "Shopify acme-goods" || sh.CredentialHint != "…cdef" {
		t.Errorf("shopify connection = %+v", sh)
	}
	woo, err := p.db.SaveSalesChannel(ctx, p.mActor, p.merchant.ID, 0, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop",
		BaseURL: "https://shop.example.com/", ConsumerKey: "ck_1111111111111111", ConsumerSecret: "cs_2222222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	// An edit without credentials keeps them; the platform cannot change.
	woo, err = p.db.SaveSalesChannel(ctx, p.mActor, p.merchant.ID, woo.ID, store.SalesChannelInput{Kind: "shopify", Name: "Web shop", BaseURL: "https://shop.example.com", NotifyCustomer: true})
	if err != nil || woo.Kind != "woocommerce" || !woo.NotifyCustomer || woo.CredentialHint == "" {
		t.Fatalf("edit keeping credentials: %+v, %v", woo, err)
	}

	for _, tc := range []struct {
		in    store.SalesChannelInput
		field string
		want  string
	}{
		{store.SalesChannelInput{Kind: "shopify", BaseURL: "https://evil.example.com", AccessToken: "shpat_x"}, "base_url", "myshopify.com domain"},
		{store.SalesChannelInput{Kind: "shopify", BaseURL: "http://a.myshopify.com", AccessToken: "shpat_x"}, "base_url", "https:// only"},
		{store.SalesChannelInput{Kind: "woocommerce", BaseURL: "http://shop.example.com", ConsumerKey: "ck", ConsumerSecret: "cs"}, "base_url", "https://"},
		{store.SalesChannelInput{Kind: "woocommerce", BaseURL: "https://shop2.example.com", ConsumerKey: "ck"}, "consumer_secret", "consumer secret"},
		{store.SalesChannelInput{Kind: "shopify", BaseURL: "b.myshopify.com"}, "access_token", "access token"},
		{store.SalesChannelInput{Kind: "amazon", BaseURL: "https://x.example.com"}, "kind", "Shopify or WooCommerce"},
		{store.SalesChannelInput{Kind: "woocommerce", Name: "web SHOP", BaseURL: "https://x.example.com", ConsumerKey: "ck", ConsumerSecret: "cs"}, "name", "already"},
	} {
		_, err := p.db.SaveSalesChannel(ctx, p.mActor, p.merchant.ID, 0, tc.in)
		var ve *store.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields[tc.field], tc.want) {
			t.Errorf("%+v: %v, want %s: …%s…", tc.in, err, tc.field, tc.want)
		}
	}
	list, err := p.db.SalesChannels(ctx, p.merchant.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("channels = %+v, %v", list, err)
	}

	// Another account: not found, nothing changed.
	if _, err := p.db.SalesChannel(ctx, p.supplier.ID, sh.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another account reads the connection: %v", err)
	}
	if _, err := p.db.SaveSalesChannel(ctx, p.sActor, p.supplier.ID, sh.ID, store.SalesChannelInput{Name: "mine"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another account edits the connection: %v", err)
	}
	if err := p.db.RemoveSalesChannel(ctx, p.sActor, p.supplier.ID, sh.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another account removes the connection: %v", err)
	}
	if err := p.db.RemoveSalesChannel(ctx, p.mActor, p.merchant.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := p.db.SalesChannels(ctx, p.merchant.ID); len(list) != 1 || list[0].ID != woo.ID {
		t.Errorf("after removing the Shopify store: %+v", list)
	}
}
