package views

import (
	"sort"
	"strings"
)

//go:generate go run gen_places.go

// Country is an ISO 3166-1 country: its code and English name.
type Country struct {
	Code string
	Name string
}

// Countries lists every country by name, for selects.
func Countries() []Country { return countryList }

// CountryName is the name of an ISO country code, or the code itself when
// it is not one.
func CountryName(code string) string {
	for _, c := range countryList {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}

// ZoneGroup is the zones of one region ("Europe", "America"...), for a
// select's optgroup.
type ZoneGroup struct {
	Region string
	Zones  []string
}

// TimeZones groups the IANA zones by region, regions and zones by name;
// UTC comes first, alone.
func TimeZones() []ZoneGroup {
	byRegion := map[string][]string{}
	for _, z := range ianaZones {
		region, _, ok := strings.Cut(z, "/")
		if !ok {
			region = z
		}
		byRegion[region] = append(byRegion[region], z)
	}
	var out []ZoneGroup
	for r, zs := range byRegion {
		out = append(out, ZoneGroup{Region: r, Zones: zs})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Region == "UTC") != (out[j].Region == "UTC") {
			return out[i].Region == "UTC"
		}
		return out[i].Region < out[j].Region
	})
	return out
}

// knownZone reports whether z is one of the listed zones.
func knownZone(z string) bool {
	i := sort.SearchStrings(ianaZones, z)
	return i < len(ianaZones) && ianaZones[i] == z
}

// zoneLabel is how a select names a zone: its city, underscores as spaces.
func zoneLabel(z string) string {
	if _, city, ok := strings.Cut(z, "/"); ok {
		z = city
	}
	return strings.ReplaceAll(strings.ReplaceAll(z, "_", " "), "/", " / ")
}
